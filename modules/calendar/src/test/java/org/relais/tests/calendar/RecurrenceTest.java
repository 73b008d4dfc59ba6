package org.relais.tests.calendar;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.calendar.CalendarService;
import org.relais.calendar.CalendarSettings;
import org.relais.core.Principal;
import org.relais.identity.Org;
import org.relais.identity.User;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Recurrence rules, exceptions, changed occurrences, and changes to an occurrence and all that follow it. */
class RecurrenceTest {
  private static CalendarFixture f;
  private static User ingrid;

  @BeforeAll
  static void start() {
    f = CalendarFixture.start();
    Org org = f.org("Réseau");
    ingrid = f.user(org, "Ingrid", "Europe/Oslo");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static String create(JsonObject data) {
    return f.call(ingrid, "event.create", data).getJsonObject("event").getString("id");
  }

  private static JsonObject weekly(String title, String rule) {
    return new JsonObject().put("title", title).put("start", "2026-03-02T09:00").put("end", "2026-03-02T10:00")
        .put("rrule", rule);
  }

  private static List<JsonObject> occurrences(String eventId, String from, String to) {
    return f.call(ingrid, "event.list", new JsonObject().put("from", from).put("to", to))
        .getJsonArray("occurrences").stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("eventId").equals(eventId)).toList();
  }

  private static List<String> starts(String eventId, String from, String to) {
    return occurrences(eventId, from, to).stream().map(o -> o.getString("start")).toList();
  }

  @Test
  @DisplayName("COUNT stops the series after that many occurrences, also when the range starts later")
  void count() {
    String id = create(weekly("Count", "FREQ=WEEKLY;COUNT=5"));
    assertThat(starts(id, "2026-01-01", "2026-12-31")).containsExactly("2026-03-02T09:00:00+01:00",
        "2026-03-09T09:00:00+01:00", "2026-03-16T09:00:00+01:00", "2026-03-23T09:00:00+01:00",
        "2026-03-30T09:00:00+02:00");
    assertThat(starts(id, "2026-03-20", "2026-12-31")).hasSize(2);
  }

  @Test
  @DisplayName("UNTIL given as a date includes that whole day in the event's zone")
  void until() {
    String id = create(new JsonObject().put("title", "Until").put("start", "2026-03-02T09:00")
        .put("end", "2026-03-02T09:30").put("rrule", "FREQ=DAILY;UNTIL=20260305"));
    assertThat(starts(id, "2026-03-01", "2026-03-31")).containsExactly("2026-03-02T09:00:00+01:00",
        "2026-03-03T09:00:00+01:00", "2026-03-04T09:00:00+01:00", "2026-03-05T09:00:00+01:00");
    JsonObject event = f.call(ingrid, "event.get", new JsonObject().put("eventId", id)).getJsonObject("event");
    assertThat(event.getString("rrule")).isEqualTo("FREQ=DAILY;UNTIL=20260305T225959Z");
  }

  @Test
  @DisplayName("a series bounded by a far UNTIL is found at its far end, past 1000 occurrences")
  void farUntil() {
    String id = create(new JsonObject().put("title", "Daily for years").put("start", "2026-01-01T07:00")
        .put("end", "2026-01-01T07:10").put("rrule", "FREQ=DAILY;UNTIL=20291215"));
    assertThat(starts(id, "2029-12-01", "2029-12-31")).hasSize(15).last().isEqualTo("2029-12-15T07:00:00+01:00");
  }

