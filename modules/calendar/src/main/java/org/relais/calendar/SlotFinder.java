package org.relais.calendar;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.relais.identity.WorkingHours;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Finds meeting slots inside everyone's working hours (each in their own zone) and outside their busy times, and
 * ranks them fairly. Each person's burden for a slot is how far it sits from the middle of their working day
 * towards an edge: 0 centred, 1 touching the start or the end. A slot's score is the mean burden plus the largest
 * one, so a slot that is comfortable on average but pushes one person to the edge of their day ranks below a slot
 * that asks a little of everyone. Lower is better; among equal scores the earlier slot wins. Chosen slots do not
 * overlap.
 */
final class SlotFinder {

  record Busy(Instant start, Instant end) {
  }

  record Person(String userId, String displayName, ZoneId zone, WorkingHours hours, List<Busy> busy) {
  }

  private record Candidate(Instant start, Instant end, double score, List<Double> burdens) {
  }

  private SlotFinder() {
  }

  /**
   * @param from      the first instant a slot may start
   * @param to        the last instant a slot may end
   * @param now       slots starting before now are not proposed
   * @param zone      the zone the reply also shows each slot in
   * @return {@code {"slots": [...]}}, with {@code "reason"} and {@code "reasonCode"} when there is none
   */
  static JsonObject suggest(List<Person> people, Instant from, Instant to, Duration length, int stepMinutes,
                            int limit, Instant now, ZoneId zone) {
    List<Candidate> feasible = new ArrayList<>();
    long inWorkingHours = 0;
    long future = 0;
    for (Instant t = from; !t.plus(length).isAfter(to); t = t.plus(stepMinutes, ChronoUnit.MINUTES)) {
      if (t.isBefore(now)) {
        continue;
      }
      future++;
      Instant end = t.plus(length);
      List<Double> burdens = new ArrayList<>(people.size());
      boolean working = true;
      boolean free = true;
      for (Person p : people) {
        double b = burden(p, t, end);
        if (b < 0) {
          working = false;
          break;
        }
        burdens.add(b);
        Instant start = t;
        if (p.busy().stream().anyMatch(x -> x.start().isBefore(end) && x.end().isAfter(start))) {
          free = false;
        }
      }
      if (!working) {
        continue;
      }
      inWorkingHours++;
      if (!free) {
        continue;
      }
      double mean = burdens.stream().mapToDouble(Double::doubleValue).average().orElse(0);
      double max = burdens.stream().mapToDouble(Double::doubleValue).max().orElse(0);
      feasible.add(new Candidate(t, end, mean + max, burdens));
    }
    feasible.sort(Comparator.comparingDouble(Candidate::score).thenComparing(Candidate::start));
    List<Candidate> chosen = new ArrayList<>();
    for (Candidate c : feasible) {
      if (chosen.size() >= limit) {
        break;
      }
      if (chosen.stream().noneMatch(x -> x.start().isBefore(c.end()) && x.end().isAfter(c.start()))) {
        chosen.add(c);
      }
    }
    JsonArray slots = new JsonArray();
    for (Candidate c : chosen) {
      JsonArray attendees = new JsonArray();
      for (int i = 0; i < people.size(); i++) {
        Person p = people.get(i);
        attendees.add(new JsonObject()
            .put("userId", p.userId())
            .put("zone", p.zone().getId())
            .put("start", Times.offset(c.start().atZone(p.zone())))
            .put("end", Times.offset(c.end().atZone(p.zone())))
            .put("burden", round(c.burdens().get(i))));
      }
      slots.add(new JsonObject()
          .put("startUtc", Times.utc(c.start()))
          .put("endUtc", Times.utc(c.end()))
          .put("start", Times.offset(c.start().atZone(zone)))
          .put("end", Times.offset(c.end().atZone(zone)))
          .put("score", round(c.score()))
          .put("attendees", attendees));
    }
    JsonObject reply = new JsonObject().put("slots", slots);
    if (slots.isEmpty()) {
      if (future == 0) {
        reply.put("reasonCode", "past").put("reason", "The whole range is in the past.");
      } else if (inWorkingHours == 0) {
        reply.put("reasonCode", "no_common_working_hours").put("reason", "The working hours of "
            + people.stream().map(SlotFinder::describe).collect(Collectors.joining(", "))
            + " never overlap for " + length.toMinutes() + " minutes in this range.");
      } else {
        reply.put("reasonCode", "busy").put("reason", "Everyone's working hours overlap, but someone is busy at every "
            + "such time in this range.");
      }
    }
    return reply;
  }

  /** The person's burden for [start, end), or -1 when it is not inside their working hours. */
  static double burden(Person p, Instant start, Instant end) {
    ZonedDateTime ls = start.atZone(p.zone());
    ZonedDateTime le = end.atZone(p.zone());
    if (!p.hours().days().contains(ls.getDayOfWeek().getValue())) {
      return -1;
    }
    LocalTime ws = LocalTime.parse(p.hours().start());
    LocalTime we = LocalTime.parse(p.hours().end());
    if (!le.toLocalDate().equals(ls.toLocalDate()) || ls.toLocalTime().isBefore(ws) || le.toLocalTime().isAfter(we)) {
      return -1;
    }
    double window = ChronoUnit.MINUTES.between(ws, we);
    double slack = window - Duration.between(start, end).toMinutes();
    if (slack <= 0) {
      return 0;
    }
    double position = ChronoUnit.MINUTES.between(ws, ls.toLocalTime()) / slack;
    return Math.min(1, Math.abs(2 * position - 1));
  }

  private static String describe(Person p) {
    return (p.displayName() == null || p.displayName().isEmpty() ? p.userId() : p.displayName())
        + " (" + p.zone().getId() + " " + p.hours().start() + "–" + p.hours().end() + ")";
  }

  private static double round(double d) {
    return Math.round(d * 1000) / 1000.0;
  }
}
