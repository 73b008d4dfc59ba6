package org.relais.messaging;

/** A member's role in a channel with listed members. */
public enum MemberRole {
  OWNER("owner"),
  MODERATOR("moderator"),
  MEMBER("member");

  private final String wire;

  MemberRole(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static MemberRole fromWire(String wire) {
    for (MemberRole r : values()) {
      if (r.wire.equals(wire)) {
        return r;
      }
    }
    return MEMBER;
  }

  public boolean moderates() {
    return this == OWNER || this == MODERATOR;
  }
}
