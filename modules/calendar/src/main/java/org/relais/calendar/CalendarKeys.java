package org.relais.calendar;

import org.relais.redis.Keys;

/**
 * Every Redis key of the calendar. The keys of one calendar share the hash tag {@code {k:<id>}}, so that the save
 * script, which touches an event, its calendar's indexes and its answers, stays in one Redis Cluster slot; the
 * script derives them from {@link #calendar} by suffix (see calendar_save.lua). Reminder queues share {@code {rem}}.
 *
 * <pre>
 * relais:cal:{k:CAL}                 hash: the calendar (id, kind, name, description, color, orgId, channelId, ownerId, …)
 * relais:cal:{k:CAL}:shares          hash: "u:USER" | "o:ORG" -> read | write
 * relais:cal:{k:CAL}:by-start        sorted set: event id -> first start of the series (epoch ms)
 * relais:cal:{k:CAL}:by-end          sorted set: event id -> last end of the series (epoch ms; +inf without end)
 * relais:cal:{k:CAL}:e:EVT           hash: one event series (overrides and exdates as JSON fields)
 * relais:cal:{k:CAL}:e:EVT:rsvp      hash: user id -> {"status", "comment"?, "at"}
 * relais:cal:singletons              hash: "network" | "org:ORG" | "personal:USER" -> calendar id
 * relais:cal:channels                hash: channel id -> calendar id
 * relais:cal:event-cal               hash: event id -> calendar id
 * relais:cal:owned:USER              set: shared calendars the user made
 * relais:cal:shared:u:USER           set: calendars shared with the user
 * relais:cal:shared:o:ORG            set: calendars shared with the organisation
 * relais:cal:inv:u:USER              sorted set: events the user organises or is invited to -> last end (epoch ms)
 * relais:cal:inv:o:ORG               sorted set: events the organisation is invited to -> last end (epoch ms)
 * relais:cal:prefs                   hash: user id -> {"reminders": [minutes, …]}
 * relais:cal:feed:SHA256             hash: a subscription secret (by its SHA-256): userId, calendarId ("" = all)
 * relais:cal:feeds:USER              hash: calendar id or "*" -> the user's current secret for it
 * relais:cal:{rem}:due               sorted set: "EVT|START_MS|MINUTES" -> when it is due (epoch ms)
 * relais:cal:{rem}:inflight          sorted set: claimed reminders -> lease end (epoch ms)
 * relais:cal:{rem}:ev:EVT            set: the event's scheduled reminders
 * relais:cal:{rem}:sent:REMINDER     string: delivered (expires after two days)
 * </pre>
 */
final class CalendarKeys {
  private static final String P = Keys.PREFIX + "cal:";

  private CalendarKeys() {
  }

  static String calendar(String calendarId) {
    return P + "{k:" + calendarId + "}";
  }

  static String shares(String calendarId) {
    return calendar(calendarId) + ":shares";
  }

  static String byStart(String calendarId) {
    return calendar(calendarId) + ":by-start";
  }

  static String byEnd(String calendarId) {
    return calendar(calendarId) + ":by-end";
  }

  static String event(String calendarId, String eventId) {
    return calendar(calendarId) + ":e:" + eventId;
  }

  static String rsvp(String calendarId, String eventId) {
    return event(calendarId, eventId) + ":rsvp";
  }

  static String singletons() {
    return P + "singletons";
  }

  static String channels() {
    return P + "channels";
  }

  static String eventCalendars() {
    return P + "event-cal";
  }

  static String owned(String userId) {
    return P + "owned:" + userId;
  }

  static String sharedWithUser(String userId) {
    return P + "shared:u:" + userId;
  }

  static String sharedWithOrg(String orgId) {
    return P + "shared:o:" + orgId;
  }

  static String invitedUser(String userId) {
    return P + "inv:u:" + userId;
  }

  static String invitedOrg(String orgId) {
    return P + "inv:o:" + orgId;
  }

  static String prefs() {
    return P + "prefs";
  }

  static String feed(String secretHash) {
    return P + "feed:" + secretHash;
  }

  static String feeds(String userId) {
    return P + "feeds:" + userId;
  }

  static String remindersDue() {
    return P + "{rem}:due";
  }

  static String remindersInflight() {
    return P + "{rem}:inflight";
  }

  static String eventReminders(String eventId) {
    return P + "{rem}:ev:" + eventId;
  }

  static String reminderSent(String reminder) {
    return P + "{rem}:sent:" + reminder;
  }
}
