package org.relais.server;

import java.util.HashMap;
import java.util.Map;

/**
 * The newest presence version applied here per user, for one kind of view (own or public; see
 * {@link org.relais.realtime.PresenceChange#version}): a change that arrives after a newer one of the same user is
 * stale and is dropped, so that watchers never go back to an older status. Announcements arrive late by seconds at
 * worst (their retries end within about 5 s, plus Redis time-outs), so a user is remembered for
 * {@link #KEEP_MS} to twice that after their last change, and the map holds only the users whose presence changed
 * lately. Confined to its gateway instance's event loop.
 */
final class PresenceVersions {
  static final long KEEP_MS = 5 * 60_000;
  private Map<String, Long> current = new HashMap<>();
  private Map<String, Long> previous = new HashMap<>();
  private long rotatedAt;

  /**
   * Whether a view of {@code version} is newer than every view of the user applied here, remembering it if so.
   * Version 0 (an announcement without one, from a node of an earlier release) is always applied.
   */
  boolean fresh(String userId, long version, long nowMs) {
    if (nowMs - rotatedAt >= KEEP_MS) {
      previous = current;
      current = new HashMap<>();
      rotatedAt = nowMs;
    }
    if (version <= 0) {
      return true;
    }
    Long seen = current.get(userId);
    if (seen == null) {
      seen = previous.get(userId);
    }
    if (seen != null && seen >= version) {
      return false;
    }
    current.put(userId, version);
    return true;
  }

  /**
   * Forgets every version: the database was replaced. (Versions follow Redis's clock, so even a lost state does not
   * make a new change look older than a remembered one; this is for a database whose clock is behind.)
   */
  void clear() {
    current.clear();
    previous.clear();
  }
}
