package org.relais.core;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Identifiers. Entity ids are ULID-like: 26 Crockford base-32 characters, time-ordered, with 80 random bits,
 * so they sort by creation and cannot be guessed. Secrets (refresh tokens, invitation tokens) are 256 random bits.
 */
public final class Ids {
  private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();
  /** What a valid entity id looks like; anything else is rejected before it reaches a Redis key. */
  public static final Pattern ID = Pattern.compile("[0-9A-HJKMNP-TV-Z]{26}");

  private Ids() {
  }

  /** A new time-ordered id. */
  public static String newId() {
    return newId(System.currentTimeMillis());
  }

  static String newId(long millis) {
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    char[] out = new char[26];
    long time = millis;
    for (int i = 9; i >= 0; i--) {
      out[i] = CROCKFORD[(int) (time & 31)];
      time >>>= 5;
    }
    // 80 random bits -> 16 characters of 5 bits
    long hi = 0;
    for (int i = 0; i < 5; i++) {
      hi = (hi << 8) | (random[i] & 0xff);
    }
    long lo = 0;
    for (int i = 5; i < 10; i++) {
      lo = (lo << 8) | (random[i] & 0xff);
    }
    for (int i = 17; i >= 10; i--) {
      out[i] = CROCKFORD[(int) (hi & 31)];
      hi >>>= 5;
    }
    for (int i = 25; i >= 18; i--) {
      out[i] = CROCKFORD[(int) (lo & 31)];
      lo >>>= 5;
    }
    return new String(out);
  }

  public static boolean isId(String s) {
    return s != null && ID.matcher(s).matches();
  }

  /**
   * The SHA-256 of a text, in hex: how secrets (tokens, invitation and feed secrets) are stored and looked up, so a
   * copy of the database does not hold them.
   */
  public static String sha256Hex(String s) {
    return sha256Hex(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The SHA-256 of some bytes, in lower-case hex. */
  public static String sha256Hex(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new 256-bit secret, URL-safe base64 without padding. */
  public static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
