package org.relais.tests.calendar;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.relais.core.ErrorCode;
import org.relais.core.RelaisException;
import org.relais.identity.Org;
import org.relais.identity.User;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input gets its typed error, says what is wrong, and changes nothing. */
class BadInputTest {
  private static CalendarFixture f;
  private static User ingrid;
  private static String eventId;
  private static JsonObject original;

  @BeforeAll
  static void start() {
    f = CalendarFixture.start();
    Org org = f.org("Réseau");
    ingrid = f.user(org, "Ingrid", "Europe/Oslo");
    eventId = f.call(ingrid, "event.create", new JsonObject().put("title", "Untouched").put("start", "2026-05-04T10:00")
        .put("end", "2026-05-04T11:00").put("rrule", "FREQ=WEEKLY;COUNT=4")).getJsonObject("event").getString("id");
    original = event();
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static JsonObject event() {
    return f.call(ingrid, "event.get", new JsonObject().put("eventId", eventId)).getJsonObject("event");
  }

  private static int occurrences() {
    return f.call(ingrid, "event.list", new JsonObject().put("from", "2020-01-01").put("to", "2020-12-31"))
        .getJsonArray("occurrences").size()
        + f.call(ingrid, "event.list", new JsonObject().put("from", "2026-01-01").put("to", "2026-12-31"))
        .getJsonArray("occurrences").size();
  }

  private static JsonObject valid() {
    return new JsonObject().put("title", "New").put("start", "2026-05-05T10:00").put("end", "2026-05-05T11:00");
  }

  static Stream<Arguments> badCreates() {
    return Stream.of(
        Arguments.of("an unknown zone", valid().put("zone", "Mars/Olympus_Mons"), "unknown time zone"),
        Arguments.of("a fixed offset instead of a zone", valid().put("zone", "+02:00"), "unknown time zone"),
        Arguments.of("end before start", valid().put("end", "2026-05-05T09:00"), "must not be before"),
        Arguments.of("an all-day end not after its start", valid().put("allDay", true).put("start", "2026-05-05")
            .put("end", "2026-05-05"), "must be after"),
        Arguments.of("a malformed start", valid().put("start", "05/05/2026 10:00"), "data.start"),
        Arguments.of("an impossible date", valid().put("start", "2026-02-30T10:00"), "data.start"),
        Arguments.of("a malformed RRULE", valid().put("rrule", "FREQ=SOMETIMES"), "FREQ"),
        Arguments.of("a malformed BYDAY", valid().put("rrule", "FREQ=WEEKLY;BYDAY=XX"), "BYDAY"),
        Arguments.of("an unsupported RRULE part", valid().put("rrule", "FREQ=DAILY;BYHOUR=9"), "BYHOUR"),
        Arguments.of("a garbled RRULE", valid().put("rrule", "FREQ=WEEKLY;;COUNT"), "malformed"),
        Arguments.of("COUNT and UNTIL together", valid().put("rrule", "FREQ=DAILY;COUNT=3;UNTIL=20260601"), "not both"),
        Arguments.of("a huge COUNT", valid().put("rrule", "FREQ=DAILY;COUNT=100000"), "at most 1000"),
        Arguments.of("an absurd COUNT", valid().put("rrule", "FREQ=DAILY;COUNT=99999999999999999999"), "COUNT"),
        Arguments.of("a malformed exdate", valid().put("rrule", "FREQ=DAILY").put("exdates",
            CalendarFixture.ids("tomorrow")), "data.exdates[0]"),
        Arguments.of("an http link", valid().put("onlineUrl", "http://meet.example.org/x"), "https"),
        Arguments.of("a javascript link", valid().put("onlineUrl", "javascript:alert(1)"), "https"),
        Arguments.of("an event of two years", valid().put("end", "2028-05-05T11:00"), "at most 366 days"),
        Arguments.of("a year out of range", valid().put("start", "9999-01-01T10:00"), "year"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCreates")
  @DisplayName("event.create refuses bad input with bad_request and creates nothing")
  void badCreate(String what, JsonObject data, String message) {
    int before = occurrences();
    RelaisException e = f.fail(ingrid, "event.create", data);
    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(e.getMessage()).contains(message);
    assertThat(occurrences()).isEqualTo(before);
  }

  static Stream<Arguments> badUpdates() {
    return Stream.of(
        Arguments.of("an unknown zone", new JsonObject().put("zone", "Europe/Atlantis")),
        Arguments.of("end before start", new JsonObject().put("end", "2026-05-04T09:00")),
        Arguments.of("a malformed RRULE", new JsonObject().put("rrule", "FREQ=WEEKLY;INTERVAL=0")),
        Arguments.of("a huge COUNT", new JsonObject().put("rrule", "FREQ=WEEKLY;COUNT=5000")),
        Arguments.of("a moved occurrence ending before it starts", new JsonObject().put("scope", "this")
            .put("recurrenceId", "2026-05-11T10:00").put("start", "2026-05-11T12:00").put("end", "2026-05-11T11:00")),
        Arguments.of("a series field for one occurrence", new JsonObject().put("scope", "this")
            .put("recurrenceId", "2026-05-11T10:00").put("rrule", "FREQ=DAILY")),
        Arguments.of("a scope without its occurrence", new JsonObject().put("scope", "following")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badUpdates")
  @DisplayName("event.update refuses bad input with bad_request and leaves the event as it was")
  void badUpdate(String what, JsonObject data) {
    RelaisException e = f.fail(ingrid, "event.update", data.copy().put("eventId", eventId));
    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(event()).isEqualTo(original);
  }

  @Test
  @DisplayName("an occurrence the series does not have is not_found")
  void unknownOccurrence() {
    assertThat(f.fail(ingrid, "event.update", new JsonObject().put("eventId", eventId).put("scope", "this")
        .put("recurrenceId", "2026-05-12T10:00").put("title", "x")).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(event()).isEqualTo(original);
  }

  @Test
  @DisplayName("event.list refuses a range over 366 days, a reversed range and an unknown zone")
  void badRanges() {
    assertThat(f.fail(ingrid, "event.list", new JsonObject().put("from", "2026-01-01").put("to", "2027-06-01"))
        .getMessage()).contains("366 days");
    assertThat(f.fail(ingrid, "event.list", new JsonObject().put("from", "2026-06-01").put("to", "2026-05-01"))
        .code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(f.fail(ingrid, "event.list", new JsonObject().put("from", "2026-06-01").put("to", "2026-06-02")
        .put("zone", "CEST")).code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(f.fail(ingrid, "event.list", new JsonObject().put("from", "yesterday").put("to", "2026-06-02"))
        .code()).isEqualTo(ErrorCode.BAD_REQUEST);
  }

  @Test
  @DisplayName("the schemas refuse unknown fields, wrong types and unknown statuses")
  void schemas() {
    assertThat(f.fail(ingrid, "event.create", valid().put("organizerId", ingrid.id())).getMessage())
        .contains("unknown field");
    assertThat(f.fail(ingrid, "event.rsvp", new JsonObject().put("eventId", eventId).put("status", "maybe")).code())
        .isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(f.fail(ingrid, "event.create", valid().put("status", "cancelled")).code())
        .isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(f.fail(ingrid, "calendar.prefs", new JsonObject().put("reminders", CalendarFixture.ids("15"))).code())
        .isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(f.fail(ingrid, "event.create", valid().put("attendeeIds", CalendarFixture.ids("01HZZZZZZZZZZZZZZZZZZZZZZZ")))
        .code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(occurrences()).isEqualTo(4);
  }
}
