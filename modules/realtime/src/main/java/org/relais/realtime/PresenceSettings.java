package org.relais.realtime;

/**
 * How presence behaves. Build with {@link #of} or {@link #defaults()}, which derive the sweep interval.
 *
 * @param ttlSeconds          the bound on staleness: a session whose node stops sending heartbeats (a crash) counts
 *                            as gone, and its user is announced offline, within this time
 * @param awayAfterSeconds    a live user without activity for this long shows as away
 * @param offlineGraceSeconds after the last session closes, the user turns offline only after this delay, so that
 *                            a reconnect within it makes no event at all
 * @param sweepIntervalMs     how often each node looks for users whose status changes by itself (sessions expired,
 *                            inactivity, end of the grace); at most half the TTL
 */
public record PresenceSettings(long ttlSeconds, long awayAfterSeconds, long offlineGraceSeconds,
                               long sweepIntervalMs) {

  public PresenceSettings {
    if (ttlSeconds < 1 || ttlSeconds > 3_600) {
      throw new IllegalArgumentException("presence ttl must be from 1 to 3600 seconds");
    }
    if (awayAfterSeconds < 1) {
      throw new IllegalArgumentException("away-after must be at least 1 second");
    }
    if (offlineGraceSeconds < 0 || offlineGraceSeconds > 3_600) {
      throw new IllegalArgumentException("offline grace must be from 0 to 3600 seconds");
    }
    if (sweepIntervalMs < 50 || sweepIntervalMs > ttlSeconds * 1000 / 2) {
      throw new IllegalArgumentException("sweep interval must be from 50 ms to half the ttl");
    }
  }

  /** A TTL of 60 s, away after 10 minutes, a grace of 5 s. */
  public static PresenceSettings defaults() {
    return of(60, 600, 5);
  }

  /** With a sweep every quarter of the TTL, and never more often than every 250 ms. */
  public static PresenceSettings of(long ttlSeconds, long awayAfterSeconds, long offlineGraceSeconds) {
    return new PresenceSettings(ttlSeconds, awayAfterSeconds, offlineGraceSeconds,
        Math.min(Math.max(250, ttlSeconds * 1000 / 4), ttlSeconds * 1000 / 2));
  }

  /** How often a gateway should call {@link Presence#heartbeat} for all its sessions: a third of the TTL. */
  public long heartbeatIntervalMs() {
    return ttlSeconds * 1000 / 3;
  }

  /**
   * How long a session stays live after its last heartbeat: the TTL minus one sweep interval, so that the sweep
   * noticing its expiry still falls within the TTL. At least half the TTL, so a heartbeat may be late.
   */
  public long sessionLifetimeMs() {
    return ttlSeconds * 1000 - sweepIntervalMs;
  }
}
