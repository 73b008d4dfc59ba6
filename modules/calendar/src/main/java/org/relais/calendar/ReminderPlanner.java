package org.relais.calendar;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.relais.redis.LuaScript;
import org.relais.redis.RedisDb;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides which reminders an event has and schedules them. A reminder is one (event, occurrence start, minutes
 * before) triple, written {@code EVENT_ID|START_MS|MINUTES}, due at the start minus the minutes. Only the next due
 * occurrence of each offset is scheduled; when it fires, {@link Reminders} schedules the following one, so an endless
 * series holds one reminder per offset.
 *
 * <p>Who is reminded: the organiser, the attendees named, and the people of invited organisations, except those who
 * declined. How long before: the event's own {@code reminders} when it has them, else each person's
 * {@code calendar.prefs}, else {@link CalendarSettings#defaultReminders()}.
 */
final class ReminderPlanner {
  /** Reminders up to this far in the past when an event is re-planned are kept (the sent marker stops repeats). */
  static final long GRACE_MS = 5 * 60_000;
  private static final LuaScript REPLACE = LuaScript.withLibrary(ReminderPlanner.class, "reminders_lib",
      "reminders_replace");

  private final RedisDb db;
  private final CalendarStore store;
  private final People people;
  private final CalendarSettings settings;

  ReminderPlanner(RedisDb db, CalendarStore store, People people, CalendarSettings settings) {
    this.db = db;
    this.store = store;
    this.people = people;
    this.settings = settings;
  }

  /** A reminder, parsed. */
  record Due(String eventId, long startMs, int minutes) {
    String member() {
      return eventId + "|" + startMs + "|" + minutes;
    }

    long dueMs() {
      return startMs - minutes * 60_000L;
    }

    static Due parse(String member) {
      String[] parts = member.split("\\|");
      return new Due(parts[0], Long.parseLong(parts[1]), Integer.parseInt(parts[2]));
    }
  }

  /** Each recipient of the event's reminders, with the minutes before they want them. */
  Future<Map<String, List<Integer>>> wanted(Event e) {
    Set<String> named = new LinkedHashSet<>();
    named.add(e.organizerId());
    named.addAll(e.attendeeIds());
    return people.orgMembers(e.orgIds(), settings.maxAudience())
        .compose(members -> {
          Set<String> all = new LinkedHashSet<>(named);
          all.addAll(members);
          return store.answers(e.calendarId(), e.id()).map(answers -> {
            answers.forEach((user, answer) -> {
              if (RsvpStatus.DECLINED.wire().equals(answer.getString("status"))) {
                all.remove(user);
              }
            });
            return all;
          });
        })
        .compose(recipients -> {
          if (e.reminders() != null) {
            Map<String, List<Integer>> out = new LinkedHashMap<>();
            recipients.forEach(u -> out.put(u, e.reminders()));
            return Future.succeededFuture(out);
          }
          return store.reminderPrefs(recipients).map(prefs -> {
            Map<String, List<Integer>> out = new LinkedHashMap<>();
            recipients.forEach(u -> out.put(u, prefs.getOrDefault(u, settings.defaultReminders())));
            return out;
          });
        });
  }

  /** Replaces the event's scheduled reminders with the next one of each offset anyone wants. */
  Future<Void> plan(Event e) {
    Future<List<Due>> next = e.cancelled() ? Future.succeededFuture(List.of()) : wanted(e).map(wanted -> {
      Set<Integer> offsets = new TreeSet<>();
      wanted.values().forEach(offsets::addAll);
      long now = System.currentTimeMillis();
      List<Due> due = new ArrayList<>();
      for (int minutes : offsets) {
        nextAfter(e, minutes, Instant.ofEpochMilli(now - GRACE_MS + minutes * 60_000L)).ifPresent(due::add);
      }
      return due;
    });
    return next.compose(due -> {
      List<String> args = new ArrayList<>();
      for (Due d : due) {
        args.add(String.valueOf(d.dueMs()));
        args.add(d.member());
      }
      return db.eval(REPLACE, List.of(CalendarKeys.remindersDue(), CalendarKeys.eventReminders(e.id())), args);
    }).mapEmpty();
  }

  /** The reminder {@code minutes} before the first occurrence starting after {@code after}. */
  static Optional<Due> nextAfter(Event e, int minutes, Instant after) {
    return Occurrences.firstStartingAfter(e, after)
        .map(o -> new Due(e.id(), o.startInstant().toEpochMilli(), minutes));
  }

  /** The {@code event.reminder} payload of one occurrence. */
  static JsonObject payload(Occurrence o, int minutes) {
    Event e = o.event();
    JsonObject json = new JsonObject()
        .put("eventId", e.id())
        .put("calendarId", e.calendarId())
        .put("title", o.title())
        .put("allDay", e.allDay())
        .put("zone", e.zone().getId())
        .put("minutesBefore", minutes)
        .put("location", o.location())
        .put("onlineUrl", o.onlineUrl());
    if (o.recurrenceId() != null) {
      json.put("recurrenceId", o.recurrenceId());
    }
    if (e.allDay()) {
      return json.put("start", o.start().toLocalDate().toString());
    }
    return json.put("start", Times.offset(o.start())).put("startUtc", Times.utc(o.startInstant()));
  }
}
