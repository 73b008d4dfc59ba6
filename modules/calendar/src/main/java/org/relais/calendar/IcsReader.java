package org.relais.calendar;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.fortuna.ical4j.data.CalendarBuilder;
import net.fortuna.ical4j.data.ParserException;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.TimeZoneRegistry;
import net.fortuna.ical4j.model.TimeZoneRegistryFactory;
import org.relais.core.RelaisException;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads one VEVENT of an iCalendar text into {@code event.create} data. ical4j parses the structure (unfolding,
 * unescaping, components); dates are read from their raw values, and each TZID is mapped to an IANA zone: an IANA id
 * as it is, a Windows or legacy name through ical4j's aliases, a prefixed id ({@code /mozilla.org/…/Europe/Oslo})
 * by its tail. Floating times are taken in the importer's zone. Blocking: run on a worker.
 */
final class IcsReader {
  private static final DateTimeFormatter BASIC_DATE = DateTimeFormatter.ofPattern("uuuuMMdd");
  private static final DateTimeFormatter BASIC_LOCAL = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss");
  private static final TimeZoneRegistry REGISTRY = TimeZoneRegistryFactory.getInstance().createRegistry();
  private static final int MAX_EXDATES = 500;

  private IcsReader() {
  }

  /** A date or a local date-time with the zone it is in. */
  private record When(LocalDate date, LocalDateTime local, ZoneId zone) {
  }

  /**
   * The first VEVENT that is not a changed occurrence (or else the first VEVENT), as {@code event.create} data with
   * an extra {@code uid}. Fails with {@code bad_request} when the text is not iCalendar, has no VEVENT, or uses what
   * Relais does not support (an unknown time zone, an unsupported recurrence rule).
   */
  static JsonObject read(String ics, ZoneId importerZone) {
    net.fortuna.ical4j.model.Calendar cal;
    try {
      cal = new CalendarBuilder().build(new StringReader(ics));
    } catch (ParserException e) {
      throw RelaisException.badRequest("data.ics: not a valid iCalendar text (line " + e.getLineNo() + ")");
    } catch (IOException | RuntimeException e) {
      throw RelaisException.badRequest("data.ics: not a valid iCalendar text");
    }
    List<Component> events = new ArrayList<>(cal.getComponents(Component.VEVENT));
    if (events.isEmpty()) {
      throw RelaisException.badRequest("data.ics: no VEVENT found");
    }
    Component v = events.stream().filter(e -> e.getProperty(Property.RECURRENCE_ID).isEmpty()).findFirst()
        .orElse(events.get(0));
    Property dtstart = v.getProperty(Property.DTSTART).orElseThrow(
        () -> RelaisException.badRequest("data.ics: the VEVENT has no DTSTART"));
    boolean recurring = !v.getProperties(Property.RRULE).isEmpty();
    // A one-off event given in UTC is shown in the importer's zone; a recurring one keeps UTC, its rule's frame.
    ZoneId startTarget = dtstart.getValue().strip().endsWith("Z") && !recurring ? importerZone : null;
    When start = when(dtstart, importerZone, startTarget);
    boolean allDay = start.date() != null;
    ZoneId zone = start.zone();
    JsonObject data = new JsonObject().put("allDay", allDay).put("zone", zone.getId());
    Optional<Property> dtend = v.getProperty(Property.DTEND);
    Optional<Property> duration = v.getProperty(Property.DURATION);
    if (allDay) {
      LocalDate end = start.date().plusDays(1);
      if (dtend.isPresent()) {
        When w = when(dtend.get(), zone, zone);
        end = w.date() != null ? w.date() : w.local().toLocalDate();
      } else if (duration.isPresent()) {
        end = start.date().plus(period(duration.get().getValue()));
      }
      data.put("start", start.date().toString()).put("end", end.toString());
    } else {
      LocalDateTime end = start.local();
      if (dtend.isPresent()) {
        When w = when(dtend.get(), zone, zone);
        end = w.local() != null ? w.local() : w.date().atStartOfDay();
      } else if (duration.isPresent()) {
        end = start.local().atZone(zone).plus(duration(duration.get().getValue())).withZoneSameInstant(zone)
            .toLocalDateTime();
      }
      data.put("start", Times.local(start.local())).put("end", Times.local(end));
    }
    data.put("title", singleLine(text(v, Property.SUMMARY).orElse(""), 200));
    if (data.getString("title").isBlank()) {
      data.put("title", "(untitled)");
    }
    text(v, Property.DESCRIPTION).ifPresent(d -> data.put("description", multiLine(d, 8_000)));
    text(v, Property.LOCATION).ifPresent(l -> data.put("location", singleLine(l, 500)));
    text(v, Property.URL).map(String::strip).filter(IcsReader::isHttps).ifPresent(u -> data.put("onlineUrl", u));
    text(v, Property.STATUS).ifPresent(s -> {
      if (s.equalsIgnoreCase("TENTATIVE")) {
        data.put("status", "tentative");
      } else if (s.equalsIgnoreCase("CANCELLED")) {
        throw RelaisException.badRequest("data.ics: the event is cancelled");
      }
    });
    text(v, Property.UID).ifPresent(u -> data.put("uid", singleLine(u, 255)));
    List<Property> rules = v.getProperties(Property.RRULE);
    if (rules.size() > 1) {
      throw RelaisException.badRequest("data.ics: more than one RRULE is not supported");
    }
    if (!rules.isEmpty()) {
      data.put("rrule", rules.get(0).getValue());
      JsonArray exdates = new JsonArray();
      for (Property ex : v.getProperties(Property.EXDATE)) {
        for (String value : ex.getValue().split(",")) {
          When w = whenValue(value.strip(), ex, zone, zone);
          if (exdates.size() < MAX_EXDATES) {
            exdates.add(allDay ? (w.date() != null ? w.date() : w.local().toLocalDate()).toString()
                : Times.local(w.local() != null ? w.local() : w.date().atStartOfDay()));
          }
        }
      }
      if (!exdates.isEmpty()) {
        data.put("exdates", exdates);
      }
    }
    return data;
  }

