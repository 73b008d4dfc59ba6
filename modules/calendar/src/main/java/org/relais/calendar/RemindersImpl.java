package org.relais.calendar;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import org.relais.calendar.ReminderPlanner.Due;
import org.relais.identity.IdentityService;
import org.relais.core.PeriodicRound;
import org.relais.redis.LuaScript;
import org.relais.redis.RedisDb;
import org.relais.redis.Responses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class RemindersImpl implements Reminders {
  private static final Logger LOG = LoggerFactory.getLogger(Reminders.class);
  private static final LuaScript CLAIM = LuaScript.withLibrary(RemindersImpl.class, "reminders_lib", "reminders_claim");
  private static final LuaScript DONE = LuaScript.withLibrary(RemindersImpl.class, "reminders_lib", "reminders_done");
  private static final long SENT_MARKER_MS = 2 * 86_400_000L;

  private final RedisDb db;
  private final CalendarStore store;
  private final ReminderPlanner planner;
  private final ReminderSink sink;
  private final CalendarSettings settings;
  private final PeriodicRound rounds;

  RemindersImpl(Vertx vertx, RedisDb db, IdentityService identity, ReminderSink sink, CalendarSettings settings) {
    this.db = db;
    this.store = new CalendarStore(db);
    this.planner = new ReminderPlanner(db, store, new People(identity), settings);
    this.sink = sink;
    this.settings = settings;
    this.rounds = new PeriodicRound(vertx, settings.reminderIntervalMs(), "reminder", () -> claim().compose(this::fireAll));
  }

  @Override
  public void start() {
    rounds.start();
  }

  @Override
  public Future<Void> stop() {
    return rounds.stop();
  }

  private Future<List<String>> claim() {
    return db.eval(CLAIM, List.of(CalendarKeys.remindersDue(), CalendarKeys.remindersInflight()),
        List.of(String.valueOf(settings.reminderBatch()), String.valueOf(settings.reminderLeaseMs())))
        .map(Responses::toList);
  }

  private Future<Void> fireAll(List<String> claimed) {
    List<Future<Void>> fired = new ArrayList<>();
    for (String member : claimed) {
      fired.add(fire(member).recover(e -> {
        // Left in flight: its lease runs out and it is taken again; the sent marker stops a repeat.
        LOG.warn("reminder {} failed: {}", member, e.toString());
        return Future.succeededFuture();
      }));
    }
    return Future.join(fired).mapEmpty();
  }

  /** Delivers one claimed reminder if its occurrence still stands, then schedules the next and releases it. */
  private Future<Void> fire(String member) {
    Due due;
    try {
      due = Due.parse(member);
    } catch (RuntimeException e) {
      return done(member, Optional.empty(), "");
    }
    return store.event(due.eventId()).compose(found -> {
      if (found.isEmpty()) {
        return done(member, Optional.empty(), due.eventId());
      }
      Event e = found.get();
      Instant start = Instant.ofEpochMilli(due.startMs());
      Optional<Occurrence> occurrence = Occurrences.between(e, start, start.plusMillis(1), e.zone(), 10)
          .occurrences().stream()
          .filter(o -> o.startInstant().equals(start) && o.status() != EventStatus.CANCELLED)
          .findFirst();
      return planner.wanted(e).compose(wanted -> {
        boolean offsetWanted = wanted.values().stream().anyMatch(m -> m.contains(due.minutes()));
        Future<Void> delivered = occurrence.isPresent() && offsetWanted
            && Instant.now().isBefore(occurrence.get().endInstant().plusMillis(1))
            ? deliver(member, occurrence.get(), due.minutes(), wanted) : Future.succeededFuture();
        Optional<Due> next = Optional.empty();
        if (offsetWanted && !e.cancelled()) {
          long floor = System.currentTimeMillis() - ReminderPlanner.GRACE_MS + due.minutes() * 60_000L;
          next = ReminderPlanner.nextAfter(e, due.minutes(), Instant.ofEpochMilli(Math.max(due.startMs(), floor)));
        }
        Optional<Due> following = next;
        return delivered.compose(v -> done(member, following, e.id()));
      });
    });
  }

  private Future<Void> deliver(String member, Occurrence o, int minutes, Map<String, List<Integer>> wanted) {
    List<String> users = new ArrayList<>();
    wanted.forEach((user, offsets) -> {
      if (offsets.contains(minutes)) {
        users.add(user);
      }
    });
    if (users.isEmpty()) {
      return Future.succeededFuture();
    }
    return db.send(Command.SET, CalendarKeys.reminderSent(member), "1", "NX", "PX", SENT_MARKER_MS)
        .compose(set -> {
          if (set == null) {
            return Future.succeededFuture();
          }
          return sink.remind(users, ReminderPlanner.payload(o, minutes)).recover(e -> {
            LOG.warn("reminder delivery failed for event {}: {}", o.event().id(), e.toString());
            return Future.succeededFuture();
          });
        });
  }

  private Future<Void> done(String member, Optional<Due> next, String eventId) {
    return db.eval(DONE, List.of(CalendarKeys.remindersDue(), CalendarKeys.remindersInflight(),
            CalendarKeys.eventReminders(eventId.isEmpty() ? "-" : eventId)),
        List.of(member, next.map(Due::member).orElse(""), next.map(d -> String.valueOf(d.dueMs())).orElse("0")))
        .mapEmpty();
  }
}
