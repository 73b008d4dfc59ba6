package org.relais.identity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.redis.client.Command;
import org.relais.core.Ids;
import org.relais.core.RelaisException;
import org.relais.redis.RedisDb;
import org.relais.redis.Responses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Access tokens: short-lived JWTs signed with ES256, with {@code kid} in the header. Verification pins the
 * algorithm and requires {@code iss}, {@code aud}, {@code sub}, {@code sid}, {@code jti}, {@code iat} and
 * {@code exp}. Unsigned tokens are never accepted: without a verification key, start-up fails.
 *
 * <p>The keyring lives in Redis so that every node signs and verifies alike. On first start a key is generated
 * and kept; a configured key replaces it, and tokens signed by a replaced key stay valid until they expire.
 */
public final class Tokens {
  private static final Logger LOG = LoggerFactory.getLogger(Tokens.class);
  private static final String ALG = "ES256";
  private static final String TOKEN_TYPE = "access";

  private final Vertx vertx;
  private final RedisDb db;
  private final TokenSettings settings;
  private volatile JWTAuth signer;
  private volatile JWTAuth verifier;
  private volatile String currentKid;
  private JsonObject signingJwk;
  private volatile long lastReload;

  private Tokens(Vertx vertx, RedisDb db, TokenSettings settings) {
    this.vertx = vertx;
    this.db = db;
    this.settings = settings;
  }

  /**
   * Loads the keyring, generating or installing the signing key as needed.
   * Fails when no key can be loaded (a bad key file, Redis unreachable).
   */
  public static Future<Tokens> create(Vertx vertx, RedisDb db, TokenSettings settings) {
    Tokens tokens = new Tokens(vertx, db, settings);
    return tokens.installSigningKey().compose(v -> tokens.reload()).map(tokens);
  }

  public TokenSettings settings() {
    return settings;
  }

  /** The id of the key new tokens are signed with. */
  public String currentKeyId() {
    return currentKid;
  }

  /** A new access token for a user's session. */
  public String issue(String userId, String sessionId) {
    JsonObject claims = new JsonObject()
        .put("sub", userId)
        .put("sid", sessionId)
        .put("jti", Ids.newId())
        .put("tt", TOKEN_TYPE);
    return signer.generateToken(claims, new JWTOptions()
        .setAlgorithm(ALG)
        .setIssuer(settings.issuer())
        .setAudience(List.of(settings.audience()))
        .setExpiresInSeconds((int) settings.accessTtlSeconds()));
  }

  /**
   * Verifies an access token.
   *
   * @return its claims; fails with {@code unauthenticated} for anything not a valid, unexpired token of ours
   */
  public Future<AccessClaims> verify(String token) {
    JsonObject header;
    try {
      header = header(token);
    } catch (RuntimeException e) {
      return Future.failedFuture(RelaisException.unauthenticated("Malformed token"));
    }
    if (!ALG.equals(header.getString("alg"))) {
      return Future.failedFuture(RelaisException.unauthenticated("Token algorithm not accepted"));
    }
    return verifier.authenticate(new TokenCredentials(token))
        .recover(failure -> {
          String message = String.valueOf(failure.getMessage());
          if (message.contains("kid") || failure.getClass().getSimpleName().contains("NoSuchKeyId")) {
            return reloadIfStale().compose(v -> verifier.authenticate(new TokenCredentials(token)));
          }
          return Future.failedFuture(failure);
        })
        .transform(ar -> {
          if (ar.failed()) {
            String message = String.valueOf(ar.cause().getMessage());
            LOG.debug("token rejected: {}", message);
            return Future.failedFuture(RelaisException.unauthenticated(
                message.contains("expired") ? "Token expired" : "Invalid token"));
          }
          JsonObject claims = ar.result().attributes().getJsonObject("accessToken");
          return checkClaims(claims);
        });
  }

  private Future<AccessClaims> checkClaims(JsonObject c) {
    long now = System.currentTimeMillis() / 1000;
    Object exp = c.getValue("exp");
    Object iat = c.getValue("iat");
    if (!(exp instanceof Number) || !(iat instanceof Number) || c.getString("jti") == null
        || !(c.getValue("sub") instanceof String) || !(c.getValue("sid") instanceof String)
        || !TOKEN_TYPE.equals(c.getValue("tt")) || !settings.issuer().equals(c.getValue("iss"))) {
      return Future.failedFuture(RelaisException.unauthenticated("Invalid token"));
    }
    if (((Number) exp).longValue() + settings.leewaySeconds() < now) {
      return Future.failedFuture(RelaisException.unauthenticated("Token expired"));
    }
    if (((Number) iat).longValue() - settings.leewaySeconds() > now) {
      return Future.failedFuture(RelaisException.unauthenticated("Invalid token"));
    }
    return Future.succeededFuture(new AccessClaims(c.getString("sub"), c.getString("sid"), c.getString("jti"),
        ((Number) exp).longValue()));
  }

