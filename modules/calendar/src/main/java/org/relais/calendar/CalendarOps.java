package org.relais.calendar;

import io.vertx.core.Future;
import org.relais.core.ErrorCode;
import org.relais.core.OpRegistry;
import org.relais.core.RelaisException;
import org.relais.core.Schema;

import java.util.regex.Pattern;

/**
 * Registers the calendar ops in the dispatch table. Shapes (see {@link CalendarService} for the rules):
 *
 * <pre>
 * calendar.list     {}                                                → {"calendars": [{id, kind, name, …, access, manage}]}
 * calendar.create   {name, description?, color?} | {channelId}        → {"calendar"}
 * calendar.update   {calendarId, name?, description?, color?}          → {"calendar"}
 * calendar.share    {calendarId, userId | orgId, access: read|write|none} → {"calendarId", "shares": [{userId|orgId, access}]}
 * calendar.feed     {calendarId?, rotate?}                             → {"secret", "url": "/ical/SECRET.ics", "calendarId"?}
 * calendar.prefs    {reminders?: [minutes before]}                     → {"prefs": {"reminders", "custom"}}
 * event.create      {calendarId?, title, start, end?, zone?, allDay?, description?, location?, onlineUrl?, rrule?,
 *                    exdates?, attendeeIds?, orgIds?, status?, reminders? | useDefaultReminders?} → {"event"}
 * event.update      {eventId, scope?: all|this|following, recurrenceId?, …fields of event.create but calendarId}
 *                                                                      → {"event", "scope", "moved", "reasked", "previous"?}
 * event.cancel      {eventId, scope?, recurrenceId?}                   → {"eventId", "calendarId", "scope", "event"}
 * event.get         {eventId}                                          → {"event" (with "rsvp"), "access", "canEdit"}
 * event.list        {calendarId?, from, to, zone?, includeCancelled?}  → {"occurrences", "viewerZone", "truncated", …}
 * event.rsvp        {eventId, status: accepted|declined|tentative, comment?} → {"eventId", "rsvp", "counts"}
 * event.import      {calendarId?, ics}                                 → {"event"}
 * schedule.suggest  {attendeeIds?, orgIds?, durationMinutes, from, to, zone?, limit?, stepMinutes?}
 *                                                                      → {"slots": [...], "reason"?, "reasonCode"?}
 * </pre>
 *
 * <p>Without {@code calendarId}, {@code event.create} goes to the caller's personal calendar. Without {@code zone},
 * times are in the caller's own zone ({@code user.timeZone}). Local times are {@code 2026-03-02T09:00}; all-day events
 * take dates ({@code end} exclusive, default the next day); {@code from}/{@code to} of {@code event.list} are
 * instants ({@code Z} or an offset), local date-times or dates in the viewer's zone ({@code to} as a date includes
 * that day).
 */
public final class CalendarOps {
  private static final Schema ID = Schema.id();
  private static final Schema TIME = Schema.string().minLength(8).maxLength(40).singleLine();
  private static final Schema ZONE = Schema.string().minLength(1).maxLength(64).singleLine();
  private static final Schema COLOR = Schema.string().pattern(Pattern.compile("#[0-9a-fA-F]{6}"), "a colour #RRGGBB");
  private static final Schema URL = Schema.string().maxLength(2_000).singleLine()
      .pattern(Pattern.compile("(https://\\S+)?"), "an https link (or \"\" to remove it)");
  private static final Schema SCOPE = Schema.oneOf("all", "this", "following");
  private static final Schema MINUTES_BEFORE = Schema.array(Schema.integer(0, 40_320)).maxItems(5).unique();

  private CalendarOps() {
  }

