package org.relais.notifications;

import org.relais.core.RelaisException;

/** What a notification is about. The wire name is also its key in the text catalogues. */
public enum NotificationKind {
  MENTION("mention"),
  /** A message in a channel the user follows with "all". */
  MESSAGE("message"),
  DIRECT("direct"),
  CHANNEL_INVITE("channel.invite"),
  PARTNERSHIP_NEW("partnership.new"),
  PARTNERSHIP_COUNTER("partnership.counter"),
  PARTNERSHIP_ACCEPTED("partnership.accepted"),
  PARTNERSHIP_DECLINED("partnership.declined"),
  PARTNERSHIP_WITHDRAWN("partnership.withdrawn"),
  PARTNERSHIP_EXPIRING("partnership.expiring"),
  PARTNERSHIP_EXPIRED("partnership.expired"),
  PARTNERSHIP_ENDED("partnership.ended"),
  EVENT_INVITE("event.invite"),
  EVENT_CHANGED("event.changed"),
  EVENT_CANCELLED("event.cancelled"),
  EVENT_REMINDER("event.reminder");

  private final String wire;

  NotificationKind(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static NotificationKind fromWire(String wire) {
    for (NotificationKind k : values()) {
      if (k.wire.equals(wire)) {
        return k;
      }
    }
    throw RelaisException.badRequest("Unknown notification kind '" + wire + "'");
  }

  public static String[] wireNames() {
    NotificationKind[] all = values();
    String[] names = new String[all.length];
    for (int i = 0; i < all.length; i++) {
      names[i] = all[i].wire;
    }
    return names;
  }
}