  private static When when(Property p, ZoneId fallbackZone, ZoneId target) {
    return whenValue(p.getValue().strip(), p, fallbackZone, target);
  }

  /**
   * A date or date-time value. UTC values are converted into {@code target} (or, without one, kept in UTC); values with
   * a TZID are in that zone, converted into {@code target} when it differs; floating ones are in the fallback zone.
   */
  private static When whenValue(String value, Property p, ZoneId fallbackZone, ZoneId target) {
    String type = p.getParameter(Parameter.VALUE).map(x -> ((Parameter) x).getValue()).orElse("");
    try {
      if (value.matches("\\d{8}") || type.equalsIgnoreCase("DATE")) {
        return new When(LocalDate.parse(value.substring(0, 8), BASIC_DATE), null, target != null ? target : fallbackZone);
      }
      if (value.matches("\\d{8}T\\d{6}Z")) {
        Instant instant = LocalDateTime.parse(value.substring(0, 15), BASIC_LOCAL).toInstant(ZoneOffset.UTC);
        ZoneId zone = target != null ? target : ZoneId.of("UTC");
        return new When(null, LocalDateTime.ofInstant(instant, zone), zone);
      }
      if (value.matches("\\d{8}T\\d{6}")) {
        LocalDateTime local = LocalDateTime.parse(value, BASIC_LOCAL);
        Optional<String> tzid = p.getParameter(Parameter.TZID).map(x -> ((Parameter) x).getValue());
        ZoneId zone = tzid.isPresent() ? zone(tzid.get()) : fallbackZone;
        if (target != null && !target.equals(zone)) {
          return new When(null, local.atZone(zone).withZoneSameInstant(target).toLocalDateTime(), target);
        }
        return new When(null, local, zone);
      }
    } catch (DateTimeParseException e) {
      // falls through
    }
    throw RelaisException.badRequest("data.ics: " + p.getName() + " is not a date or date-time");
  }

