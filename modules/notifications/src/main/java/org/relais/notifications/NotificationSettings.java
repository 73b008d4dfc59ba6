package org.relais.notifications;

/**
 * @param maxPerUser      notifications kept per person (the oldest go first)
 * @param retentionDays   notifications older than this are dropped
 * @param coalesceMs      pushes of one conversation within this window make one push
 * @param dedupeSeconds   how long a notification's dedupe key is remembered
 */
public record NotificationSettings(int maxPerUser, int retentionDays, long coalesceMs, long dedupeSeconds) {

  public static NotificationSettings defaults() {
    return new NotificationSettings(1_000, 90, 60_000, 7 * 86_400);
  }
}
