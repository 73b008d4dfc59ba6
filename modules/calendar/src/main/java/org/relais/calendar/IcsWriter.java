package org.relais.calendar;

import net.fortuna.ical4j.data.CalendarOutputter;
import net.fortuna.ical4j.model.DateList;
import net.fortuna.ical4j.model.ParameterList;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.TimeZoneRegistry;
import net.fortuna.ical4j.model.TimeZoneRegistryFactory;
import net.fortuna.ical4j.model.component.VEvent;
import net.fortuna.ical4j.model.component.VTimeZone;
import net.fortuna.ical4j.model.parameter.TzId;
import net.fortuna.ical4j.model.parameter.Value;
import net.fortuna.ical4j.model.property.CalScale;
import net.fortuna.ical4j.model.property.Created;
import net.fortuna.ical4j.model.property.Description;
import net.fortuna.ical4j.model.property.DtEnd;
import net.fortuna.ical4j.model.property.DtStamp;
import net.fortuna.ical4j.model.property.DtStart;
import net.fortuna.ical4j.model.property.ExDate;
import net.fortuna.ical4j.model.property.LastModified;
import net.fortuna.ical4j.model.property.Location;
import net.fortuna.ical4j.model.property.ProdId;
import net.fortuna.ical4j.model.property.RRule;
import net.fortuna.ical4j.model.property.RecurrenceId;
import net.fortuna.ical4j.model.property.Sequence;
import net.fortuna.ical4j.model.property.Status;
import net.fortuna.ical4j.model.property.Summary;
import net.fortuna.ical4j.model.property.Uid;
import net.fortuna.ical4j.model.property.Url;
import net.fortuna.ical4j.model.property.XProperty;
import net.fortuna.ical4j.model.property.immutable.ImmutableStatus;
import net.fortuna.ical4j.model.property.immutable.ImmutableVersion;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes event series as an RFC 5545 calendar with ical4j's model and {@link CalendarOutputter}: one VEVENT per series
 * (RRULE, EXDATE) and one per changed occurrence (RECURRENCE-ID), a VTIMEZONE for each zone used, TEXT escaped by
 * ical4j. Text is cleaned first (line breaks become {@code \n}, other control characters go), so a title can never
 * start a new content line. Lines are then folded at 75 octets (ical4j folds at 75 characters, which multi-byte
 * UTF-8 exceeds). Blocking: run on a worker.
 */
final class IcsWriter {
  static final String PRODID = "-//Relais//Relais Calendar 1.0//EN";
  private static final int FOLD_OCTETS = 75;
  private static final TimeZoneRegistry REGISTRY = TimeZoneRegistryFactory.getInstance().createRegistry();
  private static final Map<String, Optional<VTimeZone>> ZONES = new ConcurrentHashMap<>();

  private IcsWriter() {
  }

