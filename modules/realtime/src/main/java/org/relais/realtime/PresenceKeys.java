package org.relais.realtime;

import org.relais.redis.Keys;

/**
 * Every Redis key of presence. All share the {@code {presence}} hash tag: one script settles many users at once
 * and keeps the global sweep index in step, so on Redis Cluster presence lives on one shard.
 */
final class PresenceKeys {
  private static final String P = Keys.PREFIX + "{presence}:";

  private PresenceKeys() {
  }

  /** Zset: the user's live sessions, connection id scored by expiry (epoch ms). Expires with its last session. */
  static String sessions(String userId) {
    return P + "sessions:" + userId;
  }

  /** Zset: the user's sessions closed within one session lifetime, so a late heartbeat cannot revive them. */
  static String closed(String userId) {
    return P + "closed:" + userId;
  }

  /** Hash: what the user chose ({@code status} away|dnd, {@code hidden} 1). No expiry; absent when all default. */
  static String chosen(String userId) {
    return P + "chosen:" + userId;
  }

  /**
   * Hash: {@code status} and {@code public} (the statuses last announced to the user and to others),
   * {@code activeAt}, {@code seenAt}, {@code graceUntil} (epoch ms), {@code ver} (raised by every change, from
   * Redis's clock in ms, so that announcements can be ordered). Expires after a long time untouched.
   */
  static String state(String userId) {
    return P + "state:" + userId;
  }

  /** Zset: users who are live, scored by when their status may next change by itself (epoch ms). */
  static String due() {
    return P + "due";
  }

  /** String: the sweep round's lock, holding the sweeper's token; expires by itself. */
  static String sweepLock() {
    return P + "sweep";
  }
}
