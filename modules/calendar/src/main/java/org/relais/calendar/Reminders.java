package org.relais.calendar;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.relais.identity.IdentityService;
import org.relais.redis.RedisDb;

/**
 * The reminder scheduler of one node. Due reminders wait in one Redis sorted set scored by when they are due
 * (epoch ms). Every {@link CalendarSettings#reminderIntervalMs()} each started node claims due ones with one Lua
 * script that moves them to an in-flight set with a lease, so two nodes never take the same one; then, for each, it
 * checks the occurrence still exists as planned, delivers it to a {@link ReminderSink}, and schedules the event's next
 * reminder for that offset. "Due" is by Redis's clock.
 *
 * <p><b>Exactly once.</b> A reminder is delivered once whatever the number of nodes. A node stopped (or restarted)
 * simply leaves reminders in the set: whichever node runs next fires those that came due meanwhile, once, as long as
 * their occurrence has not ended yet (older ones are skipped). If a node dies between claiming and finishing, the
 * lease runs out and another node takes the reminder again; a delivered marker written just before delivery
 * ({@code relais:cal:{rem}:sent:…}, kept two days) stops a second delivery, so a crash at the wrong instant can lose
 * a reminder but never repeat it.
 *
 * <p><b>Payload</b> of {@code event.reminder}: {@code {"eventId", "calendarId", "title", "allDay", "zone", "start"
 * (with offset, or a date), "startUtc"?, "recurrenceId"?, "minutesBefore", "location", "onlineUrl"}}.
 */
public interface Reminders {

  /** The event reminders are pushed as (with {@link ReminderSink#toEvents}). */
  String EVENT = "event.reminder";

  static Reminders create(Vertx vertx, RedisDb db, IdentityService identity, ReminderSink sink,
                          CalendarSettings settings) {
    return new RemindersImpl(vertx, db, identity, sink, settings);
  }

  /** Starts polling on the calling context. Idempotent; does nothing after {@link #stop()}. */
  void start();

  /** Stops polling; completes when the round under way has finished. */
  Future<Void> stop();
}
