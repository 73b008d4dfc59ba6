package org.relais.calendar;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.relais.core.EventSink;

import java.util.Collection;

/** Where due reminders go. Called once per reminder, across all nodes; a failure is logged, not retried. */
@FunctionalInterface
public interface ReminderSink {

  /**
   * Delivers one reminder.
   *
   * @param userIds  who asked to be reminded at this offset (never empty)
   * @param reminder the {@code event.reminder} payload (see {@link Reminders})
   */
  Future<Void> remind(Collection<String> userIds, JsonObject reminder);

  /** Live delivery: {@code event.reminder} pushed to the users' connected sessions. */
  static ReminderSink toEvents(EventSink events) {
    return (userIds, reminder) -> events.toUsers(userIds, Reminders.EVENT, reminder);
  }
}
