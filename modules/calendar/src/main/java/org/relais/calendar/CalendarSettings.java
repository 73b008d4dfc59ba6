package org.relais.calendar;

import java.util.List;

/**
 * Limits and defaults of the calendar.
 *
 * @param maxRangeDays          longest range of one {@code event.list}
 * @param maxOccurrencesPerEvent occurrences of one recurring event expanded for one query (more are cut, and the reply
 *                               says {@code truncated})
 * @param maxOccurrencesPerList  occurrences in one {@code event.list} reply
 * @param maxCount              the largest COUNT a recurrence rule may have
 * @param maxIcsBytes           largest {@code event.import} text, in UTF-8 bytes
 * @param maxAttendees          people invited by name to one event
 * @param maxAudience           people one change is pushed to (organisation attendees are expanded up to this)
 * @param defaultReminders      minutes before an event a person is reminded when neither the event nor the person
 *                              says otherwise
 * @param reminderIntervalMs    how often each node's {@link Reminders} looks for due reminders
 * @param reminderBatch         reminders one node claims per look
 * @param reminderLeaseMs       a claimed reminder not finished within this time (its node died) is claimed again
 * @param feedPastDays          how far back subscription feeds go
 * @param maxSuggestPeople      people one {@code schedule.suggest} may consider
 * @param maxSuggestDays        longest range of one {@code schedule.suggest}
 */
public record CalendarSettings(int maxRangeDays, int maxOccurrencesPerEvent, int maxOccurrencesPerList, int maxCount,
                               int maxIcsBytes, int maxAttendees, int maxAudience, List<Integer> defaultReminders,
                               long reminderIntervalMs, int reminderBatch, long reminderLeaseMs, int feedPastDays,
                               int maxSuggestPeople, int maxSuggestDays) {

  public CalendarSettings {
    defaultReminders = List.copyOf(defaultReminders);
  }

  public static CalendarSettings defaults() {
    return new CalendarSettings(366, 1_000, 5_000, 1_000, 256 * 1024, 200, 2_000, List.of(1_440, 15), 1_000, 100,
        60_000, 90, 50, 62);
  }

  /** The same settings with another size limit for imported .ics text (to fit the server's request limit). */
  public CalendarSettings withMaxIcsBytes(int bytes) {
    return new CalendarSettings(maxRangeDays, maxOccurrencesPerEvent, maxOccurrencesPerList, maxCount, bytes,
        maxAttendees, maxAudience, defaultReminders, reminderIntervalMs, reminderBatch, reminderLeaseMs, feedPastDays,
        maxSuggestPeople, maxSuggestDays);
  }

  /** The same settings with another reminder polling interval (tests use a short one). */
  public CalendarSettings withReminderIntervalMs(long intervalMs) {
    return new CalendarSettings(maxRangeDays, maxOccurrencesPerEvent, maxOccurrencesPerList, maxCount, maxIcsBytes,
        maxAttendees, maxAudience, defaultReminders, intervalMs, reminderBatch, reminderLeaseMs, feedPastDays,
        maxSuggestPeople, maxSuggestDays);
  }
}