  public static void register(OpRegistry ops, CalendarService calendars) {
    ops.register("calendar.list", Schema.object(), (p, d) -> calendars.listCalendars(p), 2);

    ops.register("calendar.create", Schema.object()
            .optional("name", Schema.name(80))
            .optional("description", Schema.text(1_000))
            .optional("color", COLOR)
            .optional("channelId", ID),
        (p, d) -> {
          if (!d.containsKey("channelId") && !d.containsKey("name")) {
            return Future.failedFuture(RelaisException.badRequest("data.name: required"));
          }
          return calendars.createCalendar(p, d);
        }, 2);

    ops.register("calendar.update", Schema.object()
            .required("calendarId", ID)
            .optional("name", Schema.name(80))
            .optional("description", Schema.text(1_000))
            .optional("color", COLOR),
        calendars::updateCalendar);

    ops.register("calendar.share", Schema.object()
            .required("calendarId", ID)
            .optional("userId", ID)
            .optional("orgId", ID)
            .required("access", Schema.oneOf("read", "write", "none")),
        calendars::share);

    ops.register("calendar.feed", Schema.object()
            .optional("calendarId", ID)
            .optional("rotate", Schema.bool()),
        calendars::feedSecret);

    ops.register("calendar.prefs", Schema.object()
            .optional("reminders", MINUTES_BEFORE),
        calendars::prefs);

    ops.register("event.create", eventFields(Schema.object()
            .optional("calendarId", ID)
            .required("title", Schema.name(200))
            .required("start", TIME)),
        calendars::createEvent, 2);

    ops.register("event.update", eventFields(Schema.object()
            .required("eventId", ID)
            .optional("scope", SCOPE)
            .optional("recurrenceId", TIME)
            .optional("title", Schema.name(200))
            .optional("start", TIME)),
        calendars::updateEvent, 2);

    ops.register("event.cancel", Schema.object()
            .required("eventId", ID)
            .optional("scope", SCOPE)
            .optional("recurrenceId", TIME),
        calendars::cancelEvent);

    ops.register("event.get", Schema.object().required("eventId", ID), calendars::getEvent);

    ops.register("event.list", Schema.object()
            .optional("calendarId", ID)
            .required("from", TIME)
            .required("to", TIME)
            .optional("zone", ZONE)
            .optional("includeCancelled", Schema.bool()),
        calendars::listEvents, 3);

    ops.register("event.rsvp", Schema.object()
            .required("eventId", ID)
            .required("status", Schema.oneOf("accepted", "declined", "tentative"))
            .optional("comment", Schema.text(500)),
        calendars::rsvp);

    ops.register("event.import", Schema.object()
            .optional("calendarId", ID)
            .required("ics", ICS),
        calendars::importEvent, 5);

    ops.register("schedule.suggest", Schema.object()
            .optional("attendeeIds", Schema.array(ID).maxItems(50).unique())
            .optional("orgIds", Schema.array(ID).maxItems(10).unique())
            .required("durationMinutes", Schema.integer(5, 720))
            .required("from", TIME)
            .required("to", TIME)
            .optional("zone", ZONE)
            .optional("limit", Schema.integer(1, 20))
            .optional("stepMinutes", Schema.integer(5, 120)),
        calendars::suggest, 5);
  }

  /** The content fields shared by event.create and event.update. */
  private static Schema eventFields(Schema.ObjectSchema base) {
    return base
        .optional("end", TIME)
        .optional("zone", ZONE)
        .optional("allDay", Schema.bool())
        .optional("description", Schema.text(8_000))
        .optional("location", Schema.name(500).minLength(0))
        .optional("onlineUrl", URL)
        .optional("rrule", Schema.string().maxLength(500).singleLine())
        .optional("exdates", Schema.array(TIME).maxItems(500).unique())
        .optional("attendeeIds", Schema.array(ID).maxItems(200).unique())
        .optional("orgIds", Schema.array(ID).maxItems(50).unique())
        .optional("status", Schema.oneOf("confirmed", "tentative"))
        .optional("reminders", MINUTES_BEFORE)
        .optional("useDefaultReminders", Schema.bool());
  }

  /**
   * An iCalendar text: its CR LF line ends are allowed (unlike other text fields); its size is checked in UTF-8 bytes
   * by the service ({@code too_large}).
   */
  private static final Schema ICS = (path, value) -> {
    if (!(value instanceof String s)) {
      throw Schema.fail(path, "a string");
    }
    if (s.length() > 4 * 1024 * 1024) {
      throw new RelaisException(ErrorCode.TOO_LARGE, path + ": too large");
    }
    if (s.isBlank()) {
      throw RelaisException.badRequest(path + ": must not be empty");
    }
    return s;
  };
}
