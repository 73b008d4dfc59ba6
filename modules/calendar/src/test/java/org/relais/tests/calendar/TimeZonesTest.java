package org.relais.tests.calendar;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.identity.Org;
import org.relais.identity.User;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Occurrences across DST changes: stored as a local time in the event's zone, each occurrence keeps its local time
 * and its instant follows the zone; viewers see it in their own zone, which changes on its own dates.
 */
class TimeZonesTest {
  private static CalendarFixture f;
  private static User oslo;
  private static User bamako;
  private static User newYork;
  private static User auckland;
  private static String weekly;

  @BeforeAll
  static void start() {
    f = CalendarFixture.start();
    Org org = f.org("Réseau");
    oslo = f.user(org, "Ingrid Oslo", "Europe/Oslo");
    bamako = f.user(org, "Aminata Bamako", "Africa/Bamako");
    newYork = f.user(org, "Grace New York", "America/New_York");
    auckland = f.user(org, "Aroha Auckland", "Pacific/Auckland");
    weekly = f.call(oslo, "event.create", new JsonObject()
            .put("title", "Weekly focal points call").put("start", "2026-03-02T09:00").put("end", "2026-03-02T10:00")
            .put("zone", "Europe/Oslo").put("rrule", "FREQ=WEEKLY;BYDAY=MO")
            .put("attendeeIds", CalendarFixture.ids(bamako.id(), newYork.id())))
        .getJsonObject("event").getString("id");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static List<JsonObject> occurrences(User viewer, String from, String to) {
    JsonObject reply = f.call(viewer, "event.list", new JsonObject().put("from", from).put("to", to));
    return reply.getJsonArray("occurrences").stream().map(o -> (JsonObject) o).toList();
  }

  private static List<JsonObject> weekly(User viewer, String from, String to) {
    return occurrences(viewer, from, to).stream().filter(o -> o.getString("eventId").equals(weekly)).toList();
  }

  @Test
  @DisplayName("a weekly 09:00 Oslo event is 08:00 UTC in winter and 07:00 UTC in summer, seen from New York through the weeks the US changed first")
  void springForwardSeenFromNewYork() {
    List<JsonObject> spring = weekly(newYork, "2026-03-01T00:00:00Z", "2026-04-07T00:00:00Z");
    assertThat(spring).extracting(o -> o.getString("start")).containsExactly(
        "2026-03-02T09:00:00+01:00", "2026-03-09T09:00:00+01:00", "2026-03-16T09:00:00+01:00",
        "2026-03-23T09:00:00+01:00", "2026-03-30T09:00:00+02:00", "2026-04-06T09:00:00+02:00");
    assertThat(spring).extracting(o -> o.getString("startUtc")).containsExactly(
        "2026-03-02T08:00:00Z", "2026-03-09T08:00:00Z", "2026-03-16T08:00:00Z",
        "2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z", "2026-04-06T07:00:00Z");
    // New York moved to EDT on 8 March, Oslo to CEST on 29 March: three weeks at 04:00, then 03:00 again.
    assertThat(spring).extracting(o -> o.getString("startViewer")).containsExactly(
        "2026-03-02T03:00:00-05:00", "2026-03-09T04:00:00-04:00", "2026-03-16T04:00:00-04:00",
        "2026-03-23T04:00:00-04:00", "2026-03-30T03:00:00-04:00", "2026-04-06T03:00:00-04:00");
    assertThat(spring).allSatisfy(o -> {
      assertThat(o.getString("zone")).isEqualTo("Europe/Oslo");
      assertThat(o.getBoolean("recurring")).isTrue();
    });
    assertThat(spring.get(4).getString("endUtc")).isEqualTo("2026-03-30T08:00:00Z");
    assertThat(spring.get(4).getString("recurrenceId")).isEqualTo("2026-03-30T09:00:00");
  }

  @Test
  @DisplayName("in autumn Oslo falls back a week before New York: 07:00, then 08:00 UTC; New York sees 03:00, 04:00, 03:00")
  void fallBackSeenFromNewYork() {
    List<JsonObject> autumn = weekly(newYork, "2026-10-19T00:00:00Z", "2026-11-03T00:00:00Z");
    assertThat(autumn).extracting(o -> o.getString("startUtc")).containsExactly(
        "2026-10-19T07:00:00Z", "2026-10-26T08:00:00Z", "2026-11-02T08:00:00Z");
    assertThat(autumn).extracting(o -> o.getString("start")).containsExactly(
        "2026-10-19T09:00:00+02:00", "2026-10-26T09:00:00+01:00", "2026-11-02T09:00:00+01:00");
    assertThat(autumn).extracting(o -> o.getString("startViewer")).containsExactly(
        "2026-10-19T03:00:00-04:00", "2026-10-26T04:00:00-04:00", "2026-11-02T03:00:00-05:00");
  }

  @Test
  @DisplayName("seen from Bamako (UTC all year) the same call is at 08:00 in winter and 07:00 in summer")
  void seenFromBamako() {
    List<JsonObject> seen = weekly(bamako, "2026-03-23", "2026-03-30");
    assertThat(seen).extracting(o -> o.getString("startViewer"))
        .containsExactly("2026-03-23T08:00:00+00:00", "2026-03-30T07:00:00+00:00");
    JsonObject reply = f.call(bamako, "event.list", new JsonObject().put("from", "2026-03-23").put("to", "2026-03-30"));
    assertThat(reply.getString("viewerZone")).isEqualTo("Africa/Bamako");
    assertThat(reply.getString("from")).isEqualTo("2026-03-23T00:00:00Z");
    assertThat(reply.getString("to")).as("a date as 'to' includes that day").isEqualTo("2026-03-31T00:00:00Z");
  }

  @Test
  @DisplayName("Auckland's DST runs the other way: its 10:00 meeting is 21:00 UTC the day before in March, 22:00 UTC after 5 April, 21:00 again from 27 September")
  void southernHemisphere() {
    String id = f.call(auckland, "event.create", new JsonObject()
            .put("title", "Pacific check-in").put("start", "2026-03-30T10:00").put("end", "2026-03-30T11:00")
            .put("rrule", "FREQ=WEEKLY;COUNT=30"))
        .getJsonObject("event").getString("id");
    List<JsonObject> april = occurrences(auckland, "2026-03-29T00:00:00Z", "2026-04-07T00:00:00Z").stream()
        .filter(o -> o.getString("eventId").equals(id)).toList();
    assertThat(april).extracting(o -> o.getString("start"))
        .containsExactly("2026-03-30T10:00:00+13:00", "2026-04-06T10:00:00+12:00");
    assertThat(april).extracting(o -> o.getString("startUtc"))
        .containsExactly("2026-03-29T21:00:00Z", "2026-04-05T22:00:00Z");
    assertThat(april).extracting(o -> o.getString("zone")).containsOnly("Pacific/Auckland");

    JsonObject shared = f.call(auckland, "event.list", new JsonObject()
        .put("from", "2026-09-20T00:00:00Z").put("to", "2026-09-29T00:00:00Z").put("zone", "Europe/Oslo"));
    List<JsonObject> september = shared.getJsonArray("occurrences").stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("eventId").equals(id)).toList();
    assertThat(september).extracting(o -> o.getString("startUtc"))
        .containsExactly("2026-09-20T22:00:00Z", "2026-09-27T21:00:00Z");
    assertThat(september).extracting(o -> o.getString("startViewer"))
        .containsExactly("2026-09-21T00:00:00+02:00", "2026-09-27T23:00:00+02:00");
  }

