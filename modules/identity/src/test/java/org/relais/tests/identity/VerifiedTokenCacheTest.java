package org.relais.tests.identity;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.ErrorCode;
import org.relais.core.Ids;
import org.relais.core.RelaisException;
import org.relais.identity.AccessClaims;
import org.relais.identity.AuthService;
import org.relais.identity.TokenSettings;
import org.relais.identity.Tokens;
import org.relais.identity.User;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relais.tests.identity.IdentityFixture.await;

/**
 * A token verified once is remembered by its hash, and every rule that can turn against it later still applies at
 * each use: expiry, a revoked session, the removal of its signing key. A changed token never matches a remembered one.
 */
class VerifiedTokenCacheTest {
  private static final String KEYS = "relais:{idn}:jwt:keys";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private IdentityFixture node;

  @AfterEach
  void tearDown() {
    if (node != null) {
      node.close();
    }
  }

  /** No leeway, so that expiry is exact; the keyring read again every second. */
  private static TokenSettings strict() {
    return new TokenSettings("relais", "relais", 900, 2_592_000, 0, null, 3_600, 0, 1);
  }

  private static void refused(Tokens tokens, String token, String message) {
    assertThatThrownBy(() -> await(tokens.verify(token)))
        .isInstanceOfSatisfying(RelaisException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
          assertThat(e.getMessage()).isEqualTo(message);
        });
  }

  /** An EC P-256 key as a JWK with its private part, under {@code kid}. */
  private static JsonObject newJwk(String kid) throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    var pair = gen.generateKeyPair();
    ECPublicKey pub = (ECPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "EC").put("crv", "P-256").put("alg", "ES256").put("use", "sig").put("kid", kid)
        .put("x", B64.encodeToString(fixed(pub.getW().getAffineX())))
        .put("y", B64.encodeToString(fixed(pub.getW().getAffineY())))
        .put("d", B64.encodeToString(fixed(((ECPrivateKey) pair.getPrivate()).getS())));
  }

  private static byte[] fixed(BigInteger n) {
    byte[] b = n.toByteArray();
    byte[] out = new byte[32];
    int len = Math.min(32, b.length);
    System.arraycopy(b, b.length - len, out, 32 - len, len);
    return out;
  }

  /** A token of ours signed with {@code jwk}, issued at {@code iat} and expiring at {@code exp}. */
  private String sign(JsonObject jwk, long iat, long exp) {
    JsonObject claims = new JsonObject().put("sub", Ids.newId()).put("sid", Ids.newId()).put("jti", Ids.newId())
        .put("tt", "access").put("iss", "relais").put("aud", "relais").put("iat", iat).put("exp", exp);
    return JWTAuth.create(node.vertx, new JWTAuthOptions().addJwk(jwk))
        .generateToken(claims, new JWTOptions().setAlgorithm("ES256").setNoTimestamp(true));
  }

  /** The token with one character of its part {@code part} (0 header, 1 payload, 2 signature) changed. */
  private static String tamper(String token, int part) {
    String[] parts = token.split("\\.");
    char[] chars = parts[part].toCharArray();
    int i = chars.length / 2;
    chars[i] = chars[i] == 'A' ? 'B' : 'A';
    parts[part] = new String(chars);
    return String.join(".", parts);
  }

  @Test
  @DisplayName("a token verified once is remembered: presenting it again gives the same claims")
  void rememberedOnce() {
    node = IdentityFixture.start(IdentityFixture.defaults());
    String token = node.tokens.issue("u1", "s1");
    AccessClaims first = await(node.tokens.verify(token));
    assertThat(node.tokens.verifiedCacheSize()).isEqualTo(1);
    AccessClaims again = await(node.tokens.verify(token));
    assertThat(again).isEqualTo(first);
    assertThat(again.userId()).isEqualTo("u1");
    assertThat(node.tokens.verifiedCacheSize()).isEqualTo(1);
  }

  @Test
  @DisplayName("a remembered token is refused once it expires, and forgotten")
  void expiredWhileRemembered() throws Exception {
    node = IdentityFixture.start(strict());
    String kid = node.tokens.currentKeyId();
    JsonObject jwk = new JsonObject(await(node.db.send(Command.HGET, KEYS, kid)).toString()).getJsonObject("jwk");
    long now = System.currentTimeMillis() / 1000;
    String token = sign(jwk, now - 1, now + 2);
    await(node.tokens.verify(token));
    assertThat(node.tokens.verifiedCacheSize()).isEqualTo(1);

    while (System.currentTimeMillis() / 1000 <= now + 2) {
      Thread.sleep(100);
    }
    refused(node.tokens, token, "Token expired");
    assertThat(node.tokens.verifiedCacheSize()).isZero();
  }

  @Test
  @DisplayName("a remembered token of a revoked session no longer authenticates")
  void revokedWhileRemembered() {
    node = IdentityFixture.start(IdentityFixture.defaults());
    User user = node.user(node.org("Org"), "Awa");
    JsonObject login = await(node.auth.login(user.email(), IdentityFixture.PASSWORD, "10.0.0.1", "test"));
    String token = login.getString("accessToken");
    assertThat(await(node.auth.authenticate(token)).userId()).isEqualTo(user.id());
    assertThat(await(node.auth.authenticate(token)).userId()).isEqualTo(user.id());
    assertThat(node.tokens.verifiedCacheSize()).isEqualTo(1);

    String sid = await(node.tokens.verify(token)).sessionId();
    await(node.auth.revokeSession(user.id(), sid));

    assertThatThrownBy(() -> await(node.auth.authenticate(token)))
        .isInstanceOfSatisfying(RelaisException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
          assertThat(e.getMessage()).isEqualTo("Session revoked");
        });
  }

  @Test
  @DisplayName("a remembered token is refused once its signing key has left the keyring")
  void keyRemovedWhileRemembered() throws Exception {
    node = IdentityFixture.start(strict());
    JsonObject jwk = newJwk("test-key-" + Ids.newId());
    JsonObject publicJwk = jwk.copy();
    publicJwk.remove("d");
    await(node.db.send(Command.HSET, KEYS, jwk.getString("kid"),
        new JsonObject().put("jwk", publicJwk).put("createdAt", System.currentTimeMillis()).encode()));
    long now = System.currentTimeMillis() / 1000;
    String token = sign(jwk, now, now + 300);
    long known = System.currentTimeMillis() + 10_000;
    while (true) {
      try {
        assertThat(await(node.tokens.verify(token)).tokenId()).isNotBlank();
        break;
      } catch (RelaisException e) {
        assertThat(System.currentTimeMillis()).as("the node learns the new key").isLessThan(known);
        Thread.sleep(100);
      }
    }
    assertThat(node.tokens.verifiedCacheSize()).isEqualTo(1);

    await(node.db.send(Command.HDEL, KEYS, jwk.getString("kid")));
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try {
        await(node.tokens.verify(token));
      } catch (RelaisException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        break;
      }
      assertThat(System.currentTimeMillis()).as("the node learns the key is gone").isLessThan(deadline);
      Thread.sleep(100);
    }
    refused(node.tokens, token, "Invalid token");
    assertThat(node.tokens.verifiedCacheSize()).isZero();
  }

  @Test
  @DisplayName("a tampered copy of a remembered token is refused: it never matches the remembered one")
  void tamperedNeverHits() {
    node = IdentityFixture.start(IdentityFixture.defaults());
    String token = node.tokens.issue("u1", "s1");
    await(node.tokens.verify(token));
    assertThat(node.tokens.verifiedCacheSize()).isEqualTo(1);

    refused(node.tokens, tamper(token, 2), "Invalid token");
    refused(node.tokens, tamper(token, 1), "Invalid token");
    // Another subject in the payload, with the original signature.
    String[] parts = token.split("\\.");
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    claims.put("sub", "u2");
    String forged = parts[0] + "." + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    refused(node.tokens, forged, "Invalid token");
    assertThat(node.tokens.verifiedCacheSize()).isEqualTo(1);
    assertThat(await(node.tokens.verify(token)).userId()).isEqualTo("u1");
  }

  @Test
  @DisplayName("a socket's re-check without its token refuses what the token would be: key removed, session revoked, expiry")
  void recheckWithoutToken() throws Exception {
    node = IdentityFixture.start(strict());
    JsonObject jwk = newJwk("test-key-" + Ids.newId());
    JsonObject publicJwk = jwk.copy();
    publicJwk.remove("d");
    await(node.db.send(Command.HSET, KEYS, jwk.getString("kid"),
        new JsonObject().put("jwk", publicJwk).put("createdAt", System.currentTimeMillis()).encode()));
    User user = node.user(node.org("Org"), "Awa");
    String sid = await(node.tokens.verify(await(node.auth.login(user.email(), IdentityFixture.PASSWORD, "10.0.0.1", "test"))
        .getString("accessToken"))).sessionId();
    long now = System.currentTimeMillis() / 1000;
    String token = sign(jwk, user.id(), sid, now, now + 300);
    String shortLived = sign(jwk, user.id(), sid, now, now + 2);
    AuthService.Authenticated a = null;
    long known = System.currentTimeMillis() + 10_000;
    while (a == null) {
      try {
        a = await(node.auth.authenticateWithExpiry(token));
      } catch (RelaisException e) {
        assertThat(System.currentTimeMillis()).as("the node learns the new key").isLessThan(known);
        Thread.sleep(100);
      }
    }
    AuthService.Authenticated brief = await(node.auth.authenticateWithExpiry(shortLived));
    assertThat(a.recheck()).isNotNull();
    assertThat(await(node.auth.reauthenticate(a.recheck())).principal().userId()).isEqualTo(user.id());

    // Expiry: the short-lived token's re-check fails once it has expired, as the token itself does.
    while (System.currentTimeMillis() / 1000 <= now + 2) {
      Thread.sleep(100);
    }
    reauthRefused(brief.recheck(), "Token expired");
    assertThat(await(node.auth.reauthenticate(a.recheck())).principal().userId()).isEqualTo(user.id());

    // The signing key leaves the keyring.
    await(node.db.send(Command.HDEL, KEYS, jwk.getString("kid")));
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try {
        await(node.auth.reauthenticate(a.recheck()));
      } catch (RelaisException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(e.getMessage()).isEqualTo("Invalid token");
        break;
      }
      assertThat(System.currentTimeMillis()).as("the node learns the key is gone").isLessThan(deadline);
      Thread.sleep(100);
    }

    // A revoked session, with a token of the node's own key.
    JsonObject login = await(node.auth.login(user.email(), IdentityFixture.PASSWORD, "10.0.0.1", "test"));
    AuthService.Authenticated own = await(node.auth.authenticateWithExpiry(login.getString("accessToken")));
    assertThat(await(node.auth.reauthenticate(own.recheck())).principal().sessionId()).isEqualTo(own.principal().sessionId());
    await(node.auth.revokeSession(user.id(), own.principal().sessionId()));
    reauthRefused(own.recheck(), "Session revoked");
  }

  private void reauthRefused(AuthService.Recheck recheck, String message) {
    assertThatThrownBy(() -> await(node.auth.reauthenticate(recheck)))
        .isInstanceOfSatisfying(RelaisException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
          assertThat(e.getMessage()).isEqualTo(message);
        });
  }

  /** A token of ours for {@code sub} in session {@code sid}, signed with {@code jwk}. */
  private String sign(JsonObject jwk, String sub, String sid, long iat, long exp) {
    JsonObject claims = new JsonObject().put("sub", sub).put("sid", sid).put("jti", Ids.newId())
        .put("tt", "access").put("iss", "relais").put("aud", "relais").put("iat", iat).put("exp", exp);
    return JWTAuth.create(node.vertx, new JWTAuthOptions().addJwk(jwk))
        .generateToken(claims, new JWTOptions().setAlgorithm("ES256").setNoTimestamp(true));
  }
}
