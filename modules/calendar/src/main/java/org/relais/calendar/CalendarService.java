package org.relais.calendar;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.relais.core.EventSink;
import org.relais.core.Principal;
import org.relais.identity.IdentityService;
import org.relais.redis.RedisDb;

/**
 * Shared calendars: calendars, events with recurrence, answers, reminders' planning, slot finding and iCalendar.
 *
 * <p><b>Calendars and who sees them.</b> The network calendar: everyone reads, admins and coordinators write. An
 * organisation's: its people read, its org-admins and coordinators (and network admins) write. A channel's: the
 * channel's members read and write. A personal one per person, and shared ones made with {@code calendar.create}:
 * their owner. Any calendar can also be shared, to read or to write, with a person or a whole organisation. Network,
 * organisation and personal calendars are made on first use. A calendar someone may not read is, to them, missing
 * ({@code not_found}); one they may read but not write refuses changes with {@code forbidden}. People invited to an
 * event see that event (and answer it) whatever calendar it is in.
 *
 * <p><b>Events.</b> Times are local date-times with an IANA zone (all-day events: dates, the end exclusive). A series
 * is stored as its first occurrence, an RRULE, EXDATEs and overrides (changed occurrences keyed by their original
 * start), and expanded on reading, in its zone, so occurrences keep their local time across DST changes. A change
 * applies to the whole series ({@code scope: "all"}), one occurrence ({@code "this"}) or an occurrence and all
 * that follow ({@code "following"}: the series is split, the old one ending before it). Moving a series (its start,
 * end, zone or rule) asks again everyone who had accepted. Concurrent changes of one series never overwrite each
 * other: each save checks the version it read, and a change made meanwhile makes it start again from a fresh read
 * ({@code conflict} only after five such rounds).
 *
 * <p><b>Events pushed</b> (after the write): {@code event.created} {@code {"event"}}, {@code event.updated}
 * {@code {"event", "scope", "recurrenceId"?, "moved", "reasked", "previous"?}}, {@code event.cancelled}
 * {@code {"eventId", "calendarId", "scope", "recurrenceId"?, "event"}}, {@code rsvp.changed}
 * {@code {"eventId", "calendarId", "counts"}} (plus {@code "userId", "status", "comment"} for the organiser and the
 * person who answered). They go to the organiser, the attendees (organisations expanded to their people, up to
 * {@link CalendarSettings#maxAudience()}) and the one who made the change; for personal and shared calendars also to
 * the owner and the people it is shared with; for channel calendars to the channel's members when a
 * {@link ChannelMembers} was given. Network and organisation calendars are never broadcast to everyone.
 *
 * <p>Methods taking {@code data} expect it validated by the op's schema ({@link CalendarOps}) and return the op's
 * reply data; they check everything else (zones, times, rules, rights) before writing anything.
 */
public interface CalendarService {

  static CalendarService create(Vertx vertx, RedisDb db, IdentityService identity, ChannelMembership membership,
                                EventSink events, CalendarSettings settings) {
    return new CalendarServiceImpl(vertx, db, identity, membership, null, events, settings);
  }

  /** As {@link #create(Vertx, RedisDb, IdentityService, ChannelMembership, EventSink, CalendarSettings)}, with channel members for live pushes. */
  static CalendarService create(Vertx vertx, RedisDb db, IdentityService identity, ChannelMembership membership,
                                ChannelMembers members, EventSink events, CalendarSettings settings) {
    return new CalendarServiceImpl(vertx, db, identity, membership, members, events, settings);
  }

  /** {@code calendar.list}: {@code {"calendars": [calendar + "access" ("read"|"write") + "manage"]}}. */
  Future<JsonObject> listCalendars(Principal p);

  /**
   * {@code calendar.create}: with {@code channelId}, the channel's calendar (made if needed; members only); without,
   * a new shared calendar owned by the caller. Returns {@code {"calendar"}}.
   */
  Future<JsonObject> createCalendar(Principal p, JsonObject data);

  /** {@code calendar.update}: name, description, colour; for those who manage the calendar. */
  Future<JsonObject> updateCalendar(Principal p, JsonObject data);

  /**
   * {@code calendar.share}: {@code {"calendarId", "userId" | "orgId", "access": "read"|"write"|"none"}} → the
   * calendar's shares. For those who manage the calendar.
   */
  Future<JsonObject> share(Principal p, JsonObject data);

  /**
   * {@code calendar.feed}: the caller's private subscription secret for one calendar ({@code calendarId}) or for all
   * their events (without); made on first call, replaced with {@code rotate: true} (the old one stops working).
   * Returns {@code {"secret", "url": "/ical/<secret>.ics", "calendarId"?}}.
   */
  Future<JsonObject> feedSecret(Principal p, JsonObject data);

  /** Where rotations of feed secrets are recorded (set once at start-up; nowhere by default). Never the secret. */
  void auditTo(org.relais.core.AuditSink sink);

  /**
   * {@code calendar.prefs}: the caller's default reminders ({@code "reminders": [minutes before, …]}, at most five;
   * {@code []} for none), used for events that do not set their own. Without data, returns them.
   */
  Future<JsonObject> prefs(Principal p, JsonObject data);

  Future<JsonObject> createEvent(Principal p, JsonObject data);

  Future<JsonObject> updateEvent(Principal p, JsonObject data);

  Future<JsonObject> cancelEvent(Principal p, JsonObject data);

  /** {@code event.get}: the series, its answers (all of them for the organiser and the calendar's writers). */
  Future<JsonObject> getEvent(Principal p, JsonObject data);

  /** {@code event.list}: occurrences in a range, in UTC, in the event's zone and in the viewer's zone. */
  Future<JsonObject> listEvents(Principal p, JsonObject data);

  Future<JsonObject> rsvp(Principal p, JsonObject data);

  /** {@code event.import}: one VEVENT of an iCalendar text, parsed on a worker thread. */
  Future<JsonObject> importEvent(Principal p, JsonObject data);

  /** {@code schedule.suggest}: slots inside everyone's working hours and outside their busy times. */
  Future<JsonObject> suggest(Principal p, JsonObject data);

  /**
   * The iCalendar feed a subscription secret opens (for {@code GET /ical/{secret}.ics}): what its owner may see now.
   * Fails with {@code not_found} for an unknown or replaced secret, or when the owner is disabled or lost access.
   */
  Future<IcsFeed> feed(String secret);

  /** The channel's calendar, made if it does not exist yet; idempotent. Returns {@code {"calendar"}}. */
  Future<JsonObject> channelCalendar(String channelId);
}
