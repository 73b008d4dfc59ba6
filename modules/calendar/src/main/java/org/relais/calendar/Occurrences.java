package org.relais.calendar;

import net.fortuna.ical4j.model.Recur;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Expands event series into occurrences. Timed rules run as ical4j {@code Recur<ZonedDateTime>} on the event's real
 * {@link ZoneId}, so each occurrence keeps its local time across DST changes and its instant follows the zone's rules;
 * all-day rules run on {@code Recur<LocalDate>}. Every expansion is bounded by a maximum number of occurrences.
 */
final class Occurrences {
  /** How far ahead {@link #firstStartingAfter} looks. */
  private static final Duration HORIZON = Duration.ofDays(3_700);

  private Occurrences() {
  }

  /** The occurrences found, and whether more were cut by the maximum. */
  record Expansion(List<Occurrence> occurrences, boolean truncated) {
  }

  /**
   * The occurrences overlapping [from, to), sorted by start, at most {@code max}; exdates removed, overrides applied
   * (an occurrence moved into the range is included, one moved out is not). All-day occurrences are matched by their
   * dates in {@code dayZone} (the viewer's), as floating days.
   */
  static Expansion between(Event e, Instant from, Instant to, ZoneId dayZone, int max) {
    List<Occurrence> found = new ArrayList<>();
    boolean truncated = false;
    Set<String> exdates = new HashSet<>(e.exdates());
    Map<String, OccurrenceChange> overrides = e.overrides();
    int limit = max + exdates.size() + overrides.size() + 1;
    if (e.allDay()) {
      LocalDate fromDate = from.atZone(dayZone).toLocalDate();
      ZonedDateTime toZoned = to.atZone(dayZone);
      LocalDate toDate = toZoned.toLocalTime().equals(LocalTime.MIDNIGHT)
          ? toZoned.toLocalDate() : toZoned.toLocalDate().plusDays(1);
      long days = e.days();
      List<LocalDate> dates = dates(e, fromDate.minusDays(days), toDate, limit);
      truncated = dates.size() >= limit;
      for (LocalDate d : dates) {
        String rid = e.recurring() ? d.toString() : null;
        if (rid != null && (exdates.contains(rid) || overrides.containsKey(rid))) {
          continue;
        }
        if (d.isBefore(toDate) && d.plusDays(days).isAfter(fromDate)) {
          found.add(new Occurrence(e, rid, null, d.atStartOfDay(e.zone()), d.plusDays(days).atStartOfDay(e.zone())));
        }
      }
      for (OccurrenceChange o : overrides.values()) {
        LocalDate s = LocalDate.parse(o.start());
        LocalDate en = LocalDate.parse(o.end());
        if (!exdates.contains(o.recurrenceId()) && s.isBefore(toDate) && en.isAfter(fromDate)) {
          found.add(new Occurrence(e, o.recurrenceId(), o, s.atStartOfDay(e.zone()), en.atStartOfDay(e.zone())));
        }
      }
    } else {
      Duration length = e.duration();
      List<ZonedDateTime> starts = starts(e, from.minus(length).minusSeconds(1), to, limit);
      truncated = starts.size() >= limit;
      for (ZonedDateTime s : starts) {
        String rid = e.recurring() ? Times.local(s.toLocalDateTime()) : null;
        if (rid != null && (exdates.contains(rid) || overrides.containsKey(rid))) {
          continue;
        }
        ZonedDateTime en = s.plus(length);
        if (overlaps(s.toInstant(), en.toInstant(), from, to)) {
          found.add(new Occurrence(e, rid, null, s, en));
        }
      }
      for (OccurrenceChange o : overrides.values()) {
        ZonedDateTime s = ZonedDateTime.of(LocalDateTime.parse(o.start()), e.zone());
        ZonedDateTime en = ZonedDateTime.of(LocalDateTime.parse(o.end()), e.zone());
        if (!exdates.contains(o.recurrenceId()) && overlaps(s.toInstant(), en.toInstant(), from, to)) {
          found.add(new Occurrence(e, o.recurrenceId(), o, s, en));
        }
      }
    }
    found.sort(Comparator.comparing(Occurrence::startInstant));
    if (found.size() > max) {
      return new Expansion(List.copyOf(found.subList(0, max)), true);
    }
    return new Expansion(List.copyOf(found), truncated);
  }

