package org.relais.partnerships;

import io.vertx.core.json.JsonObject;
import org.relais.core.RelaisException;
import org.relais.core.Schema;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The joint action a request proposes, in one of two shapes:
 *
 * <pre>
 * {"kind": "dates", "startDate": "2026-03-01", "endDate": "2026-04-30"}                 (inclusive dates)
 * {"kind": "event", "title": "Joint workshop", "start": "2026-03-02T09:00", "end": "2026-03-02T12:00",
 *  "zone": "Africa/Bamako"}                                                              (local times in a zone)
 * {"kind": "none"}                                                                      (none: in a counter-proposal,
 *                                                                                        removes the joint action)
 * </pre>
 */
final class JointAction {
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern LOCAL_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?");
  private static final Set<String> ZONES = ZoneId.getAvailableZoneIds();
  private static final int MIN_YEAR = 2000;
  private static final int MAX_YEAR = 2100;
  private static final Duration LONGEST_EVENT = Duration.ofDays(366);
  private static final Schema.ObjectSchema SHAPE = Schema.object()
      .required("kind", Schema.oneOf("dates", "event", "none"))
      .optional("startDate", Schema.string().pattern(DATE, "a date such as 2026-03-01"))
      .optional("endDate", Schema.string().pattern(DATE, "a date such as 2026-04-30"))
      .optional("title", Schema.name(200))
      .optional("start", Schema.string().pattern(LOCAL_TIME, "a local date-time such as 2026-03-02T09:00"))
      .optional("end", Schema.string().pattern(LOCAL_TIME, "a local date-time such as 2026-03-02T12:00"))
      .optional("zone", Schema.string().maxLength(64));

  /** The schema: a joint action normalised to one of the shapes above. */
  static final Schema SCHEMA = JointAction::check;

  private JointAction() {
  }

  /** True for the "no joint action" value. */
  static boolean isNone(JsonObject jointAction) {
    return jointAction == null || "none".equals(jointAction.getString("kind"));
  }

  private static Object check(String path, Object value) {
    JsonObject in = (JsonObject) SHAPE.check(path, value);
    return switch (in.getString("kind")) {
      case "dates" -> dates(path, in);
      case "event" -> event(path, in);
      default -> only(path, in, Set.of("kind"), new JsonObject().put("kind", "none"));
    };
  }

  private static JsonObject dates(String path, JsonObject in) {
    only(path, in, Set.of("kind", "startDate", "endDate"), null);
    LocalDate start = date(path + ".startDate", required(path, in, "startDate"));
    LocalDate end = date(path + ".endDate", required(path, in, "endDate"));
    if (end.isBefore(start)) {
      throw RelaisException.badRequest(path + ".endDate: before startDate");
    }
    return new JsonObject().put("kind", "dates").put("startDate", start.toString()).put("endDate", end.toString());
  }

  private static JsonObject event(String path, JsonObject in) {
    only(path, in, Set.of("kind", "title", "start", "end", "zone"), null);
    String title = required(path, in, "title");
    LocalDateTime start = localTime(path + ".start", required(path, in, "start"));
    LocalDateTime end = localTime(path + ".end", required(path, in, "end"));
    String zoneName = required(path, in, "zone");
    if (!ZONES.contains(zoneName)) {
      throw RelaisException.badRequest(path + ".zone: expected an IANA time zone such as Africa/Bamako");
    }
    ZoneId zone = ZoneId.of(zoneName);
    Duration length = Duration.between(start.atZone(zone), end.atZone(zone));
    if (length.isNegative() || length.isZero()) {
      throw RelaisException.badRequest(path + ".end: not after start");
    }
    if (length.compareTo(LONGEST_EVENT) > 0) {
      throw RelaisException.badRequest(path + ".end: more than a year after start");
    }
    return new JsonObject().put("kind", "event").put("title", title).put("start", start.toString())
        .put("end", end.toString()).put("zone", zoneName);
  }

  private static JsonObject only(String path, JsonObject in, Set<String> allowed, JsonObject result) {
    for (String field : in.fieldNames()) {
      if (!allowed.contains(field)) {
        throw RelaisException.badRequest(path + "." + field + ": not part of a joint action of kind "
            + in.getString("kind"));
      }
    }
    return result;
  }

  private static String required(String path, JsonObject in, String field) {
    String value = in.getString(field);
    if (value == null) {
      throw RelaisException.badRequest(path + "." + field + ": required for a joint action of kind "
          + in.getString("kind"));
    }
    return value;
  }

  private static LocalDate date(String path, String text) {
    try {
      return inRange(path, LocalDate.parse(text));
    } catch (DateTimeException e) {
      throw Schema.fail(path, "a real date such as 2026-03-01");
    }
  }

  private static LocalDateTime localTime(String path, String text) {
    try {
      LocalDateTime t = LocalDateTime.parse(text);
      inRange(path, t.toLocalDate());
      return t;
    } catch (DateTimeException e) {
      throw Schema.fail(path, "a real local date-time such as 2026-03-02T09:00");
    }
  }

  private static LocalDate inRange(String path, LocalDate date) {
    if (date.getYear() < MIN_YEAR || date.getYear() > MAX_YEAR) {
      throw Schema.fail(path, "a date from " + MIN_YEAR + " to " + MAX_YEAR);
    }
    return date;
  }
}
