package org.relais.identity;

/** What kind of member organisation this is. */
public enum OrgKind {
  GOVERNMENT("government"),
  UN_AGENCY("un-agency"),
  REGIONAL_ORGANISATION("regional-organisation"),
  CIVIL_SOCIETY("civil-society"),
  OTHER("other");

  private final String wire;

  OrgKind(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static OrgKind fromWire(String wire) {
    for (OrgKind k : values()) {
      if (k.wire.equals(wire)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown organisation kind " + wire);
  }

  public static String[] wireNames() {
    OrgKind[] values = values();
    String[] names = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      names[i] = values[i].wire;
    }
    return names;
  }
}
