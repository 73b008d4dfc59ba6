package org.relais.notifications;

import org.relais.redis.Keys;

/**
 * Every Redis key of notifications. One user's keys share the hash tag {@code {n:<userId>}}:
 *
 * <pre>
 * relais:ntf:{n:U}:list        sorted set: notification ids by creation time (ms)
 * relais:ntf:{n:U}:unread      set: unread notification ids
 * relais:ntf:{n:U}:n:ID        hash: one notification (id, kind, title, body, target, createdAt)
 * relais:ntf:{n:U}:seen:KEY    string: a dedupe key already used (expires)
 * relais:ntf:{n:U}:prefs       hash: preferences (channel:CID, kind:KIND, quiet, push)
 * relais:ntf:{n:U}:gate:GROUP  hash: a coalescing window (held count, label, url); expires with the window
 * relais:ntf:{n:U}:subs        hash: push subscriptions, by endpoint hash
 * relais:ntf:due               sorted set: "user|group" coalescing windows by end time (ms), for the summary push
 *                              (its own slot: a window is written in the user's slot first, then put here)
 * relais:ntf:vapid             string: the VAPID key pair (JSON)
 * </pre>
 */
final class NotificationKeys {
  private static final String P = Keys.PREFIX + "ntf:";

  private NotificationKeys() {
  }

  static String user(String userId) {
    return P + "{n:" + userId + "}";
  }

  static String list(String userId) {
    return user(userId) + ":list";
  }

  static String unread(String userId) {
    return user(userId) + ":unread";
  }

  static String notificationPrefix(String userId) {
    return user(userId) + ":n:";
  }

  static String seenPrefix(String userId) {
    return user(userId) + ":seen:";
  }

  static String prefs(String userId) {
    return user(userId) + ":prefs";
  }

  static String gate(String userId, String group) {
    return user(userId) + ":gate:" + group;
  }

  static String subscriptions(String userId) {
    return user(userId) + ":subs";
  }

  static String due() {
    return P + "due";
  }

  static String vapid() {
    return P + "vapid";
  }

  /** Users who want every message of a channel ("all"). */
  static String channelAll(String channelId) {
    return P + "all:" + channelId;
  }
}
