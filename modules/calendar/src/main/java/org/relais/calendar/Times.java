package org.relais.calendar;

import org.relais.core.RelaisException;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reading and writing the times of the wire. Calendar times are a local date-time plus an IANA zone; instants are
 * UTC with {@code Z}; a time "in a zone" is written with its offset ({@code 2026-03-02T09:00:00+01:00}). Every
 * conversion between local times and instants goes through {@link ZonedDateTime} on a real {@link ZoneId}, so DST
 * comes from the JDK's tz database, never from a fixed offset.
 */
final class Times {
  static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
  static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx");
  static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final Set<String> ZONES = ZoneId.getAvailableZoneIds();
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final int MIN_YEAR = 1900;
  private static final int MAX_YEAR = 2200;

  private Times() {
  }

  /** An IANA zone id known to the JDK ({@code Europe/Oslo}); fixed offsets and abbreviations are refused. */
  static ZoneId zone(String path, String id) {
    if (id == null || !ZONES.contains(id) || id.startsWith("SystemV/")) {
      throw RelaisException.badRequest(path + ": unknown time zone '" + shorten(id)
          + "'; expected an IANA zone such as Africa/Bamako");
    }
    return ZoneId.of(id);
  }

  static boolean isZone(String id) {
    return id != null && ZONES.contains(id) && !id.startsWith("SystemV/");
  }

  static boolean isDate(String text) {
    return text != null && DATE.matcher(text).matches();
  }

  /** A date {@code 2026-03-10}. */
  static LocalDate date(String path, String text) {
    try {
      return checkYear(path, LocalDate.parse(text));
    } catch (DateTimeParseException e) {
      throw RelaisException.badRequest(path + ": expected a date such as 2026-03-10");
    }
  }

  /**
   * A local date-time in {@code zone}: {@code 2026-03-02T09:00} or with seconds; a time with an offset or {@code Z}
   * is taken as that instant and converted into the zone.
   */
  static LocalDateTime localDateTime(String path, String text, ZoneId zone) {
    try {
      if (text.endsWith("Z") || text.matches(".*T.*[+-]\\d{2}:\\d{2}$")) {
        OffsetDateTime odt = OffsetDateTime.parse(text);
        checkYear(path, odt.toLocalDate());
        return odt.atZoneSameInstant(zone).toLocalDateTime().withNano(0);
      }
      LocalDateTime ldt = LocalDateTime.parse(text);
      checkYear(path, ldt.toLocalDate());
      return ldt.withNano(0);
    } catch (DateTimeParseException e) {
      throw RelaisException.badRequest(path + ": expected a local date-time such as 2026-03-02T09:00");
    }
  }

  /**
   * A bound of a range: an instant with {@code Z} or an offset, a local date-time in {@code zone}, or a date in
   * {@code zone} (its start, or with {@code endOfDay} the start of the next day).
   */
  static Instant bound(String path, String text, ZoneId zone, boolean endOfDay) {
    if (isDate(text)) {
      LocalDate d = date(path, text);
      return (endOfDay ? d.plusDays(1) : d).atStartOfDay(zone).toInstant();
    }
    return ZonedDateTime.of(localDateTime(path, text, zone), zone).toInstant();
  }

  static String local(LocalDateTime t) {
    return LOCAL.format(t);
  }

  static String offset(ZonedDateTime t) {
    return OFFSET.format(t);
  }

  static String utc(Instant t) {
    return UTC.format(t);
  }

  static LocalDateTime parseLocal(String stored) {
    return LocalDateTime.parse(stored);
  }

  private static <T extends TemporalAccessor> T checkYear(String path, T t) {
    int year;
    try {
      year = t.get(ChronoField.YEAR);
    } catch (DateTimeException e) {
      throw RelaisException.badRequest(path + ": not a date");
    }
    if (year < MIN_YEAR || year > MAX_YEAR) {
      throw RelaisException.badRequest(path + ": the year must be from " + MIN_YEAR + " to " + MAX_YEAR);
    }
    return t;
  }

  private static String shorten(String s) {
    if (s == null) {
      return "";
    }
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
