package org.relais.identity;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** EC P-256 signing keys as JWKs (RFC 7517/7518), with a {@code kid} derived from the public key. */
final class SigningKeys {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

  private SigningKeys() {
  }

  static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an EC P-256 key", e);
    }
  }

  /** Reads a PEM file holding a PKCS#8 "PRIVATE KEY" and an X.509 "PUBLIC KEY" block. */
  static KeyPair readPem(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    Matcher m = PEM.matcher(text);
    ECPrivateKey priv = null;
    ECPublicKey pub = null;
    try {
      KeyFactory factory = KeyFactory.getInstance("EC");
      while (m.find()) {
        byte[] der = Base64.getMimeDecoder().decode(m.group(2).trim());
        if (m.group(1).equals("PRIVATE KEY")) {
          priv = (ECPrivateKey) factory.generatePrivate(new PKCS8EncodedKeySpec(der));
        } else if (m.group(1).equals("PUBLIC KEY")) {
          pub = (ECPublicKey) factory.generatePublic(new X509EncodedKeySpec(der));
        }
      }
    } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
      throw new IOException("not an EC P-256 key in PEM: " + e.getMessage(), e);
    }
    if (priv == null || pub == null) {
      throw new IOException("the key file must hold a PKCS#8 'PRIVATE KEY' and a 'PUBLIC KEY' block (EC P-256)");
    }
    if (pub.getParams().getCurve().getField().getFieldSize() != 256) {
      throw new IOException("the key must be on the P-256 curve");
    }
    return new KeyPair(pub, priv);
  }

  /** The JWK of the key pair; with {@code includePrivate}, also {@code d}. */
  static JsonObject jwk(KeyPair pair, boolean includePrivate) {
    ECPublicKey pub = (ECPublicKey) pair.getPublic();
    JsonObject jwk = new JsonObject()
        .put("kty", "EC")
        .put("crv", "P-256")
        .put("alg", "ES256")
        .put("use", "sig")
        .put("kid", kid(pub))
        .put("x", B64.encodeToString(unsigned(pub.getW().getAffineX())))
        .put("y", B64.encodeToString(unsigned(pub.getW().getAffineY())));
    if (includePrivate) {
      jwk.put("d", B64.encodeToString(unsigned(((ECPrivateKey) pair.getPrivate()).getS())));
    }
    return jwk;
  }

  /** The first 16 characters of the base64url SHA-256 of the public point. */
  static String kid(ECPublicKey pub) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(unsigned(pub.getW().getAffineX()));
      sha.update(unsigned(pub.getW().getAffineY()));
      return B64.encodeToString(sha.digest()).substring(0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The JWK without its private part. */
  static JsonObject publicOnly(JsonObject jwk) {
    JsonObject copy = jwk.copy();
    copy.remove("d");
    return copy;
  }

  private static byte[] unsigned(BigInteger n) {
    byte[] bytes = n.toByteArray();
    if (bytes.length == 32) {
      return bytes;
    }
    byte[] out = new byte[32];
    if (bytes.length > 32) {
      System.arraycopy(bytes, bytes.length - 32, out, 0, 32);
    } else {
      System.arraycopy(bytes, 0, out, 32 - bytes.length, bytes.length);
    }
    return Arrays.copyOf(out, 32);
  }
}
