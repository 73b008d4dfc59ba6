package org.relais.redis;

import java.nio.charset.StandardCharsets;

/**
 * Redis Cluster key slots: CRC16 (XMODEM) of the key's hash tag, modulo 16384. The hash tag is the part between
 * the first {@code {} and the next {@code }}} when that part is not empty; otherwise the whole key is hashed
 * (the rule of the Redis Cluster specification). Keys with the same tag are in the same slot, which is what lets
 * a Lua script or a multi-key command touch them together.
 */
public final class HashSlots {
  public static final int SLOTS = 16_384;

  private HashSlots() {
  }

  /** The slot of {@code key}, from 0 to 16383. */
  public static int slot(String key) {
    byte[] bytes = hashed(key).getBytes(StandardCharsets.UTF_8);
    return crc16(bytes) % SLOTS;
  }

  /** The part of the key that is hashed: its hash tag when it has one, else the whole key. */
  public static String hashed(String key) {
    String tag = tag(key);
    return tag == null ? key : tag;
  }

  /** The key's hash tag (without braces), or null when the key has none. */
  public static String tag(String key) {
    int open = key.indexOf('{');
    if (open < 0) {
      return null;
    }
    int close = key.indexOf('}', open + 1);
    if (close < 0 || close == open + 1) {
      return null;
    }
    return key.substring(open + 1, close);
  }

  static int crc16(byte[] bytes) {
    int crc = 0;
    for (byte b : bytes) {
      crc ^= (b & 0xff) << 8;
      for (int i = 0; i < 8; i++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      crc &= 0xffff;
    }
    return crc;
  }
}
