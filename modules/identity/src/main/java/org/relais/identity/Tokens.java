package org.relais.identity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Access tokens: short-lived JWTs signed with ES256, with {@code kid} in the header. Verification pins the
 * algorithm and requires {@code iss}, {@code aud}, {@code sub}, {@code sid}, {@code jti}, {@code iat} and
 * {@code exp}, with {@code exp - iat} no longer than the access-token lifetime (plus the leeway): even a stolen
 * signing key cannot mint long-lived tokens. Unsigned tokens are never accepted: without a verification key,
 * start-up fails.
 *
 * <p>The keyring lives in Redis so that every node signs and verifies alike. On first start a key is generated
 * and kept; a configured key replaces it (retires the previous one). Tokens signed by a retired key before it was
 * retired stay valid until they expire; tokens it signed later ({@code iat} after its {@code retiredAt}) are
 * refused. Each node reads the keyring again every {@link TokenSettings#keyReloadSeconds()} (and at once on an
 * unknown {@code kid}), so a rotation on one node reaches the others within that period. A node whose own signing
 * key was retired elsewhere switches to the current key when Redis holds its private part (a generated key);
 * with a configured key file, rotate by restarting every node with the new file.
 */
public final class Tokens {
  private static final Logger LOG = LoggerFactory.getLogger(Tokens.class);
  private static final String ALG = "ES256";
  private static final String TOKEN_TYPE = "access";
  private static final int MAX_TOKEN_CHARS = 4096;
  /** Verified tokens remembered per node (about 0.4 KB each). */
  static final int VERIFIED_CAPACITY = 50_000;
  /** Signature checks queued or running on the verification pool, beyond which callers get {@code unavailable}. */
  static final int MAX_VERIFYING = 2_048;

  private final Vertx vertx;
  private final RedisDb db;
  private final TokenSettings settings;
  private volatile JWTAuth signer;
  /**
   * The verifier's options: each thread of the pool builds its own verifier from them, because the library verifies
   * the tokens of one key under one lock (one {@code java.security.Signature} per key), which would make the pool
   * check one token at a time.
   */
  private volatile JWTAuthOptions verifierOptions;
  private final ThreadLocal<PerThreadVerifier> threadVerifier = new ThreadLocal<>();

  private record PerThreadVerifier(JWTAuthOptions options, JWTAuth auth) {
  }
  private volatile String currentKid;
  private volatile JsonObject signingJwk;
  /** When each retired key was retired (epoch ms), by kid. */
  private volatile Map<String, Long> retiredAt = Map.of();
  private volatile long lastReload;
  private volatile long reloadTimer = -1;
  /** The kids of the keys tokens may be verified with now. */
  private volatile Set<String> verifyKids = Set.of();
  /** Moves on at each change of the keyring (a key added, retired or dropped). */
  private final AtomicLong keyringGeneration = new AtomicLong();
  private final VerifiedTokens verified = new VerifiedTokens(VERIFIED_CAPACITY);
  private final AtomicInteger verifying = new AtomicInteger();
  private final WorkerExecutor workers;

  private final org.relais.core.AuditSink audit;