  /**
   * Whether {@code recurrenceId} is an original start the series generates (exdated or overridden ones included).
   * For an event that does not recur, whether it is the event's start.
   */
  static boolean generates(Event e, String recurrenceId) {
    if (!e.recurring()) {
      return recurrenceId.equals(e.start());
    }
    if (e.allDay()) {
      LocalDate d = LocalDate.parse(recurrenceId);
      return dates(e, d, d.plusDays(1), 3).contains(d);
    }
    ZonedDateTime z = ZonedDateTime.of(LocalDateTime.parse(recurrenceId), e.zone());
    return starts(e, z.toInstant().minusSeconds(1), z.toInstant().plusSeconds(1), 3).stream()
        .anyMatch(s -> s.toInstant().equals(z.toInstant()));
  }

  /**
   * The first start the rule generates from the series' start on (ignoring exdates and overrides), in the stored local
   * form; empty when it generates none within about ten years. For an event that does not recur, its start.
   */
  static Optional<String> firstGenerated(Event e) {
    if (!e.recurring()) {
      return Optional.of(e.start());
    }
    if (e.allDay()) {
      List<LocalDate> first = dates(e, e.startDate(), e.startDate().plusDays(HORIZON.toDays()), 1);
      return first.stream().findFirst().map(LocalDate::toString);
    }
    Instant seed = e.zonedStart().toInstant();
    return starts(e, seed, seed.plus(HORIZON), 1).stream().findFirst().map(s -> Times.local(s.toLocalDateTime()));
  }

  /** The occurrence with this original start, unless it is not generated or was cancelled (exdated). */
  static Optional<Occurrence> find(Event e, String recurrenceId) {
    if (!generates(e, recurrenceId) || e.exdates().contains(recurrenceId)) {
      return Optional.empty();
    }
    OccurrenceChange o = e.overrides().get(recurrenceId);
    String rid = e.recurring() ? recurrenceId : null;
    if (e.allDay()) {
      LocalDate s = LocalDate.parse(o != null ? o.start() : recurrenceId);
      LocalDate en = o != null ? LocalDate.parse(o.end()) : s.plusDays(e.days());
      return Optional.of(new Occurrence(e, rid, o, s.atStartOfDay(e.zone()), en.atStartOfDay(e.zone())));
    }
    ZonedDateTime s = ZonedDateTime.of(LocalDateTime.parse(o != null ? o.start() : recurrenceId), e.zone());
    ZonedDateTime en = o != null ? ZonedDateTime.of(LocalDateTime.parse(o.end()), e.zone()) : s.plus(e.duration());
    return Optional.of(new Occurrence(e, rid, o, s, en));
  }

  /** How many occurrences the rule generates before this original start (exdated ones count, as for COUNT). */
  static int generatedBefore(Event e, String recurrenceId) {
    if (e.allDay()) {
      LocalDate d = LocalDate.parse(recurrenceId);
      return dates(e, e.startDate(), d.minusDays(1), Integer.MAX_VALUE).size();
    }
    ZonedDateTime z = ZonedDateTime.of(LocalDateTime.parse(recurrenceId), e.zone());
    return (int) starts(e, e.zonedStart().toInstant(), z.toInstant(), Integer.MAX_VALUE).stream()
        .filter(s -> s.toInstant().isBefore(z.toInstant())).count();
  }

