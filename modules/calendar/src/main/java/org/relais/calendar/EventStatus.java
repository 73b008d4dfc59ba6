package org.relais.calendar;

import org.relais.core.RelaisException;

/** The status of an event or of one occurrence (RFC 5545 STATUS for VEVENT). */
enum EventStatus {
  CONFIRMED("confirmed"),
  TENTATIVE("tentative"),
  CANCELLED("cancelled");

  private final String wire;

  EventStatus(String wire) {
    this.wire = wire;
  }

  String wire() {
    return wire;
  }

  static EventStatus fromWire(String wire) {
    for (EventStatus s : values()) {
      if (s.wire.equals(wire)) {
        return s;
      }
    }
    throw RelaisException.badRequest("data.status: expected one of confirmed, tentative");
  }
}
