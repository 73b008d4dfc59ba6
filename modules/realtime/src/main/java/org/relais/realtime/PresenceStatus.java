package org.relais.realtime;

/** A user's status as the wire names it. */
public enum PresenceStatus {
  ONLINE("online"),
  AWAY("away"),
  DND("dnd"),
  OFFLINE("offline");

  private final String wire;

  PresenceStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static PresenceStatus fromWire(String wire) {
    for (PresenceStatus s : values()) {
      if (s.wire.equals(wire)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown presence status " + wire);
  }
}
