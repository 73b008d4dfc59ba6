package org.relais.partnerships;

/**
 * What a person does to a request, with the state it leads to and the notification it makes. Whose move it is in
 * which state is decided in partnership_transition.lua, atomically with the write.
 */
enum Action {
  ACCEPT("accept", PartnershipState.ACCEPTED, PartnershipNotifier.ACCEPTED),
  DECLINE("decline", PartnershipState.DECLINED, PartnershipNotifier.DECLINED),
  COUNTER("counter", PartnershipState.COUNTERED, PartnershipNotifier.COUNTER),
  WITHDRAW("withdraw", PartnershipState.WITHDRAWN, PartnershipNotifier.WITHDRAWN),
  END("end", PartnershipState.ENDED, PartnershipNotifier.ENDED);

  private final String wire;
  private final PartnershipState result;
  private final String notification;

  Action(String wire, PartnershipState result, String notification) {
    this.wire = wire;
    this.result = result;
    this.notification = notification;
  }

  String wire() {
    return wire;
  }

  PartnershipState result() {
    return result;
  }

  String notification() {
    return notification;
  }
}