  private Tokens(Vertx vertx, RedisDb db, TokenSettings settings, org.relais.core.AuditSink audit) {
    this.vertx = vertx;
    this.db = db;
    this.settings = settings;
    this.audit = audit;
    this.workers = vertx.createSharedWorkerExecutor("relais-tokens",
        Math.max(1, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * Loads the keyring, generating or installing the signing key as needed, and starts reading it again every
   * {@link TokenSettings#keyReloadSeconds()} until {@link #close()}.
   * Fails when no key can be loaded (a bad key file, Redis unreachable).
   */
  public static Future<Tokens> create(Vertx vertx, RedisDb db, TokenSettings settings) {
    return create(vertx, db, settings, org.relais.core.AuditSink.NONE);
  }

  /** {@link #create(Vertx, RedisDb, TokenSettings)}, recording a replaced signing key as {@code key.rotate}. */
  public static Future<Tokens> create(Vertx vertx, RedisDb db, TokenSettings settings, org.relais.core.AuditSink audit) {
    Tokens tokens = new Tokens(vertx, db, settings, audit);
    return tokens.installSigningKey().compose(v -> tokens.reload()).map(v -> {
      tokens.reloadTimer = vertx.setPeriodic(settings.keyReloadSeconds() * 1000, id -> tokens.reload()
          .onFailure(e -> LOG.warn("reading the JWT keyring failed; keeping the keys known so far: {}", e.getMessage())));
      return tokens;
    });
  }

  /** Stops reading the keyring periodically. Idempotent; tokens still sign and verify with the keys known. */
  public void close() {
    long timer = reloadTimer;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      reloadTimer = -1;
    }
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
   * {@link #issue}, with the signing (ECDSA P-256) on the verification pool rather than on the caller's event loop.
   */
  public Future<String> issueAsync(String userId, String sessionId) {
    return workers.executeBlocking(() -> issue(userId, sessionId), false);
  }

  /**
   * Verifies an access token. The signature check (ECDSA P-256, milliseconds of CPU with the JDK's own code) runs on
   * a small worker pool, never on the caller's event loop, and is made once per token and node: a token verified
   * before is found in a bounded cache ({@link #VERIFIED_CAPACITY} tokens, by SHA-256) and only its claims are checked
   * again — expiry against the clock, its key still in the keyring and not retired before the token was issued —
   * so that it is refused exactly when an uncached one would be. The cache is emptied whenever the keyring changes.
   *
   * @return its claims; fails with {@code unauthenticated} for anything not a valid, unexpired token of ours, and with
   *     {@code unavailable} when more than {@value #MAX_VERIFYING} signature checks are already waiting
   */
  public Future<AccessClaims> verify(String token) {
    return verifyEntry(token).map(VerifiedTokens.Entry::claims);
  }

  /** {@link #verify}, with what {@link #recheck} needs to check the same token again without it. */
  Future<VerifiedTokens.Entry> verifyEntry(String token) {
    if (token.length() > MAX_TOKEN_CHARS) {
      return Future.failedFuture(RelaisException.unauthenticated("Malformed token"));
    }
    String cacheKey = VerifiedTokens.keyOf(token);
    VerifiedTokens.Entry hit = verified.get(cacheKey);
    if (hit != null) {
      if (verifyKids.contains(hit.kid())) {
        return checkTimes(hit.kid(), hit.issuedAt(), hit.claims())
            .onFailure(e -> verified.remove(cacheKey))
            .map(hit);
      }
      verified.remove(cacheKey);
    }
    JsonObject header;
    try {
      header = header(token);
    } catch (RuntimeException e) {
      return Future.failedFuture(RelaisException.unauthenticated("Malformed token"));
    }
    if (!ALG.equals(header.getString("alg"))) {
      return Future.failedFuture(RelaisException.unauthenticated("Token algorithm not accepted"));
    }
    String kid = header.getString("kid");
    long generation = keyringGeneration.get();
    return checkSignature(token)
        .recover(failure -> {
          String message = String.valueOf(failure.getMessage());
          if (message.contains("kid") || failure.getClass().getSimpleName().contains("NoSuchKeyId")) {
            return reloadIfStale().compose(v -> checkSignature(token));
          }
          return Future.failedFuture(failure);
        })
        .transform(ar -> {
          if (ar.failed()) {
            if (ar.cause() instanceof RelaisException e && e.code() == org.relais.core.ErrorCode.UNAVAILABLE) {
              return Future.failedFuture(e);
            }
            String message = String.valueOf(ar.cause().getMessage());
            LOG.debug("token rejected: {}", message);
            return Future.failedFuture(RelaisException.unauthenticated(
                message.contains("expired") ? "Token expired" : "Invalid token"));
          }
          JsonObject claims = ar.result().attributes().getJsonObject("accessToken");
          return checkClaims(kid, claims).map(c -> {
            VerifiedTokens.Entry entry = new VerifiedTokens.Entry(c, ((Number) claims.getValue("iat")).longValue(), kid);
            // A token checked against a keyring that has changed since is not remembered: it is checked again.
            if (kid != null && generation == keyringGeneration.get()) {
              verified.put(cacheKey, entry);
            }
            return entry;
          });
        });
  }

  /**
   * Checks again a token verified before ({@link #verifyEntry}), from what its verification found rather than from
   * the token: what a cached token is re-checked for at each use — expiry, its key still in the keyring, not
   * retired before the token was issued. Fails with {@code unauthenticated} as {@link #verify} would then.
   */
  Future<AccessClaims> recheck(VerifiedTokens.Entry entry) {
    if (entry.kid() == null || !verifyKids.contains(entry.kid())) {
      return Future.failedFuture(RelaisException.unauthenticated("Invalid token"));
    }
    return checkTimes(entry.kid(), entry.issuedAt(), entry.claims());
  }

  /** The signature (and the library's own audience, issuer and expiry checks), on the verification pool. */
  private Future<io.vertx.ext.auth.User> checkSignature(String token) {
    if (verifying.incrementAndGet() > MAX_VERIFYING) {
      verifying.decrementAndGet();
      return Future.failedFuture(RelaisException.unavailable("Too many tokens being checked; try again in a moment"));
    }
    return workers.executeBlocking(() -> verifierOfThisThread().authenticate(new TokenCredentials(token)), false)
        .andThen(ar -> verifying.decrementAndGet())
        .compose(authenticated -> authenticated);
  }

  /** The verifier of the pool thread running this, built again when the keyring was read again. */
  private JWTAuth verifierOfThisThread() {
    JWTAuthOptions options = verifierOptions;
    PerThreadVerifier mine = threadVerifier.get();
    if (mine == null || mine.options() != options) {
      mine = new PerThreadVerifier(options, JWTAuth.create(vertx, options));
      threadVerifier.set(mine);
    }
    return mine.auth();
  }

  /** The number of verified tokens remembered on this node (for tests and metrics). */
  public int verifiedCacheSize() {
    return verified.size();
  }

  private Future<AccessClaims> checkClaims(String kid, JsonObject c) {
    Object exp = c.getValue("exp");
    Object iat = c.getValue("iat");
    if (!(exp instanceof Number) || !(iat instanceof Number) || c.getString("jti") == null
        || !(c.getValue("sub") instanceof String) || !(c.getValue("sid") instanceof String)
        || !TOKEN_TYPE.equals(c.getValue("tt")) || !settings.issuer().equals(c.getValue("iss"))) {
      return Future.failedFuture(RelaisException.unauthenticated("Invalid token"));
    }
    if (((Number) exp).longValue() - ((Number) iat).longValue() > settings.accessTtlSeconds() + settings.leewaySeconds()) {
      LOG.warn("token with a lifetime longer than allowed refused (kid {}, sub {})", kid, c.getValue("sub"));
      return Future.failedFuture(RelaisException.unauthenticated("Invalid token"));
    }
    return checkTimes(kid, ((Number) iat).longValue(), new AccessClaims(c.getString("sub"), c.getString("sid"),
        c.getString("jti"), ((Number) exp).longValue()));
  }

  /** What can change after a token was verified: the clock, and the retirement of the key that signed it. */
  private Future<AccessClaims> checkTimes(String kid, long iat, AccessClaims claims) {
    long now = System.currentTimeMillis() / 1000;
    if (claims.expiresAt() + settings.leewaySeconds() < now) {
      return Future.failedFuture(RelaisException.unauthenticated("Token expired"));
    }
    if (iat - settings.leewaySeconds() > now) {
      return Future.failedFuture(RelaisException.unauthenticated("Invalid token"));
    }
    Long retired = kid == null ? null : retiredAt.get(kid);
    if (retired != null && iat * 1000 > retired) {
      LOG.warn("token signed by key {} after it was retired refused (sub {})", kid, claims.userId());
      return Future.failedFuture(RelaisException.unauthenticated("Invalid token"));
    }
    return Future.succeededFuture(claims);
  }

  private static JsonObject header(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || token.length() > MAX_TOKEN_CHARS) {
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
            .compose(v -> rotated(kid, previous, "configured key file"));
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
            return rotated(kid, previous, "generated");
          }
          // Another node generated one at the same moment: use theirs.
          return db.send(Command.HDEL, IdentityKeys.jwtKeys(), kid).compose(v -> installSigningKey());
        });
  }

  /** Records a new signing key (key ids are public: they are in every token's header). */
  private Future<Void> rotated(String kid, String previous, String source) {
    return audit.record(org.relais.core.AuditEntry.system("key.rotate", kid, null)
        .with("previous", previous).with("source", source));
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

  /**
   * Rebuilds the verifier from every key still able to vouch for an unexpired token, learns when each was retired,
   * and drops keys retired too long ago. When this node's signing key has been retired by another node and Redis
   * holds the private part of the current key, signs with that from now on.
   */
  private Future<Void> reload() {
    lastReload = System.currentTimeMillis();
    List<Request> reads = List.of(Request.cmd(Command.HGETALL).arg(IdentityKeys.jwtKeys()),
        Request.cmd(Command.GET).arg(IdentityKeys.jwtCurrent()));
    return db.batch(reads).compose(replies -> {
      Map<String, String> entries = Responses.toMap(replies.get(0));
      String current = Responses.str(replies.get(1));
      long horizon = System.currentTimeMillis() - (settings.accessTtlSeconds() + settings.leewaySeconds()) * 1000;
      List<JsonObject> verifyKeys = new ArrayList<>();
      Map<String, Long> retired = new HashMap<>();
      List<String> expired = new ArrayList<>();
      entries.forEach((kid, json) -> {
        JsonObject entry = new JsonObject(json);
        Long at = entry.getLong("retiredAt");
        if (at != null && at < horizon) {
          expired.add(kid);
          return;
        }
        if (at != null) {
          retired.put(kid, at);
        }
        verifyKeys.add(SigningKeys.publicOnly(entry.getJsonObject("jwk")));
      });
      JsonObject signing = signingKey(entries, current);
      if (verifyKeys.isEmpty() || signing == null) {
        return Future.failedFuture(new IllegalStateException("no JWT key could be loaded; refusing to start"));
      }
      JWTOptions options = new JWTOptions()
          .setAlgorithm(ALG)
          .setIssuer(settings.issuer())
          .setAudience(List.of(settings.audience()))
          .setLeeway((int) settings.leewaySeconds());
      JWTAuthOptions verifyOptions = new JWTAuthOptions().setJWTOptions(options);
      verifyKeys.forEach(verifyOptions::addJwk);
      JWTAuth newSigner = JWTAuth.create(vertx, new JWTAuthOptions().setJWTOptions(options).addJwk(signing));
      this.verifierOptions = verifyOptions;
      this.signer = newSigner;
      this.signingJwk = signing;
      this.currentKid = signing.getString("kid");
      Set<String> kids = new java.util.HashSet<>();
      verifyKeys.forEach(k -> kids.add(k.getString("kid")));
      boolean changed = !kids.equals(verifyKids) || !retired.equals(retiredAt);
      this.verifyKids = Set.copyOf(kids);
      this.retiredAt = Map.copyOf(retired);
      if (changed) {
        // After the new keyring is visible: a verification that read the old generation is not remembered.
        keyringGeneration.incrementAndGet();
        verified.clear();
      }
      verified.dropExpired(System.currentTimeMillis() / 1000 - settings.leewaySeconds());
      if (expired.isEmpty()) {
        return Future.succeededFuture();
      }
      List<String> args = new ArrayList<>();
      args.add(IdentityKeys.jwtKeys());
      args.addAll(expired);
      return db.send(Command.HDEL, args.toArray()).mapEmpty();
    });
  }

  /** The key to sign with: ours, unless it was retired or dropped and the current key's private part is known. */
  private JsonObject signingKey(Map<String, String> entries, String current) {
    JsonObject ours = signingJwk;
    if (ours == null) {
      return null;
    }
    String kid = ours.getString("kid");
    String entry = entries.get(kid);
    boolean stale = entry == null || new JsonObject(entry).containsKey("retiredAt");
    if (!stale || current == null || current.equals(kid) || !entries.containsKey(current)) {
      return ours;
    }
    JsonObject currentJwk = new JsonObject(entries.get(current)).getJsonObject("jwk");
    if (currentJwk.containsKey("d")) {
      LOG.info("JWT signing key {} was retired; signing with the current key {}", kid, current);
      return currentJwk;
    }
    LOG.warn("this node signs with JWT key {}, which was retired; restart it with the current key file", kid);
    return ours;
  }
}