  /** The calendar text of these series (cancelled ones are left out). */
  static String write(String name, List<Event> events) {
    net.fortuna.ical4j.model.Calendar cal = new net.fortuna.ical4j.model.Calendar();
    cal.add(new ProdId(PRODID));
    cal.add(ImmutableVersion.VERSION_2_0);
    cal.add(new CalScale(CalScale.VALUE_GREGORIAN));
    cal.add(new XProperty("X-WR-CALNAME", clean(name)));
    List<Event> live = events.stream().filter(e -> !e.cancelled())
        .sorted(Comparator.comparing(Event::id)).toList();
    TreeSet<String> zones = new TreeSet<>();
    for (Event e : live) {
      if (!e.allDay() && vtimezone(e.zone()).isPresent()) {
        zones.add(e.zone().getId());
      }
    }
    for (String zone : zones) {
      cal.add(vtimezone(ZoneId.of(zone)).orElseThrow().copy());
    }
    for (Event e : live) {
      cal.add(master(e));
      for (OccurrenceChange o : e.overrides().values()) {
        if (!e.exdates().contains(o.recurrenceId())) {
          cal.add(occurrence(e, o));
        }
      }
    }
    StringWriter out = new StringWriter();
    try {
      new CalendarOutputter(false).output(cal, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return fold(out.toString().replace("\r\n ", "").replace("\r\n\t", ""));
  }

  private static VEvent master(Event e) {
    VEvent v = new VEvent(false);
    v.add(new Uid(e.uid()));
    v.add(new DtStamp(Instant.parse(e.updatedAt())));
    v.add(new DtStart<>(temporal(e, e.start())));
    v.add(new DtEnd<>(temporal(e, e.end())));
    v.add(new Summary(clean(e.title())));
    if (!e.description().isEmpty()) {
      v.add(new Description(clean(e.description())));
    }
    if (!e.location().isEmpty()) {
      v.add(new Location(clean(e.location())));
    }
    if (!e.onlineUrl().isEmpty()) {
      v.add(new Url(URI.create(e.onlineUrl())));
    }
    v.add(status(e.status()));
    v.add(new Sequence((int) Math.max(0, e.seq() - 1)));
    v.add(new Created(Instant.parse(e.createdAt())));
    v.add(new LastModified(Instant.parse(e.updatedAt())));
    if (e.recurring()) {
      v.add(new RRule<>(e.rrule()));
      if (!e.exdates().isEmpty()) {
        v.add(exdates(e));
      }
    }
    return v;
  }

  private static VEvent occurrence(Event e, OccurrenceChange o) {
    VEvent v = new VEvent(false);
    v.add(new Uid(e.uid()));
    v.add(new DtStamp(Instant.parse(e.updatedAt())));
    v.add(new RecurrenceId<>(temporal(e, o.recurrenceId())));
    v.add(new DtStart<>(temporal(e, o.start())));
    v.add(new DtEnd<>(temporal(e, o.end())));
    v.add(new Summary(clean(o.title() != null ? o.title() : e.title())));
    String description = o.description() != null ? o.description() : e.description();
    if (!description.isEmpty()) {
      v.add(new Description(clean(description)));
    }
    String location = o.location() != null ? o.location() : e.location();
    if (!location.isEmpty()) {
      v.add(new Location(clean(location)));
    }
    String url = o.onlineUrl() != null ? o.onlineUrl() : e.onlineUrl();
    if (!url.isEmpty()) {
      v.add(new Url(URI.create(url)));
    }
    v.add(status(o.status() != null ? o.status() : e.status()));
    v.add(new Sequence((int) Math.max(0, e.seq() - 1)));
    return v;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Property exdates(Event e) {
    if (e.allDay()) {
      List<LocalDate> dates = new ArrayList<>();
      e.exdates().forEach(d -> dates.add(LocalDate.parse(d)));
      return new ExDate<>(new ParameterList(List.of(Value.DATE)), new DateList<>(dates));
    }
    if (vtimezone(e.zone()).isEmpty()) {
      List<Instant> instants = new ArrayList<>();
      e.exdates().forEach(d -> instants.add(ZonedDateTime.of(LocalDateTime.parse(d), e.zone()).toInstant()));
      return new ExDate(new DateList<>(instants));
    }
    List<ZonedDateTime> times = new ArrayList<>();
    e.exdates().forEach(d -> times.add(ZonedDateTime.of(LocalDateTime.parse(d), e.zone())));
    return new ExDate<>(new ParameterList(List.of(new TzId(e.zone().getId()))), new DateList<>(times));
  }

  /** A stored local time as iCalendar writes it: a date, a time with TZID, or UTC when ical4j lacks the zone. */
  private static Temporal temporal(Event e, String local) {
    if (e.allDay()) {
      return LocalDate.parse(local);
    }
    ZonedDateTime zoned = ZonedDateTime.of(LocalDateTime.parse(local), e.zone());
    return vtimezone(e.zone()).isPresent() ? zoned : zoned.toInstant();
  }

  private static Status status(EventStatus s) {
    return switch (s) {
      case CONFIRMED -> ImmutableStatus.VEVENT_CONFIRMED;
      case TENTATIVE -> ImmutableStatus.VEVENT_TENTATIVE;
      case CANCELLED -> ImmutableStatus.VEVENT_CANCELLED;
    };
  }

  /**
   * The VTIMEZONE of a zone from ical4j's bundled definitions, with its TZID set to the zone's own id (the bundle
   * files linked zones under their target, e.g. Europe/Oslo as Europe/Berlin), or empty when ical4j lacks it.
   */
  static Optional<VTimeZone> vtimezone(ZoneId zone) {
    return ZONES.computeIfAbsent(zone.getId(), id -> {
      synchronized (REGISTRY) {
        net.fortuna.ical4j.model.TimeZone tz = REGISTRY.getTimeZone(id);
        if (tz == null) {
          return Optional.empty();
        }
        VTimeZone copy = tz.getVTimeZone().copy();
        copy.removeAll(Property.TZURL, "X-LIC-LOCATION");
        copy.replace(new net.fortuna.ical4j.model.property.TzId(id));
        return Optional.of(copy);
      }
    });
  }

  /** Text safe for a TEXT value: CRLF and CR become LF (escaped as \n by ical4j); other control characters go. */
  static String clean(String text) {
    String s = text.replace("\r\n", "\n").replace('\r', '\n');
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\t' || !Character.isISOControl(c)) {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Folds every content line at 75 octets, never inside a UTF-8 sequence; lines end with CRLF. */
  static String fold(String unfolded) {
    StringBuilder out = new StringBuilder(unfolded.length() + unfolded.length() / 60 * 3);
    for (String line : unfolded.split("\r\n")) {
      int octets = 0;
      for (int i = 0; i < line.length(); ) {
        int cp = line.codePointAt(i);
        int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
        if (octets + n > FOLD_OCTETS) {
          out.append("\r\n ");
          octets = 1;
        }
        out.appendCodePoint(cp);
        octets += n;
        i += Character.charCount(cp);
      }
      out.append("\r\n");
    }
    return out.toString();
  }
}
