package org.relais.partnerships;

/**
 * Where a partnership request stands.
 *
 * <pre>
 * pending ──accept (receiver)──────────────▶ accepted ──end (either side)──▶ ended
 *    │  ├──decline (receiver)──────────────▶ declined
 *    │  ├──withdraw (requester)────────────▶ withdrawn
 *    │  ├──deadline passed (sweeper)───────▶ expired
 *    │  └──counter (receiver)──▶ countered ──accept (requester, countered terms)──▶ accepted
 *    │                                ├──decline (requester)──▶ declined
 *    │                                ├──withdraw (requester)─▶ withdrawn
 *    │                                └──deadline passed──────▶ expired
 * </pre>
 */
public enum PartnershipState {
  PENDING("pending"),
  COUNTERED("countered"),
  ACCEPTED("accepted"),
  DECLINED("declined"),
  WITHDRAWN("withdrawn"),
  EXPIRED("expired"),
  ENDED("ended");

  private final String wire;

  PartnershipState(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** Waiting for an answer: pending or countered. At most one such request per direction between two organisations. */
  public boolean isOpen() {
    return this == PENDING || this == COUNTERED;
  }

  public static PartnershipState fromWire(String wire) {
    for (PartnershipState s : values()) {
      if (s.wire.equals(wire)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown partnership state " + wire);
  }

  public static String[] wireNames() {
    PartnershipState[] all = values();
    String[] names = new String[all.length];
    for (int i = 0; i < all.length; i++) {
      names[i] = all[i].wire;
    }
    return names;
  }
}
