package org.relais.tests.server;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A push service for tests, on loopback: it plays the browser's side too, holding the subscription's private key
 * and auth secret, so it really decrypts each push (RFC 8291, aes128gcm) and checks its VAPID token (RFC 8292:
 * ES256 over the given public key, aud = this origin, exp within 24 h, a sub). Written from the RFCs, sharing no code
 * with the server. It answers with {@link #status} (201 by default).
 */
final class PushEndpoint implements AutoCloseable {
  record Received(JsonObject payload, String ttl, String urgency, String topic, String vapidSubject) {
  }

  private final HttpServer server;
  final int port;
  private final KeyPair uaKeys;
  private final byte[] authSecret = new byte[16];
  final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
  final AtomicInteger requests = new AtomicInteger();
  volatile int status = 201;
  volatile String failure;

  PushEndpoint(Vertx vertx) throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    uaKeys = gen.generateKeyPair();
    new SecureRandom().nextBytes(authSecret);
    port = TestServer.freePort();
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      // read once, before the request is counted: a test that sees it counted may change status for the next one
      int answer = status;
      requests.incrementAndGet();
      try {
        String vapid = checkVapid(req.getHeader("Authorization"));
        if (!"aes128gcm".equals(req.getHeader("Content-Encoding"))) {
          throw new IllegalStateException("Content-Encoding " + req.getHeader("Content-Encoding"));
        }
        if (answer / 100 == 2) {
          received.add(new Received(new JsonObject(new String(decrypt(body.getBytes()), StandardCharsets.UTF_8)),
              req.getHeader("TTL"), req.getHeader("Urgency"), req.getHeader("Topic"), vapid));
        }
      } catch (Exception e) {
        failure = e.toString();
      }
      req.response().setStatusCode(answer).end();
    }));
    TestServer.await(server.listen(port, "127.0.0.1"));
  }

  String endpoint(String name) {
    return "http://127.0.0.1:" + port + "/push/" + name;
  }

  /** The subscription as a browser's pushManager.subscribe() gives it. */
  JsonObject subscription(String name) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return new JsonObject().put("endpoint", endpoint(name)).put("keys", new JsonObject()
        .put("p256dh", b64.encodeToString(uncompressed((ECPublicKey) uaKeys.getPublic())))
        .put("auth", b64.encodeToString(authSecret)));
  }

  Received next(long timeoutMs) throws InterruptedException {
    Received r = received.poll(timeoutMs, TimeUnit.MILLISECONDS);
    if (failure != null) {
      throw new AssertionError("push endpoint: " + failure);
    }
    return r;
  }

  /** RFC 8292: "vapid t=<jwt>, k=<key>"; returns the JWT's sub. */
  private String checkVapid(String header) throws Exception {
    if (header == null || !header.startsWith("vapid ")) {
      throw new IllegalStateException("no VAPID authorization");
    }
    String t = null;
    String k = null;
    for (String part : header.substring(6).split(",")) {
      String p = part.trim();
      if (p.startsWith("t=")) {
        t = p.substring(2);
      } else if (p.startsWith("k=")) {
        k = p.substring(2);
      }
    }
    String[] jwt = t.split("\\.");
    Base64.Decoder d = Base64.getUrlDecoder();
    JsonObject head = new JsonObject(new String(d.decode(jwt[0]), StandardCharsets.UTF_8));
    JsonObject claims = new JsonObject(new String(d.decode(jwt[1]), StandardCharsets.UTF_8));
    if (!"ES256".equals(head.getString("alg"))) {
      throw new IllegalStateException("alg " + head.getString("alg"));
    }
    byte[] raw = d.decode(jwt[2]);
    Signature verify = Signature.getInstance("SHA256withECDSAinP1363Format");
    verify.initVerify(publicKey(d.decode(k)));
    verify.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
    if (!verify.verify(raw)) {
      throw new IllegalStateException("VAPID signature does not verify");
    }
    if (!("http://127.0.0.1:" + port).equals(claims.getString("aud"))) {
      throw new IllegalStateException("aud " + claims.getString("aud"));
    }
    long exp = claims.getLong("exp");
    long now = System.currentTimeMillis() / 1000;
    if (exp <= now || exp > now + 86_400) {
      throw new IllegalStateException("exp " + exp);
    }
    if (claims.getString("sub") == null) {
      throw new IllegalStateException("no sub");
    }
    return claims.getString("sub");
  }

  /** RFC 8291 §3.4 and RFC 8188: derive the key and nonce, decrypt the single record, strip the padding. */
  private byte[] decrypt(byte[] body) throws Exception {
    ByteBuffer in = ByteBuffer.wrap(body);
    byte[] salt = new byte[16];
    in.get(salt);
    in.getInt();
    int idLen = in.get() & 0xff;
    byte[] asPublic = new byte[idLen];
    in.get(asPublic);
    byte[] ciphertext = new byte[in.remaining()];
    in.get(ciphertext);

    KeyAgreement ka = KeyAgreement.getInstance("ECDH");
    ka.init(uaKeys.getPrivate());
    ka.doPhase(publicKey(asPublic), true);
    byte[] ecdhSecret = ka.generateSecret();
    byte[] uaPublic = uncompressed((ECPublicKey) uaKeys.getPublic());

    byte[] prkKey = hmac(authSecret, ecdhSecret);
    ByteArrayOutputStream keyInfo = new ByteArrayOutputStream();
    keyInfo.write("WebPush: info".getBytes(StandardCharsets.US_ASCII));
    keyInfo.write(0);
    keyInfo.write(uaPublic);
    keyInfo.write(asPublic);
    keyInfo.write(1);
    byte[] ikm = hmac(prkKey, keyInfo.toByteArray());
    byte[] prk = hmac(salt, ikm);
    byte[] cek = Arrays.copyOf(hmac(prk, info("Content-Encoding: aes128gcm")), 16);
    byte[] nonce = Arrays.copyOf(hmac(prk, info("Content-Encoding: nonce")), 12);

    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
    byte[] padded = cipher.doFinal(ciphertext);
    int end = padded.length - 1;
    while (end >= 0 && padded[end] == 0) {
      end--;
    }
    if (end < 0 || padded[end] != 2) {
      throw new IllegalStateException("bad padding delimiter");
    }
    return Arrays.copyOf(padded, end);
  }

  private static byte[] info(String label) {
    byte[] l = label.getBytes(StandardCharsets.US_ASCII);
    byte[] out = Arrays.copyOf(l, l.length + 2);
    out[l.length] = 0;
    out[l.length + 1] = 1;
    return out;
  }

  private static byte[] hmac(byte[] key, byte[] data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data);
  }

  private static byte[] uncompressed(ECPublicKey key) {
    byte[] out = new byte[65];
    out[0] = 4;
    System.arraycopy(fixed(key.getW().getAffineX()), 0, out, 1, 32);
    System.arraycopy(fixed(key.getW().getAffineY()), 0, out, 33, 32);
    return out;
  }

  private static byte[] fixed(BigInteger n) {
    byte[] raw = n.toByteArray();
    byte[] out = new byte[32];
    int len = Math.min(32, raw.length);
    System.arraycopy(raw, raw.length - len, out, 32 - len, len);
    return out;
  }

  private static ECPublicKey publicKey(byte[] point) throws Exception {
    AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
    params.init(new ECGenParameterSpec("secp256r1"));
    ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
    ECPoint w = new ECPoint(new BigInteger(1, Arrays.copyOfRange(point, 1, 33)), new BigInteger(1, Arrays.copyOfRange(point, 33, 65)));
    return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, spec));
  }

  @Override
  public void close() {
    TestServer.await(server.close());
  }
}
