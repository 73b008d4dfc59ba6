package org.relais.calendar;

import java.util.Locale;

/**
 * What one person may do with one calendar. {@code manage} (rename, share) is separate from writing events.
 */
record Access(Level level, boolean manage) {
  static final Access NONE = new Access(Level.NONE, false);

  enum Level {
    NONE, READ, WRITE;

    static Level fromWire(String wire) {
      if (wire == null) {
        return NONE;
      }
      return switch (wire) {
        case "read" -> READ;
        case "write" -> WRITE;
        default -> NONE;
      };
    }

    String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    Level max(Level other) {
      return ordinal() >= other.ordinal() ? this : other;
    }
  }

  boolean canRead() {
    return level != Level.NONE;
  }

  boolean canWrite() {
    return level == Level.WRITE;
  }

  Access orShared(Level shared) {
    return new Access(level.max(shared), manage);
  }
}