  /** The first live occurrence (not cancelled) starting strictly after {@code after}, within about ten years. */
  static Optional<Occurrence> firstStartingAfter(Event e, Instant after) {
    if (e.cancelled()) {
      return Optional.empty();
    }
    Instant until = after.plus(HORIZON);
    int limit = 50 + e.exdates().size() + e.overrides().size();
    Instant from = after.plusMillis(1);
    for (int round = 0; round < 10; round++) {
      Expansion window = between(e, from, until, e.zone(), limit);
      Optional<Occurrence> next = window.occurrences().stream()
          .filter(o -> o.startInstant().isAfter(after) && o.status() != EventStatus.CANCELLED)
          .findFirst();
      if (next.isPresent() || !window.truncated() || window.occurrences().isEmpty()) {
        return next;
      }
      from = window.occurrences().get(window.occurrences().size() - 1).startInstant().plusMillis(1);
    }
    return Optional.empty();
  }

  /** The last instant any occurrence ends, or empty when the series has no end. */
  static Optional<Instant> seriesEnd(Event e) {
    Instant end = e.zonedEnd().toInstant();
    if (e.recurring()) {
      if (!Recurrence.bounded(e.rrule())) {
        return Optional.empty();
      }
      int count = Recurrence.count(e.rrule());
      if (count == 0) {
        // UNTIL: the last occurrence starts by then; its end is a safe bound without expanding the whole series.
        Instant until = Recurrence.until(e.rrule(), e.zone());
        end = later(end, e.allDay() ? until.plus(Duration.ofDays(e.days())) : until.plus(e.duration()));
      } else if (e.allDay()) {
        List<LocalDate> all = dates(e, e.startDate(), e.startDate().plusYears(300), count + 1);
        if (!all.isEmpty()) {
          end = later(end, all.get(all.size() - 1).plusDays(e.days()).atStartOfDay(e.zone()).toInstant());
        }
      } else {
        List<ZonedDateTime> all = starts(e, e.zonedStart().toInstant(), e.zonedStart().plusYears(300).toInstant(),
            count + 1);
        if (!all.isEmpty()) {
          end = later(end, all.get(all.size() - 1).plus(e.duration()).toInstant());
        }
      }
    }
    for (OccurrenceChange o : e.overrides().values()) {
      end = later(end, e.allDay() ? LocalDate.parse(o.end()).atStartOfDay(e.zone()).toInstant()
          : ZonedDateTime.of(LocalDateTime.parse(o.end()), e.zone()).toInstant());
    }
    return Optional.of(end);
  }

  /** The first instant any occurrence starts. */
  static Instant seriesStart(Event e) {
    Instant start = e.zonedStart().toInstant();
    for (OccurrenceChange o : e.overrides().values()) {
      Instant s = e.allDay() ? LocalDate.parse(o.start()).atStartOfDay(e.zone()).toInstant()
          : ZonedDateTime.of(LocalDateTime.parse(o.start()), e.zone()).toInstant();
      if (s.isBefore(start)) {
        start = s;
      }
    }
    return start;
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static boolean overlaps(Instant s, Instant e, Instant from, Instant to) {
    if (s.equals(e)) {
      return !s.isBefore(from) && s.isBefore(to);
    }
    return s.isBefore(to) && e.isAfter(from);
  }

  /** Starts of a timed series generated in [from, to], at most {@code limit}. */
  private static List<ZonedDateTime> starts(Event e, Instant from, Instant to, int limit) {
    ZonedDateTime seed = e.zonedStart();
    if (!e.recurring()) {
      Instant s = seed.toInstant();
      return !s.isBefore(from) && !s.isAfter(to) ? List.of(seed) : List.of();
    }
    Recur<ZonedDateTime> recur = Recurrence.timed(e.rrule());
    return recur.getDates(seed, from.atZone(e.zone()), to.atZone(e.zone()), limit);
  }

  /** Dates of an all-day series generated in [from, to], at most {@code limit}. */
  private static List<LocalDate> dates(Event e, LocalDate from, LocalDate to, int limit) {
    LocalDate seed = e.startDate();
    if (!e.recurring()) {
      return !seed.isBefore(from) && !seed.isAfter(to) ? List.of(seed) : List.of();
    }
    Recur<LocalDate> recur = Recurrence.dated(e.rrule());
    return recur.getDates(seed, from, to, limit);
  }
}