  @Test
  @DisplayName("an all-day event is the same dates for everyone, in every zone, with no instants")
  void allDay() {
    String id = f.call(oslo, "event.create", new JsonObject()
            .put("title", "Journée internationale des droits des femmes").put("allDay", true).put("start", "2026-03-08")
            .put("attendeeIds", CalendarFixture.ids(newYork.id(), auckland.id())))
        .getJsonObject("event").getString("id");
    for (User viewer : List.of(oslo, newYork, auckland)) {
      List<JsonObject> found = occurrences(viewer, "2026-03-08", "2026-03-08").stream()
          .filter(o -> o.getString("eventId").equals(id)).toList();
      assertThat(found).as("seen from %s", viewer.timeZone()).singleElement().satisfies(o -> {
        assertThat(o.getBoolean("allDay")).isTrue();
        assertThat(o.getString("start")).isEqualTo("2026-03-08");
        assertThat(o.getString("end")).isEqualTo("2026-03-09");
        assertThat(o.containsKey("startUtc")).isFalse();
      });
      assertThat(occurrences(viewer, "2026-03-09", "2026-03-09")).noneMatch(o -> o.getString("eventId").equals(id));
    }
  }

  @Test
  @DisplayName("a time given with an offset is stored as the local time in the event's zone")
  void offsetInputIsConverted() {
    JsonObject event = f.call(newYork, "event.create", new JsonObject()
            .put("title", "Briefing").put("start", "2026-07-01T13:00:00Z").put("end", "2026-07-01T14:00:00Z"))
        .getJsonObject("event");
    assertThat(event.getString("zone")).isEqualTo("America/New_York");
    assertThat(event.getString("start")).isEqualTo("2026-07-01T09:00:00");
    assertThat(event.getString("startUtc")).isEqualTo("2026-07-01T13:00:00Z");
  }
}