  private static JsonObject header(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || token.length() > 4096) {
      throw new IllegalArgumentException("not a JWT");
    }
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8));
  }

  /** Makes sure the current signing key is the configured one, or that there is one. */
  private Future<Void> installSigningKey() {
    if (settings.keyFile() != null) {
      KeyPair pair;
      try {
        pair = SigningKeys.readPem(settings.keyFile());
      } catch (IOException e) {
        return Future.failedFuture(new IllegalStateException("cannot load the JWT key file " + settings.keyFile()
            + ": " + e.getMessage(), e));
      }
      JsonObject jwk = SigningKeys.jwk(pair, true);
      String kid = jwk.getString("kid");
      return db.send(Command.GET, IdentityKeys.jwtCurrent()).compose(current -> {
        String previous = Responses.str(current);
        if (kid.equals(previous)) {
          signingJwk = jwk;
          return Future.succeededFuture();
        }
        LOG.info("installing the configured JWT signing key {} (replacing {})", kid, previous);
        signingJwk = jwk;
        return retire(previous)
            .compose(v -> db.send(Command.HSET, IdentityKeys.jwtKeys(), kid, entry(SigningKeys.publicOnly(jwk))))
            .compose(v -> db.send(Command.SET, IdentityKeys.jwtCurrent(), kid))
            .mapEmpty();
      });
    }
    return db.send(Command.GET, IdentityKeys.jwtCurrent())
        .compose(current -> {
          String kid = Responses.str(current);
          if (kid == null) {
            return Future.succeededFuture((JsonObject) null);
          }
          return db.send(Command.HGET, IdentityKeys.jwtKeys(), kid)
              .map(r -> r == null ? null : new JsonObject(r.toString()).getJsonObject("jwk"));
        })
        .compose(jwk -> {
          if (jwk != null && jwk.containsKey("d")) {
            signingJwk = jwk;
            return Future.succeededFuture();
          }
          return generate(jwk == null ? null : jwk.getString("kid"));
        });
  }

  private Future<Void> generate(String previous) {
    JsonObject jwk = SigningKeys.jwk(SigningKeys.generate(), true);
    String kid = jwk.getString("kid");
    return db.send(Command.HSET, IdentityKeys.jwtKeys(), kid, entry(jwk))
        .compose(v -> previous == null
            ? db.send(Command.SET, IdentityKeys.jwtCurrent(), kid, "NX")
            : retire(previous).compose(x -> db.send(Command.SET, IdentityKeys.jwtCurrent(), kid)))
        .compose(set -> {
          if (set != null) {
            LOG.info("generated a new JWT signing key {} (kept in Redis)", kid);
            signingJwk = jwk;
            return Future.succeededFuture();
          }
          // Another node generated one at the same moment: use theirs.
          return db.send(Command.HDEL, IdentityKeys.jwtKeys(), kid).compose(v -> installSigningKey());
        });
  }

  private Future<Void> retire(String kid) {
    if (kid == null) {
      return Future.succeededFuture();
    }
    return db.send(Command.HGET, IdentityKeys.jwtKeys(), kid).compose(r -> {
      if (r == null) {
        return Future.succeededFuture();
      }
      JsonObject entry = new JsonObject(r.toString());
      entry.put("retiredAt", System.currentTimeMillis());
      // A retired key only verifies: drop its private part.
      entry.put("jwk", SigningKeys.publicOnly(entry.getJsonObject("jwk")));
      return db.send(Command.HSET, IdentityKeys.jwtKeys(), kid, entry.encode()).mapEmpty();
    });
  }

  private static String entry(JsonObject jwk) {
    return new JsonObject().put("jwk", jwk).put("createdAt", System.currentTimeMillis()).encode();
  }

  private Future<Void> reloadIfStale() {
    if (System.currentTimeMillis() - lastReload < 5_000) {
      return Future.succeededFuture();
    }
    return reload();
  }

  /** Rebuilds the verifier from every key still able to vouch for an unexpired token. */
  private Future<Void> reload() {
    lastReload = System.currentTimeMillis();
    return db.send(Command.HGETALL, IdentityKeys.jwtKeys()).compose(r -> {
      Map<String, String> entries = Responses.toMap(r);
      long horizon = System.currentTimeMillis() - (settings.accessTtlSeconds() + settings.leewaySeconds()) * 1000;
      List<JsonObject> verifyKeys = new ArrayList<>();
      List<String> expired = new ArrayList<>();
      entries.forEach((kid, json) -> {
        JsonObject entry = new JsonObject(json);
        Long retiredAt = entry.getLong("retiredAt");
        if (retiredAt != null && retiredAt < horizon) {
          expired.add(kid);
        } else {
          verifyKeys.add(SigningKeys.publicOnly(entry.getJsonObject("jwk")));
        }
      });
      if (verifyKeys.isEmpty() || signingJwk == null) {
        return Future.failedFuture(new IllegalStateException("no JWT key could be loaded; refusing to start"));
      }
      JWTOptions options = new JWTOptions()
          .setAlgorithm(ALG)
          .setIssuer(settings.issuer())
          .setAudience(List.of(settings.audience()))
          .setLeeway((int) settings.leewaySeconds());
      JWTAuthOptions verifyOptions = new JWTAuthOptions().setJWTOptions(options);
      verifyKeys.forEach(verifyOptions::addJwk);
      JWTAuth newVerifier = JWTAuth.create(vertx, verifyOptions);
      JWTAuth newSigner = JWTAuth.create(vertx, new JWTAuthOptions().setJWTOptions(options).addJwk(signingJwk));
      this.verifier = newVerifier;
      this.signer = newSigner;
      this.currentKid = signingJwk.getString("kid");
      if (expired.isEmpty()) {
        return Future.succeededFuture();
      }
      List<String> args = new ArrayList<>();
      args.add(IdentityKeys.jwtKeys());
      args.addAll(expired);
      return db.send(Command.HDEL, args.toArray()).mapEmpty();
    });
  }
}