  @Test
  @DisplayName("BYDAY and INTERVAL: every other week on Monday and Wednesday")
  void byDayAndInterval() {
    String id = create(weekly("Fortnightly", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=4"));
    assertThat(starts(id, "2026-03-01", "2026-04-30")).containsExactly("2026-03-02T09:00:00+01:00",
        "2026-03-04T09:00:00+01:00", "2026-03-16T09:00:00+01:00", "2026-03-18T09:00:00+01:00");
  }

  @Test
  @DisplayName("a series whose start the rule does not give starts at its first occurrence (a Tuesday start, BYDAY=MO)")
  void startSynchronised() {
    JsonObject event = f.call(ingrid, "event.create", new JsonObject().put("title", "Mondays").put("start", "2026-03-03T09:00")
        .put("end", "2026-03-03T10:30").put("rrule", "FREQ=WEEKLY;BYDAY=MO;COUNT=2")).getJsonObject("event");
    assertThat(event.getString("start")).isEqualTo("2026-03-09T09:00:00");
    assertThat(event.getString("end")).isEqualTo("2026-03-09T10:30:00");
    assertThat(starts(event.getString("id"), "2026-03-01", "2026-03-31")).containsExactly("2026-03-09T09:00:00+01:00",
        "2026-03-16T09:00:00+01:00");
    assertThat(f.fail(ingrid, "event.create", new JsonObject().put("title", "Never").put("start", "2026-03-03T09:00")
        .put("rrule", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")).getMessage()).contains("no occurrence");
  }

  @Test
  @DisplayName("BYMONTHDAY: monthly on the 15th; a rule given with the RRULE: prefix and in lower case is normalised")
  void byMonthDay() {
    String id = create(new JsonObject().put("title", "Report").put("start", "2026-01-15T14:00")
        .put("end", "2026-01-15T15:00").put("rrule", "RRULE:freq=monthly;bymonthday=15;count=3"));
    assertThat(starts(id, "2026-01-01", "2026-12-31")).containsExactly("2026-01-15T14:00:00+01:00",
        "2026-02-15T14:00:00+01:00", "2026-03-15T14:00:00+01:00");
  }

  @Test
  @DisplayName("EXDATE removes occurrences; cancelling one occurrence adds an EXDATE")
  void exdates() {
    JsonObject data = weekly("Exdates", "FREQ=WEEKLY;COUNT=4").put("exdates", new JsonArray().add("2026-03-09T09:00"));
    String id = create(data);
    assertThat(starts(id, "2026-03-01", "2026-03-31")).containsExactly("2026-03-02T09:00:00+01:00",
        "2026-03-16T09:00:00+01:00", "2026-03-23T09:00:00+01:00");
    f.call(ingrid, "event.cancel", new JsonObject().put("eventId", id).put("scope", "this")
        .put("recurrenceId", "2026-03-16T09:00"));
    assertThat(starts(id, "2026-03-01", "2026-03-31")).containsExactly("2026-03-02T09:00:00+01:00",
        "2026-03-23T09:00:00+01:00");
    JsonObject event = f.call(ingrid, "event.get", new JsonObject().put("eventId", id)).getJsonObject("event");
    assertThat(event.getJsonArray("exdates")).containsExactly("2026-03-09T09:00:00", "2026-03-16T09:00:00");
  }

  @Test
  @DisplayName("one occurrence moved: it appears at its new time, keyed by its original start, and not at the old one")
  void moveOneOccurrence() {
    String id = create(weekly("Moved", "FREQ=WEEKLY;COUNT=3"));
    JsonObject reply = f.call(ingrid, "event.update", new JsonObject().put("eventId", id).put("scope", "this")
        .put("recurrenceId", "2026-03-09T09:00").put("start", "2026-03-10T14:00").put("title", "Moved to Tuesday"));
    assertThat(reply.getBoolean("moved")).isTrue();
    List<JsonObject> all = occurrences(id, "2026-03-01", "2026-03-31");
    assertThat(all).extracting(o -> o.getString("start")).containsExactly("2026-03-02T09:00:00+01:00",
        "2026-03-10T14:00:00+01:00", "2026-03-16T09:00:00+01:00");
    JsonObject moved = all.get(1);
    assertThat(moved.getString("recurrenceId")).isEqualTo("2026-03-09T09:00:00");
    assertThat(moved.getString("end")).as("keeps its length").isEqualTo("2026-03-10T15:00:00+01:00");
    assertThat(moved.getString("title")).isEqualTo("Moved to Tuesday");
    assertThat(moved.getBoolean("modified")).isTrue();
    assertThat(all.get(0).getString("title")).isEqualTo("Moved");
    assertThat(occurrences(id, "2026-03-10", "2026-03-10")).hasSize(1);
  }

  @Test
  @DisplayName("this and following: the old series ends before the occurrence, a new one starts there with the change")
  void thisAndFollowing() {
    String id = create(weekly("Series", "FREQ=WEEKLY;BYDAY=MO"));
    JsonObject reply = f.call(ingrid, "event.update", new JsonObject().put("eventId", id).put("scope", "following")
        .put("recurrenceId", "2026-03-16T09:00:00").put("start", "2026-03-16T10:00").put("end", "2026-03-16T11:30")
        .put("title", "Series, later"));
    String newId = reply.getJsonObject("event").getString("id");
    assertThat(newId).isNotEqualTo(id);
    assertThat(reply.getJsonObject("event").getString("splitFrom")).isEqualTo(id);
    assertThat(reply.getJsonObject("previous").getString("rrule")).isEqualTo("FREQ=WEEKLY;UNTIL=20260316T075959Z;BYDAY=MO");
    assertThat(starts(id, "2026-03-01", "2026-04-30")).containsExactly("2026-03-02T09:00:00+01:00",
        "2026-03-09T09:00:00+01:00");
    List<JsonObject> later = occurrences(newId, "2026-03-01", "2026-04-14");
    assertThat(later).extracting(o -> o.getString("start")).containsExactly("2026-03-16T10:00:00+01:00",
        "2026-03-23T10:00:00+01:00", "2026-03-30T10:00:00+02:00", "2026-04-06T10:00:00+02:00",
        "2026-04-13T10:00:00+02:00");
    assertThat(later).allSatisfy(o -> assertThat(o.getString("title")).isEqualTo("Series, later"));
    assertThat(later.get(0).getString("end")).isEqualTo("2026-03-16T11:30:00+01:00");
  }

  @Test
  @DisplayName("this and following on a COUNT series shares the count: 2 before, 4 after")
  void followingWithCount() {
    String id = create(weekly("Six", "FREQ=WEEKLY;COUNT=6"));
    JsonObject reply = f.call(ingrid, "event.update", new JsonObject().put("eventId", id).put("scope", "following")
        .put("recurrenceId", "2026-03-16T09:00").put("location", "Salle Bamako"));
    assertThat(reply.getJsonObject("previous").getString("rrule")).isEqualTo("FREQ=WEEKLY;COUNT=2");
    assertThat(reply.getJsonObject("event").getString("rrule")).isEqualTo("FREQ=WEEKLY;COUNT=4");
    assertThat(reply.getBoolean("moved")).isFalse();
    String newId = reply.getJsonObject("event").getString("id");
    assertThat(starts(id, "2026-01-01", "2026-12-31")).hasSize(2);
    assertThat(occurrences(newId, "2026-01-01", "2026-12-31")).hasSize(4)
        .allSatisfy(o -> assertThat(o.getString("location")).isEqualTo("Salle Bamako"));
  }

  @Test
  @DisplayName("cancelling this and following ends the series; cancelling all hides it")
  void cancelFollowingAndAll() {
    String id = create(weekly("Cancelled later", "FREQ=WEEKLY;COUNT=5"));
    JsonObject reply = f.call(ingrid, "event.cancel", new JsonObject().put("eventId", id).put("scope", "following")
        .put("recurrenceId", "2026-03-23T09:00"));
    assertThat(reply.getString("scope")).isEqualTo("following");
    assertThat(starts(id, "2026-01-01", "2026-12-31")).hasSize(3);
    f.call(ingrid, "event.cancel", new JsonObject().put("eventId", id));
    assertThat(starts(id, "2026-01-01", "2026-12-31")).isEmpty();
    assertThat(f.call(ingrid, "event.list", new JsonObject().put("from", "2026-03-01").put("to", "2026-03-31")
            .put("includeCancelled", true)).getJsonArray("occurrences").stream()
        .map(o -> (JsonObject) o).filter(o -> o.getString("eventId").equals(id)))
        .hasSize(3).allSatisfy(o -> assertThat(o.getString("status")).isEqualTo("cancelled"));
  }

  @Test
  @DisplayName("moving the whole series keeps the exceptions it still generates and drops the others")
  void moveSeriesKeepsMatchingExceptions() {
    String id = create(weekly("Keep", "FREQ=WEEKLY;COUNT=4").put("exdates", new JsonArray().add("2026-03-09T09:00")));
    f.call(ingrid, "event.update", new JsonObject().put("eventId", id).put("title", "Keep, renamed"));
    assertThat(starts(id, "2026-03-01", "2026-03-31")).hasSize(3);
    f.call(ingrid, "event.update", new JsonObject().put("eventId", id).put("start", "2026-03-02T11:00"));
    assertThat(starts(id, "2026-03-01", "2026-03-31")).as("09:00 exceptions no longer match 11:00 occurrences")
        .containsExactly("2026-03-02T11:00:00+01:00", "2026-03-09T11:00:00+01:00", "2026-03-16T11:00:00+01:00",
            "2026-03-23T11:00:00+01:00");
  }

  @Test
  @DisplayName("expansion is bounded: an endless daily rule over a long range is cut at the per-event maximum and says so")
  void expansionIsBounded() {
    CalendarSettings d = CalendarSettings.defaults();
    CalendarSettings tight = new CalendarSettings(d.maxRangeDays(), 100, d.maxOccurrencesPerList(), d.maxCount(),
        d.maxIcsBytes(), d.maxAttendees(), d.maxAudience(), d.defaultReminders(), d.reminderIntervalMs(),
        d.reminderBatch(), d.reminderLeaseMs(), d.feedPastDays(), d.maxSuggestPeople(), d.maxSuggestDays());
    CalendarService service = f.service(null, tight);
    String id = create(new JsonObject().put("title", "Daily").put("start", "2020-01-01T08:00")
        .put("end", "2020-01-01T08:15").put("rrule", "FREQ=DAILY"));
    Principal p = CalendarFixture.principal(ingrid);
    JsonObject reply = CalendarFixture.await(service.listEvents(p, new JsonObject()
        .put("from", "2026-01-01").put("to", "2026-12-31")));
    List<JsonObject> daily = reply.getJsonArray("occurrences").stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("eventId").equals(id)).toList();
    assertThat(daily).hasSize(100);
    assertThat(daily.get(0).getString("start")).isEqualTo("2026-01-01T08:00:00+01:00");
    assertThat(reply.getBoolean("truncated")).isTrue();
    assertThat(starts(id, "2026-01-01", "2026-12-31")).as("the default maximum (1000) holds a year").hasSize(365);
  }

  @Test
  @DisplayName("concurrent changes of one series are all applied: none overwrites another")
  void concurrentChanges() {
    String id = create(weekly("Concurrent", "FREQ=WEEKLY;COUNT=10"));
    Principal p = CalendarFixture.principal(ingrid);
    List<io.vertx.core.Future<JsonObject>> changes = List.of(
        f.calendars.updateEvent(p, new JsonObject().put("eventId", id).put("location", "Niamey")),
        f.calendars.updateEvent(p, new JsonObject().put("eventId", id).put("description", "Ordre du jour")),
        f.calendars.updateEvent(p, new JsonObject().put("eventId", id).put("scope", "this")
            .put("recurrenceId", "2026-03-09T09:00").put("title", "Special")),
        f.calendars.cancelEvent(p, new JsonObject().put("eventId", id).put("scope", "this")
            .put("recurrenceId", "2026-03-16T09:00")));
    CalendarFixture.await(io.vertx.core.Future.all(changes));
    JsonObject event = f.call(ingrid, "event.get", new JsonObject().put("eventId", id)).getJsonObject("event");
    assertThat(event.getString("location")).isEqualTo("Niamey");
    assertThat(event.getString("description")).isEqualTo("Ordre du jour");
    assertThat(event.getJsonArray("overrides")).hasSize(1);
    assertThat(event.getJsonArray("exdates")).containsExactly("2026-03-16T09:00:00");
    assertThat(event.getInteger("sequence")).isEqualTo(4);
  }
}
