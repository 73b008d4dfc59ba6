package org.relais.calendar;

import net.fortuna.ical4j.model.Recur;
import org.relais.core.RelaisException;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recurrence rules: the subset of RFC 5545 RRULE Relais accepts, checked and written in one canonical form, and
 * ical4j's {@link Recur} built from it. Supported parts: FREQ (DAILY, WEEKLY, MONTHLY, YEARLY), INTERVAL, COUNT or
 * UNTIL, BYDAY, BYMONTHDAY, BYMONTH, WKST. UNTIL is stored in UTC ({@code 20260401T000000Z}) for timed events, as a
 * date for all-day events (RFC 5545 §3.3.10).
 */
final class Recurrence {
  private static final List<String> ORDER = List.of("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYMONTHDAY",
      "BYDAY", "WKST");
  private static final List<String> FREQS = List.of("DAILY", "WEEKLY", "MONTHLY", "YEARLY");
  private static final Pattern DAY = Pattern.compile("([+-]?)(\\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)");
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,4}");
  private static final DateTimeFormatter BASIC_DATE = DateTimeFormatter.ofPattern("uuuuMMdd");
  private static final DateTimeFormatter BASIC_LOCAL = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss");
  private static final DateTimeFormatter BASIC_UTC = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);
  private static final String PATH = "data.rrule";

  private Recurrence() {
  }

  /**
   * Checks a rule and returns its canonical form.
   *
   * @throws RelaisException {@code bad_request} naming what is wrong: an unsupported part, a malformed value, COUNT
   *                         above {@code maxCount}, COUNT with UNTIL
   */
  static String normalise(String rule, boolean allDay, ZoneId zone, int maxCount) {
    String text = rule.strip();
    if (text.regionMatches(true, 0, "RRULE:", 0, 6)) {
      text = text.substring(6);
    }
    text = text.toUpperCase(Locale.ROOT);
    if (text.isEmpty()) {
      throw RelaisException.badRequest(PATH + ": empty rule");
    }
    Map<String, String> parts = new LinkedHashMap<>();
    for (String part : text.split(";")) {
      int eq = part.indexOf('=');
      if (eq <= 0 || eq == part.length() - 1) {
        throw RelaisException.badRequest(PATH + ": malformed part '" + shorten(part) + "'; expected NAME=VALUE");
      }
      String name = part.substring(0, eq);
      if (!ORDER.contains(name)) {
        throw RelaisException.badRequest(PATH + ": " + shorten(name) + " is not supported (supported: FREQ, INTERVAL, "
            + "COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, WKST)");
      }
      if (parts.put(name, part.substring(eq + 1)) != null) {
        throw RelaisException.badRequest(PATH + ": " + name + " given twice");
      }
    }
    String freq = parts.get("FREQ");
    if (freq == null || !FREQS.contains(freq)) {
      throw RelaisException.badRequest(PATH + ": FREQ must be one of DAILY, WEEKLY, MONTHLY, YEARLY");
    }
    if (parts.containsKey("COUNT") && parts.containsKey("UNTIL")) {
      throw RelaisException.badRequest(PATH + ": give COUNT or UNTIL, not both");
    }
    if (parts.containsKey("INTERVAL")) {
      int interval = number("INTERVAL", parts.get("INTERVAL"), 1, 999);
      if (interval == 1) {
        parts.remove("INTERVAL");
      } else {
        parts.put("INTERVAL", String.valueOf(interval));
      }
    }
    if (parts.containsKey("COUNT")) {
      String count = parts.get("COUNT");
      if (!count.matches("\\+?\\d{1,18}")) {
        throw RelaisException.badRequest(PATH + ": COUNT must be a whole number");
      }
      long n = Long.parseLong(count.replace("+", ""));
      if (n < 1) {
        throw RelaisException.badRequest(PATH + ": COUNT must be at least 1");
      }
      if (n > maxCount) {
        throw RelaisException.badRequest(PATH + ": COUNT may be at most " + maxCount);
      }
      parts.put("COUNT", String.valueOf(n));
    }
    if (parts.containsKey("UNTIL")) {
      parts.put("UNTIL", until(parts.get("UNTIL"), allDay, zone));
    }
    if (parts.containsKey("BYMONTH")) {
      parts.put("BYMONTH", list("BYMONTH", parts.get("BYMONTH"), 1, 12, false));
    }
    if (parts.containsKey("BYMONTHDAY")) {
      if (freq.equals("WEEKLY")) {
        throw RelaisException.badRequest(PATH + ": BYMONTHDAY cannot be used with FREQ=WEEKLY");
      }
      parts.put("BYMONTHDAY", list("BYMONTHDAY", parts.get("BYMONTHDAY"), 1, 31, true));
    }
    if (parts.containsKey("BYDAY")) {
      boolean ordinals = freq.equals("MONTHLY") || freq.equals("YEARLY");
      StringBuilder days = new StringBuilder();
      for (String d : parts.get("BYDAY").split(",", -1)) {
        Matcher m = DAY.matcher(d);
        if (!m.matches() || (!m.group(1).isEmpty() && m.group(2) == null)) {
          throw RelaisException.badRequest(PATH + ": BYDAY value '" + shorten(d) + "' is not a weekday such as MO or 2TU");
        }
        if (m.group(2) != null) {
          int n = Integer.parseInt(m.group(2));
          if (!ordinals) {
            throw RelaisException.badRequest(PATH + ": numbered BYDAY values need FREQ=MONTHLY or YEARLY");
          }
          if (n < 1 || n > (freq.equals("MONTHLY") ? 5 : 53)) {
            throw RelaisException.badRequest(PATH + ": BYDAY value '" + d + "' is out of range");
          }
        }
        days.append(days.length() > 0 ? "," : "").append(d);
      }
      parts.put("BYDAY", days.toString());
    }
    if (parts.containsKey("WKST") && !parts.get("WKST").matches("MO|TU|WE|TH|FR|SA|SU")) {
      throw RelaisException.badRequest(PATH + ": WKST must be a weekday such as MO");
    }
    StringBuilder out = new StringBuilder();
    for (String name : ORDER) {
      if (parts.containsKey(name)) {
        out.append(out.length() > 0 ? ";" : "").append(name).append('=').append(parts.get(name));
      }
    }
    String normalised = out.toString();
    try {
      new Recur<ZonedDateTime>(normalised);
    } catch (RuntimeException e) {
      throw RelaisException.badRequest(PATH + ": not a valid recurrence rule");
    }
    return normalised;
  }

  static Recur<ZonedDateTime> timed(String rule) {
    return new Recur<>(rule);
  }

  static Recur<LocalDate> dated(String rule) {
    return new Recur<>(rule);
  }

  /** The rule's COUNT, or 0. */
  static int count(String rule) {
    String c = part(rule, "COUNT");
    return c == null ? 0 : Integer.parseInt(c);
  }

  /** The instant a rule's UNTIL stands for: a UTC date-time, or the end of a date in the event's zone. */
  static Instant until(String rule, ZoneId zone) {
    String value = part(rule, "UNTIL");
    if (value.endsWith("Z")) {
      return LocalDateTime.parse(value.substring(0, 15), BASIC_LOCAL).toInstant(ZoneOffset.UTC);
    }
    return LocalDate.parse(value.substring(0, 8), BASIC_DATE).plusDays(1).atStartOfDay(zone).toInstant();
  }

  static boolean bounded(String rule) {
    return part(rule, "COUNT") != null || part(rule, "UNTIL") != null;
  }

  /** The same rule bounded by UNTIL instead of its COUNT or UNTIL (timed: a UTC date-time; all-day: a date). */
  static String endingAt(String rule, String untilValue) {
    return replaceBound(rule, "UNTIL=" + untilValue);
  }

  static String withCount(String rule, int count) {
    return replaceBound(rule, "COUNT=" + count);
  }

  static String untilUtc(Instant instant) {
    return BASIC_UTC.format(instant);
  }

  static String untilDate(LocalDate date) {
    return BASIC_DATE.format(date);
  }

  private static String replaceBound(String rule, String bound) {
    StringBuilder out = new StringBuilder();
    boolean placed = false;
    for (String part : rule.split(";")) {
      if (part.startsWith("COUNT=") || part.startsWith("UNTIL=")) {
        continue;
      }
      if (!placed && !part.startsWith("FREQ=") && !part.startsWith("INTERVAL=")) {
        out.append(';').append(bound);
        placed = true;
      }
      out.append(out.length() > 0 ? ";" : "").append(part);
    }
    if (!placed) {
      out.append(';').append(bound);
    }
    return out.toString();
  }

  private static String part(String rule, String name) {
    for (String part : rule.split(";")) {
      if (part.startsWith(name + "=")) {
        return part.substring(name.length() + 1);
      }
    }
    return null;
  }

  private static String until(String value, boolean allDay, ZoneId zone) {
    try {
      if (value.matches("\\d{8}")) {
        LocalDate date = LocalDate.parse(value, BASIC_DATE);
        checkYear(date.getYear());
        return allDay ? BASIC_DATE.format(date)
            : BASIC_UTC.format(date.atTime(23, 59, 59).atZone(zone).toInstant());
      }
      if (value.matches("\\d{8}T\\d{6}Z")) {
        ZonedDateTime utc = LocalDateTime.parse(value.substring(0, 15), BASIC_LOCAL).atZone(ZoneOffset.UTC);
        checkYear(utc.getYear());
        return allDay ? BASIC_DATE.format(utc.withZoneSameInstant(zone).toLocalDate()) : BASIC_UTC.format(utc);
      }
      if (value.matches("\\d{8}T\\d{6}")) {
        LocalDateTime local = LocalDateTime.parse(value, BASIC_LOCAL);
        checkYear(local.getYear());
        return allDay ? BASIC_DATE.format(local.toLocalDate()) : BASIC_UTC.format(local.atZone(zone).toInstant());
      }
    } catch (DateTimeParseException e) {
      // falls through to the error below
    }
    throw RelaisException.badRequest(PATH + ": UNTIL must be a date (20260401) or a date-time (20260401T000000Z)");
  }

  private static void checkYear(int year) {
    if (year < 1900 || year > 2200) {
      throw RelaisException.badRequest(PATH + ": UNTIL must be from 1900 to 2200");
    }
  }

  private static int number(String name, String value, int min, int max) {
    if (!INTEGER.matcher(value).matches()) {
      throw RelaisException.badRequest(PATH + ": " + name + " must be a whole number");
    }
    int n = Integer.parseInt(value.replace("+", ""));
    if (n < min || n > max) {
      throw RelaisException.badRequest(PATH + ": " + name + " must be from " + min + " to " + max);
    }
    return n;
  }

  private static String list(String name, String value, int min, int max, boolean negatives) {
    StringBuilder out = new StringBuilder();
    for (String v : value.split(",", -1)) {
      if (!INTEGER.matcher(v).matches()) {
        throw RelaisException.badRequest(PATH + ": " + name + " values must be whole numbers");
      }
      int n = Integer.parseInt(v.replace("+", ""));
      if (Math.abs(n) < min || Math.abs(n) > max || (n < 0 && !negatives)) {
        throw RelaisException.badRequest(PATH + ": " + name + " value " + n + " is out of range");
      }
      out.append(out.length() > 0 ? "," : "").append(n);
    }
    return out.toString();
  }

  private static String shorten(String s) {
    return s.length() > 30 ? s.substring(0, 30) + "…" : s;
  }
}
