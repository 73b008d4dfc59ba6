package org.relais.calendar;

/** What a calendar belongs to, which decides who reads and writes it (see {@link Access}). */
enum CalendarKind {
  /** The whole network's: everyone reads; admins and coordinators write. One, made on first use. */
  NETWORK("network"),
  /** An organisation's: its people read; its org-admins and coordinators write. One per organisation. */
  ORGANISATION("organisation"),
  /** A channel's: the channel's members read and write. One per channel. */
  CHANNEL("channel"),
  /** A person's own. One per user, made on first use. */
  PERSONAL("personal"),
  /** Made by a person with {@code calendar.create} and shared by them. */
  SHARED("shared");

  private final String wire;

  CalendarKind(String wire) {
    this.wire = wire;
  }

  String wire() {
    return wire;
  }

  static CalendarKind fromWire(String wire) {
    for (CalendarKind k : values()) {
      if (k.wire.equals(wire)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown calendar kind " + wire);
  }
}
