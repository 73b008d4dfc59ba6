package org.relais.calendar;

import org.relais.core.RelaisException;

/** An invited person's answer (RFC 5545 PARTSTAT). {@link #NEEDS_ACTION} is "not answered", or "asked again". */
enum RsvpStatus {
  ACCEPTED("accepted"),
  DECLINED("declined"),
  TENTATIVE("tentative"),
  NEEDS_ACTION("needs-action");

  private final String wire;

  RsvpStatus(String wire) {
    this.wire = wire;
  }

  String wire() {
    return wire;
  }

  static RsvpStatus fromWire(String wire) {
    for (RsvpStatus s : values()) {
      if (s.wire.equals(wire)) {
        return s;
      }
    }
    throw RelaisException.badRequest("data.status: expected one of accepted, declined, tentative");
  }
}
