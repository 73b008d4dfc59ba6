package org.relais.tests.server;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.server.MessagingTest.code;
import static org.relais.tests.server.MessagingTest.id;
import static org.relais.tests.server.MessagingTest.ok;
import static org.relais.tests.server.MessagingTest.token;

/** The calendar through the server: ops over the WebSocket, live events, the ICS feed over HTTP, reminders. */
class CalendarTest {
  private static TestServer t;
  private static String admin;
  private static String org;

  @BeforeAll
  static void start() {
    t = TestServer.start(Map.of());
    admin = t.adminToken();
    org = t.createOrg(admin, "MFA Norway", "NO");
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  @Test
  @DisplayName("an invitation reaches the attendee live; event.list gives UTC, the event's zone and the viewer's; RSVP counts")
  void inviteListRsvp() {
    JsonObject ingrid = t.createUser(admin, org, "Ingrid Larsen");
    JsonObject aminata = t.createUser(admin, org, "Aminata Traoré");
    t.okOp(token(aminata), "user.update", new JsonObject().put("timeZone", "Africa/Bamako"));
    try (WsClient i = t.wsHello(token(ingrid)); WsClient a = t.wsHello(token(aminata))) {
      JsonObject event = ok(i.call("event.create", new JsonObject().put("title", "Capital-level meeting")
          .put("start", "2027-05-13T09:00").put("end", "2027-05-13T17:00").put("zone", "Europe/Oslo")
          .put("attendeeIds", new JsonArray().add(id(aminata))))).getJsonObject("event");
      JsonObject pushed = a.nextPush("event.created", 5_000).getJsonObject("data").getJsonObject("event");
      assertThat(pushed.getString("id")).isEqualTo(event.getString("id"));
      JsonObject invitation = a.nextPush("notification.new", 5_000).getJsonObject("data").getJsonObject("notification");
      assertThat(invitation.getString("kind")).isEqualTo("event.invite");
      assertThat(invitation.getString("title")).isEqualTo("Invitation: Capital-level meeting");
      assertThat(invitation.getJsonObject("target").getString("eventId")).isEqualTo(event.getString("id"));
      assertThat(i.heldPushes("notification.new")).as("the organiser is not notified of their own event").isZero();
      JsonObject list = ok(a.call("event.list", new JsonObject().put("from", "2027-05-01").put("to", "2027-05-31")));
      JsonObject occurrence = list.getJsonArray("occurrences").getJsonObject(0);
      assertThat(occurrence.getString("startUtc")).isEqualTo("2027-05-13T07:00:00Z");
      assertThat(occurrence.getString("start")).isEqualTo("2027-05-13T09:00:00+02:00");
      assertThat(occurrence.getString("startViewer")).isEqualTo("2027-05-13T07:00:00+00:00");
      ok(a.call("event.rsvp", new JsonObject().put("eventId", event.getString("id")).put("status", "accepted")));
      JsonObject got = ok(i.call("event.get", new JsonObject().put("eventId", event.getString("id"))));
      assertThat(got.getJsonObject("event").getJsonObject("rsvp").getJsonObject("counts").getInteger("accepted")).isEqualTo(1);
      assertThat(code(a.call("event.create", new JsonObject().put("title", "x").put("start", "2027-05-13T09:00")
          .put("end", "2027-05-13T08:00").put("zone", "Europe/Oslo")))).isEqualTo("bad_request");
    }
  }

  @Test
  @DisplayName("the ICS subscription URL serves valid iCalendar with ETag and Last-Modified, and 304 when unchanged")
  void icsFeed() {
    JsonObject sarah = t.createUser(admin, org, "Sarah Johnson");
    String tok = token(sarah);
    assertThat(code(t.op(tok, "event.create", new JsonObject().put("title", "x\r\nATTENDEE:mailto:x@evil.example")
        .put("start", "2027-01-11T10:00").put("zone", "America/New_York")))).as("a line break in a title is refused").isEqualTo("bad_request");
    t.okOp(tok, "event.create", new JsonObject().put("title", "Co-chairs; call, with \"quotes\"")
        .put("description", "Agenda\nATTENDEE:mailto:x@evil.example")
        .put("start", "2027-01-11T10:00").put("end", "2027-01-11T11:00").put("zone", "America/New_York")
        .put("rrule", "FREQ=WEEKLY;COUNT=4"));
    JsonObject feed = t.okOp(tok, "calendar.feed", new JsonObject());
    HttpResponse<Buffer> r = t.get(feed.getString("url"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("Content-Type")).startsWith("text/calendar");
    String body = r.bodyAsString();
    assertThat(body).startsWith("BEGIN:VCALENDAR\r\n").contains("BEGIN:VTIMEZONE").contains("TZID:America/New_York")
        .contains("RRULE:FREQ=WEEKLY;COUNT=4");
    assertThat(body).doesNotContain("\r\nATTENDEE:mailto:x@evil.example").contains("SUMMARY:Co-chairs\\; call\\, with \"quotes\"")
        .contains("Agenda\\nATTENDEE");
    for (String line : body.split("\r\n")) {
      assertThat(line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(75);
    }
    // Read back by biweekly, a parser that shares nothing with ical4j, which wrote the feed.
    biweekly.ICalendar parsed = biweekly.Biweekly.parse(body).first();
    assertThat(parsed).isNotNull();
    biweekly.component.VEvent vevent = parsed.getEvents().get(0);
    assertThat(vevent.getSummary().getValue()).isEqualTo("Co-chairs; call, with \"quotes\"");
    assertThat(vevent.getDescription().getValue()).isEqualTo("Agenda\nATTENDEE:mailto:x@evil.example");
    assertThat(vevent.getAttendees()).as("no attendee smuggled in").isEmpty();
    assertThat(vevent.getRecurrenceRule().getValue().getCount()).isEqualTo(4);
    assertThat(vevent.getDateStart().getValue().toInstant()).isEqualTo(java.time.Instant.parse("2027-01-11T15:00:00Z"));
    String etag = r.getHeader("ETag");
    assertThat(etag).isNotBlank();
    assertThat(r.getHeader("Last-Modified")).isNotBlank();
    var again = TestServer.await(t.http.get(feed.getString("url")).putHeader("If-None-Match", etag).send());
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(t.get("/ical/" + "A".repeat(43) + ".ics").statusCode()).isEqualTo(404);
    assertThat(t.get("/ical/..%2F..%2Fpom.xml").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("a reminder arrives live and in the notification center at its time")
  void reminder() {
    JsonObject yuki = t.createUser(admin, org, "Yuki Tanaka");
    try (WsClient y = t.wsHello(token(yuki))) {
      ZoneId zone = ZoneId.of("Asia/Tokyo");
      LocalDateTime start = LocalDateTime.now(zone).plusMinutes(1).plusSeconds(3).truncatedTo(ChronoUnit.SECONDS);
      DateTimeFormatter f = DateTimeFormatter.ISO_LOCAL_DATE_TIME;
      ok(y.call("event.create", new JsonObject().put("title", "Briefing").put("start", start.format(f))
          .put("end", start.plusMinutes(30).format(f)).put("zone", "Asia/Tokyo").put("reminders", new JsonArray().add(1))));
      JsonObject reminder = y.nextPush("event.reminder", 15_000).getJsonObject("data");
      assertThat(reminder.getString("title")).isEqualTo("Briefing");
      JsonObject note = y.nextPush("notification.new", 5_000).getJsonObject("data").getJsonObject("notification");
      assertThat(note.getString("kind")).isEqualTo("event.reminder");
      assertThat(note.getString("title")).isEqualTo("Reminder: Briefing");
    }
  }
}