  /** An IANA zone for a TZID, or {@code bad_request}. */
  static ZoneId zone(String tzid) {
    String id = tzid.strip();
    if (id.length() > 1 && id.startsWith("\"") && id.endsWith("\"")) {
      id = id.substring(1, id.length() - 1);
    }
    if (Times.isZone(id)) {
      return ZoneId.of(id);
    }
    String[] segments = id.split("/");
    for (int n = Math.min(3, segments.length); n >= 2; n--) {
      String tail = String.join("/", Arrays.copyOfRange(segments, segments.length - n, segments.length));
      if (Times.isZone(tail)) {
        return ZoneId.of(tail);
      }
    }
    synchronized (REGISTRY) {
      try {
        net.fortuna.ical4j.model.TimeZone tz = REGISTRY.getTimeZone(id);
        if (tz != null && Times.isZone(tz.getID())) {
          return ZoneId.of(tz.getID());
        }
      } catch (RuntimeException e) {
        // an unknown name: refused below
      }
    }
    throw RelaisException.badRequest("data.ics: unknown time zone '" + (id.length() > 40 ? id.substring(0, 40) : id) + "'");
  }

  private static Optional<String> text(Component v, String name) {
    return v.getProperty(name).map(p -> ((Property) p).getValue()).filter(s -> s != null && !s.isEmpty());
  }

  private static boolean isHttps(String url) {
    try {
      URI uri = new URI(url);
      return "https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null && url.length() <= 2_000;
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * One line: line breaks become spaces, control and invisible formatting characters and lone surrogates go; cut
   * to max characters.
   */
  private static String singleLine(String s, int max) {
    StringBuilder out = new StringBuilder();
    s.codePoints().forEach(cp -> {
      if (cp == '\r' || cp == '\n' || cp == '\t' || cp == 0x2028 || cp == 0x2029) {
        out.append(' ');
      } else if (!Character.isISOControl(cp) && Character.getType(cp) != Character.FORMAT
          && Character.getType(cp) != Character.SURROGATE) {
        out.appendCodePoint(cp);
      }
    });
    return cut(out.toString().strip().replaceAll(" {2,}", " "), max);
  }

  private static String multiLine(String s, int max) {
    StringBuilder out = new StringBuilder();
    s.replace("\r\n", "\n").replace('\r', '\n').codePoints().forEach(cp -> {
      // A lone surrogate has no UTF-8 form: it would be stored as '?'.
      if (Character.getType(cp) == Character.SURROGATE) {
        return;
      }
      if (cp == '\n' || cp == '\t' || !Character.isISOControl(cp)) {
        out.appendCodePoint(cp);
      }
    });
    return cut(out.toString(), max);
  }

  private static String cut(String s, int max) {
    return s.codePointCount(0, s.length()) <= max ? s : s.substring(0, s.offsetByCodePoints(0, max));
  }

  private static Period period(String iso) {
    try {
      return Period.parse(iso.contains("T") ? iso.substring(0, iso.indexOf('T')) : iso);
    } catch (DateTimeParseException e) {
      throw RelaisException.badRequest("data.ics: DURATION is not a duration");
    }
  }

  private static Duration duration(String iso) {
    try {
      if (iso.contains("W")) {
        return Duration.ofDays(7L * Long.parseLong(iso.replaceAll("[^0-9]", "")));
      }
      String days = iso.contains("D") ? iso.substring(iso.indexOf('P') + 1, iso.indexOf('D')) : "0";
      String time = iso.contains("T") ? "PT" + iso.substring(iso.indexOf('T') + 1) : "PT0S";
      return Duration.ofDays(Long.parseLong(days)).plus(Duration.parse(time));
    } catch (RuntimeException e) {
      throw RelaisException.badRequest("data.ics: DURATION is not a duration");
    }
  }
}
