package org.relais.partnerships;

/**
 * The network-wide list of themes a partnership is about: the pillars of the Women, Peace and Security agenda
 * (UNSCR 1325 and its follow-up resolutions) and the topics the Focal Points Network works on. The wire ids are
 * stable: clients translate them, and stored requests keep them. New themes may be added; none is ever renamed.
 */
public enum Theme {
  PARTICIPATION_IN_PEACE_PROCESSES("participation-in-peace-processes"),
  MEDIATION("mediation"),
  EARLY_WARNING("early-warning"),
  PREVENTION_OF_VIOLENT_EXTREMISM("prevention-of-violent-extremism"),
  PROTECTION("protection"),
  CONFLICT_RELATED_SEXUAL_VIOLENCE("conflict-related-sexual-violence"),
  WOMEN_HUMAN_RIGHTS_DEFENDERS("women-human-rights-defenders"),
  SECURITY_SECTOR_REFORM("security-sector-reform"),
  DISARMAMENT_DEMOBILISATION_REINTEGRATION("disarmament-demobilisation-reintegration"),
  RELIEF_AND_RECOVERY("relief-and-recovery"),
  NATIONAL_ACTION_PLANS("national-action-plans"),
  CLIMATE_AND_SECURITY("climate-and-security"),
  DIGITAL_SAFETY("digital-safety"),
  CAPACITY_BUILDING("capacity-building"),
  FINANCING("financing");

  private final String wire;

  Theme(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static String[] wireNames() {
    Theme[] all = values();
    String[] names = new String[all.length];
    for (int i = 0; i < all.length; i++) {
      names[i] = all[i].wire;
    }
    return names;
  }
}
