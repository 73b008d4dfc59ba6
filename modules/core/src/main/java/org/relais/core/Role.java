package org.relais.core;

import java.util.EnumSet;
import java.util.Set;

/**
 * Roles of a user. {@link #ORG_ADMIN} applies to the user's own organisation only;
 * {@link #ADMIN} to the whole network.
 */
public enum Role {
  MEMBER("member"),
  COORDINATOR("coordinator"),
  ORG_ADMIN("org-admin"),
  ADMIN("admin");

  private final String wire;

  Role(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Role fromWire(String wire) {
    for (Role r : values()) {
      if (r.wire.equals(wire)) {
        return r;
      }
    }
    throw RelaisException.badRequest("Unknown role '" + wire + "'");
  }

  public static String[] wireNames() {
    Role[] values = values();
    String[] names = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      names[i] = values[i].wire;
    }
    return names;
  }

  /** Parses a comma-separated list as stored; every user is at least a member. */
  public static Set<Role> parseList(String csv) {
    EnumSet<Role> roles = EnumSet.of(MEMBER);
    if (csv != null && !csv.isEmpty()) {
      for (String part : csv.split(",")) {
        roles.add(fromWire(part.trim()));
      }
    }
    return roles;
  }

  public static String toList(Set<Role> roles) {
    StringBuilder sb = new StringBuilder();
    for (Role r : roles) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(r.wire);
    }
    return sb.toString();
  }
}
