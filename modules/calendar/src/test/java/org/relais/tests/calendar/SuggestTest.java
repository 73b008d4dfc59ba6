package org.relais.tests.calendar;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.ErrorCode;
import org.relais.identity.Org;
import org.relais.identity.User;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.calendar.CalendarFixture.ids;

/**
 * Slot finding across zones, in a winter week of next year (so the slots are in the future whenever this runs):
 * Bamako is UTC+0, Oslo UTC+1, New York UTC−5; with 09:00–17:00 each, the common window is 14:00–16:00 UTC.
 */
class SuggestTest {
  private static CalendarFixture f;
  private static User bamako;
  private static User oslo;
  private static User newYork;
  private static User tokyo;
  private static Org network;
  private static LocalDate monday;
  private static LocalDate friday;

  @BeforeAll
  static void start() {
    f = CalendarFixture.start();
    network = f.org("Réseau");
    Org partner = f.org("Partner");
    bamako = f.user(network, "Aminata", "Africa/Bamako");
    oslo = f.user(network, "Ingrid", "Europe/Oslo");
    newYork = f.user(partner, "Grace", "America/New_York");
    tokyo = f.user(partner, "Yuki", "Asia/Tokyo");
    monday = LocalDate.of(LocalDate.now().getYear() + 1, 1, 8).with(TemporalAdjusters.nextOrSame(DayOfWeek.MONDAY));
    friday = monday.plusDays(4);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static JsonObject suggest(User caller, JsonObject extra) {
    return f.call(caller, "schedule.suggest", new JsonObject().put("durationMinutes", 60L)
        .put("from", monday.toString()).put("to", friday.toString()).mergeIn(extra));
  }

  private static List<JsonObject> slots(JsonObject reply) {
    return reply.getJsonArray("slots").stream().map(s -> (JsonObject) s).toList();
  }

  @Test
  @DisplayName("Bamako, Oslo and New York: only slots inside everyone's working hours, 14:00–16:00 UTC, the fairest first")
  void trio() {
    JsonObject reply = suggest(bamako, new JsonObject().put("attendeeIds", ids(bamako.id(), oslo.id(), newYork.id())));
    List<JsonObject> slots = slots(reply);
    assertThat(slots).hasSize(5);
    assertThat(reply.containsKey("reason")).isFalse();
    for (JsonObject slot : slots) {
      OffsetDateTime start = OffsetDateTime.parse(slot.getString("startUtc"));
      OffsetDateTime end = OffsetDateTime.parse(slot.getString("endUtc"));
      assertThat(start.getOffset()).isEqualTo(ZoneOffset.UTC);
      assertThat(start.toLocalTime()).isBetween(LocalTime.of(14, 0), LocalTime.of(15, 0));
      assertThat(end.toLocalTime()).isBeforeOrEqualTo(LocalTime.of(16, 0));
      assertThat(start.getDayOfWeek().getValue()).isBetween(1, 5);
      assertThat(slot.getJsonArray("attendees").stream().map(a -> (JsonObject) a).toList()).hasSize(3)
          .allSatisfy(a -> {
            OffsetDateTime local = OffsetDateTime.parse(a.getString("start"));
            OffsetDateTime localEnd = OffsetDateTime.parse(a.getString("end"));
            assertThat(local.toLocalTime()).isAfterOrEqualTo(LocalTime.of(9, 0));
            assertThat(localEnd.toLocalTime()).isBeforeOrEqualTo(LocalTime.of(17, 0));
          });
    }
    // 14:30 UTC is 14:30 in Bamako, 15:30 in Oslo and 09:30 in New York: nobody at the very edge of their day.
    JsonObject best = slots.get(0);
    assertThat(best.getString("startUtc")).isEqualTo(monday + "T14:30:00Z");
    assertThat(best.getString("start")).as("in the caller's zone").isEqualTo(monday + "T14:30:00+00:00");
    JsonObject inNewYork = best.getJsonArray("attendees").stream().map(a -> (JsonObject) a)
        .filter(a -> a.getString("userId").equals(newYork.id())).findFirst().orElseThrow();
    assertThat(inNewYork.getString("start")).isEqualTo(monday + "T09:30:00-05:00");
    assertThat(inNewYork.getString("zone")).isEqualTo("America/New_York");
    assertThat(slots).extracting(s -> s.getDouble("score")).isSorted();
  }

  @Test
  @DisplayName("busy times count: an attendee's meeting removes the slots it overlaps; a meeting they declined does not")
  void busy() {
    Org others = f.org("Others");
    User b = f.user(others, "Awa", "Africa/Bamako");
    User n = f.user(others, "Nia", "America/New_York");
    User o = f.user(others, "Olga", "Europe/Oslo");
    LocalDate tuesday = monday.plusDays(1);
    f.call(n, "event.create", new JsonObject().put("title", "Board").put("start", monday + "T09:00")
        .put("end", monday + "T11:00"));
    String declined = f.call(o, "event.create", new JsonObject().put("title", "Optional").put("start", tuesday + "T15:00")
        .put("end", tuesday + "T17:00").put("attendeeIds", ids(b.id()))).getJsonObject("event").getString("id");
    f.call(b, "event.rsvp", new JsonObject().put("eventId", declined).put("status", "declined"));

    List<JsonObject> withNewYork = slots(suggest(b, new JsonObject().put("attendeeIds", ids(b.id(), n.id()))
        .put("limit", 20L)));
    assertThat(withNewYork).filteredOn(s -> s.getString("startUtc").startsWith(monday.toString())).isNotEmpty()
        .allSatisfy(s -> assertThat(OffsetDateTime.parse(s.getString("startUtc")).toLocalTime())
            .as("the board meeting is 14:00–16:00 UTC").isAfterOrEqualTo(LocalTime.of(16, 0)));
    assertThat(withNewYork).as("Awa declined Tuesday's meeting: Tuesday 15:00 UTC is free for her")
        .anyMatch(s -> s.getString("startUtc").equals(tuesday + "T15:00:00Z"));

    List<JsonObject> withOslo = slots(suggest(b, new JsonObject().put("attendeeIds", ids(b.id(), o.id()))
        .put("limit", 20L)));
    assertThat(withOslo).filteredOn(s -> s.getString("startUtc").startsWith(tuesday.toString())).isNotEmpty()
        .allSatisfy(s -> assertThat(OffsetDateTime.parse(s.getString("endUtc")).toLocalTime())
            .as("Olga organises 14:00–16:00 UTC on Tuesday").isBeforeOrEqualTo(LocalTime.of(14, 0)));
  }

  @Test
  @DisplayName("with Tokyo added nobody's hours overlap: no slot, and a plain reason")
  void none() {
    JsonObject reply = suggest(oslo, new JsonObject()
        .put("attendeeIds", ids(bamako.id(), oslo.id(), newYork.id(), tokyo.id())));
    assertThat(reply.getJsonArray("slots")).isEmpty();
    assertThat(reply.getString("reasonCode")).isEqualTo("no_common_working_hours");
    assertThat(reply.getString("reason")).contains("Yuki (Asia/Tokyo 09:00–17:00)").contains("never overlap");
  }

  @Test
  @DisplayName("an organisation's people are considered with orgIds; bad ranges are refused")
  void organisationsAndBadInput() {
    JsonObject reply = suggest(bamako, new JsonObject().put("orgIds", ids(network.id())));
    assertThat(slots(reply)).isNotEmpty().allSatisfy(s -> assertThat(s.getJsonArray("attendees")).hasSize(2));
    assertThat(f.fail(bamako, "schedule.suggest", new JsonObject().put("durationMinutes", 60L)
        .put("from", friday.toString()).put("to", monday.toString()).put("attendeeIds", ids(oslo.id()))).code())
        .isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(f.fail(bamako, "schedule.suggest", new JsonObject().put("durationMinutes", 60L)
        .put("from", monday.toString()).put("to", monday.plusDays(100).toString()).put("attendeeIds", ids(oslo.id())))
        .code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(f.fail(bamako, "schedule.suggest", new JsonObject().put("durationMinutes", 60L)
        .put("from", monday.toString()).put("to", friday.toString())).code()).isEqualTo(ErrorCode.BAD_REQUEST);
    JsonObject past = f.call(bamako, "schedule.suggest", new JsonObject().put("durationMinutes", 60L)
        .put("from", "2020-01-06").put("to", "2020-01-10").put("attendeeIds", ids(oslo.id())));
    assertThat(past.getString("reasonCode")).isEqualTo("past");
  }
}
