package org.relais.identity;

/** Where a user account stands. */
public enum UserStatus {
  /** Invited; has not chosen a password yet. */
  INVITED("invited"),
  ACTIVE("active"),
  /** Disabled by an administrator: cannot log in, every session revoked. */
  DISABLED("disabled");

  private final String wire;

  UserStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static UserStatus fromWire(String wire) {
    for (UserStatus s : values()) {
      if (s.wire.equals(wire)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown user status " + wire);
  }
}
