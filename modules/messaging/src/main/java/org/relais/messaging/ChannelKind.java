package org.relais.messaging;

import org.relais.core.RelaisException;

/** What a channel is for, which decides who its members are. */
public enum ChannelKind {
  /** Everyone in the network; members are not listed. */
  NETWORK("network", true),
  REGIONAL("regional", false),
  THEMATIC("thematic", false),
  /** One organisation's people; members are not listed. */
  ORGANISATION("organisation", true),
  /** Opened by an accepted partnership request. */
  PARTNERSHIP("partnership", false),
  /** A direct conversation of 2 to 8 people. */
  DIRECT("direct", false);

  private final String wire;
  private final boolean implicit;

  ChannelKind(String wire, boolean implicit) {
    this.wire = wire;
    this.implicit = implicit;
  }

  public String wire() {
    return wire;
  }

  /** Membership follows from who the user is, not from a list. */
  public boolean implicit() {
    return implicit;
  }

  public static ChannelKind fromWire(String wire) {
    for (ChannelKind k : values()) {
      if (k.wire.equals(wire)) {
        return k;
      }
    }
    throw RelaisException.badRequest("Unknown channel kind '" + wire + "'");
  }
}
