package org.relais.tests.server;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.redis.client.Command;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Makes tokens the way an attacker or a clock would: signed with the server's own key read from Redis (to test
 * claim checks), with another key, or unsigned.
 */
public final class TokenForge {
  private final Vertx vertx;
  private final JsonObject serverJwk;

  public TokenForge(TestServer t) {
    this.vertx = t.clients;
    RedisDb db = RedisDb.create(vertx, RedisSettings.of(t.redis.url()), new SimpleMeterRegistry());
    String kid = TestServer.await(db.send(Command.GET, "relais:{idn}:jwt:current")).toString();
    String entry = TestServer.await(db.send(Command.HGET, "relais:{idn}:jwt:keys", kid)).toString();
    this.serverJwk = new JsonObject(entry).getJsonObject("jwk");
    TestServer.await(db.close());
  }

  /** Claims as the server issues them, for user and session, expiring in {@code expiresIn} seconds (may be negative). */
  public static JsonObject claims(String userId, String sessionId, long expiresIn) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", userId).put("sid", sessionId).put("jti", "forged-" + System.nanoTime())
        .put("tt", "access").put("iss", "relais").put("aud", "relais").put("iat", now - 5).put("exp", now + expiresIn);
  }

  public String signWithServerKey(JsonObject claims) {
    return sign(serverJwk, claims);
  }

  /** Signed with a fresh key that carries the server key's kid: the signature cannot verify. */
  public String signWithOtherKey(JsonObject claims) {
    JsonObject other = JWTAuthOptionsGenerator.freshEcJwk().put("kid", serverJwk.getString("kid"));
    return sign(other, claims);
  }

  public static String unsigned(JsonObject claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + ".";
  }

  /** Signed with the server's key, but naming a key id the server does not have. */
  public String signWithUnknownKid(JsonObject claims) {
    return sign(serverJwk.copy().put("kid", "no-such-kid"), claims);
  }

  /**
   * The algorithm-confusion attack: HS256 with the server's public key as the HMAC secret, the key given as
   * {@code form} ("jwk": its JSON; "pem": its X.509 PEM; "xy": the raw coordinates).
   */
  public String hs256WithPublicKey(JsonObject claims, String form) {
    JsonObject pub = serverJwk.copy();
    pub.remove("d");
    byte[] secret;
    try {
      if (form.equals("jwk")) {
        secret = pub.encode().getBytes(StandardCharsets.UTF_8);
      } else if (form.equals("xy")) {
        secret = (pub.getString("x") + pub.getString("y")).getBytes(StandardCharsets.UTF_8);
      } else {
        java.security.spec.ECPoint w = new java.security.spec.ECPoint(
            new java.math.BigInteger(1, Base64.getUrlDecoder().decode(pub.getString("x"))),
            new java.math.BigInteger(1, Base64.getUrlDecoder().decode(pub.getString("y"))));
        java.security.AlgorithmParameters params = java.security.AlgorithmParameters.getInstance("EC");
        params.init(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.security.spec.ECParameterSpec spec = params.getParameterSpec(java.security.spec.ECParameterSpec.class);
        java.security.PublicKey key = java.security.KeyFactory.getInstance("EC")
            .generatePublic(new java.security.spec.ECPublicKeySpec(w, spec));
        secret = ("-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.US_ASCII);
      }
      Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
      String signingInput = b64.encodeToString(new JsonObject().put("alg", "HS256").put("typ", "JWT")
              .put("kid", serverJwk.getString("kid")).encode().getBytes(StandardCharsets.UTF_8)) + "."
          + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
      return signingInput + "." + b64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private String sign(JsonObject jwk, JsonObject claims) {
    JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions().addJwk(jwk));
    // noTimestamp: keep the claims exactly as given (iat, exp).
    return auth.generateToken(claims.copy(), new JWTOptions().setAlgorithm("ES256").setNoTimestamp(true));
  }

  /** A fresh EC P-256 JWK with its private part. */
  static final class JWTAuthOptionsGenerator {
    static JsonObject freshEcJwk() {
      try {
        var gen = java.security.KeyPairGenerator.getInstance("EC");
        gen.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        var pair = gen.generateKeyPair();
        var pub = (java.security.interfaces.ECPublicKey) pair.getPublic();
        var priv = (java.security.interfaces.ECPrivateKey) pair.getPrivate();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return new JsonObject().put("kty", "EC").put("crv", "P-256").put("alg", "ES256").put("use", "sig")
            .put("x", b64.encodeToString(fixed(pub.getW().getAffineX())))
            .put("y", b64.encodeToString(fixed(pub.getW().getAffineY())))
            .put("d", b64.encodeToString(fixed(priv.getS())));
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    private static byte[] fixed(java.math.BigInteger n) {
      byte[] raw = n.toByteArray();
      byte[] out = new byte[32];
      int len = Math.min(32, raw.length);
      System.arraycopy(raw, raw.length - len, out, 32 - len, len);
      return out;
    }
  }
}
