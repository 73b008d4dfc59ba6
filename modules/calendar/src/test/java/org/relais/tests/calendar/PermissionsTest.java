package org.relais.tests.calendar;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.ErrorCode;
import org.relais.core.Role;
import org.relais.identity.Org;
import org.relais.identity.User;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.calendar.CalendarFixture.await;
import static org.relais.tests.calendar.CalendarFixture.ids;
import static org.relais.tests.calendar.CalendarFixture.principal;

/** Who reads and writes which calendar, and what someone without access sees: nothing. */
class PermissionsTest {
  private static CalendarFixture f;
  private static Org mali;
  private static Org norway;
  private static User admin;
  private static User coordinator;
  private static User member;
  private static User orgAdmin;
  private static User outsider;

  @BeforeAll
  static void start() {
    f = CalendarFixture.start();
    mali = f.org("Réseau Mali");
    norway = f.org("Norway WPS");
    admin = f.user(mali, "Awa Admin", "Africa/Bamako", Role.ADMIN);
    coordinator = f.user(mali, "Coumba Coordinator", "Africa/Bamako", Role.COORDINATOR);
    member = f.user(mali, "Mariam Member", "Africa/Bamako");
    orgAdmin = f.user(norway, "Nora Org-admin", "Europe/Oslo", Role.ORG_ADMIN);
    outsider = f.user(norway, "Olav Outsider", "Europe/Oslo");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static Map<String, JsonObject> calendarsByKind(User user) {
    return f.call(user, "calendar.list", new JsonObject()).getJsonArray("calendars").stream()
        .map(c -> (JsonObject) c).filter(c -> !c.getString("kind").equals("shared") && !c.getString("kind").equals("channel"))
        .collect(Collectors.toMap(c -> c.getString("kind"), c -> c));
  }

  private static String network() {
    return calendarsByKind(member).get("network").getString("id");
  }

  private static JsonObject event(String calendarId, String title) {
    return new JsonObject().put("calendarId", calendarId).put("title", title).put("start", "2026-05-04T10:00")
        .put("end", "2026-05-04T11:00");
  }

  @Test
  @DisplayName("everyone has the network calendar to read, their organisation's and their own, made on first use")
  void listedCalendars() {
    Map<String, JsonObject> mine = calendarsByKind(member);
    assertThat(mine.keySet()).containsExactlyInAnyOrder("network", "organisation", "personal");
    assertThat(mine.get("network").getString("access")).isEqualTo("read");
    assertThat(mine.get("organisation").getString("access")).isEqualTo("read");
    assertThat(mine.get("organisation").getString("orgId")).isEqualTo(mali.id());
    assertThat(mine.get("organisation").getString("name")).isEqualTo("Réseau Mali");
    assertThat(mine.get("personal").getString("access")).isEqualTo("write");
    assertThat(calendarsByKind(coordinator).get("network").getString("access")).isEqualTo("write");
    assertThat(calendarsByKind(admin).get("network").getBoolean("manage")).isTrue();
    assertThat(calendarsByKind(outsider).get("network").getString("id")).as("one network calendar")
        .isEqualTo(mine.get("network").getString("id"));
  }

  @Test
  @DisplayName("a member cannot add to or change the network calendar; coordinators and admins can")
  void networkCalendarWriters() {
    String network = network();
    assertThat(f.fail(member, "event.create", event(network, "Member's event")).code()).isEqualTo(ErrorCode.FORBIDDEN);
    String id = f.call(coordinator, "event.create", event(network, "Network assembly")).getJsonObject("event")
        .getString("id");
    assertThat(f.fail(member, "event.update", new JsonObject().put("eventId", id).put("title", "Mine now")).code())
        .isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(f.fail(member, "event.cancel", new JsonObject().put("eventId", id)).code())
        .isEqualTo(ErrorCode.FORBIDDEN);
    f.call(admin, "event.update", new JsonObject().put("eventId", id).put("title", "Network assembly 2026"));
    assertThat(f.call(member, "event.get", new JsonObject().put("eventId", id)).getJsonObject("event")
        .getString("title")).isEqualTo("Network assembly 2026");
    assertThat(f.fail(member, "calendar.update", new JsonObject().put("calendarId", network).put("name", "Mine"))
        .code()).isEqualTo(ErrorCode.FORBIDDEN);
  }

  @Test
  @DisplayName("an organisation's calendar: its people read, its org-admin writes, other organisations see nothing")
  void organisationCalendar() {
    String oslo = calendarsByKind(orgAdmin).get("organisation").getString("id");
    assertThat(calendarsByKind(orgAdmin).get("organisation").getString("access")).isEqualTo("write");
    String id = f.call(orgAdmin, "event.create", event(oslo, "Board meeting")).getJsonObject("event").getString("id");
    assertThat(f.fail(outsider, "event.create", event(oslo, "Not mine")).code()).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(f.call(outsider, "event.get", new JsonObject().put("eventId", id)).getJsonObject("event")
        .getString("title")).isEqualTo("Board meeting");
    assertThat(f.fail(member, "event.get", new JsonObject().put("eventId", id)).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(f.fail(member, "event.list", new JsonObject().put("calendarId", oslo).put("from", "2026-05-01")
        .put("to", "2026-05-31")).code()).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  @DisplayName("a channel's calendar is its members' to read and write; to anyone else it does not exist")
  void channelCalendar() {
    JsonObject channel = await(f.messaging.createChannel(principal(member), new JsonObject()
        .put("name", "Sahel mediation").put("kind", "thematic").put("visibility", "private")
        .put("memberIds", ids(coordinator.id())))).getJsonObject("channel");
    String channelId = channel.getString("id");
    JsonObject calendar = f.call(member, "calendar.create", new JsonObject().put("channelId", channelId))
        .getJsonObject("calendar");
    assertThat(calendar.getString("kind")).isEqualTo("channel");
    assertThat(calendar.getString("access")).isEqualTo("write");
    assertThat(f.call(coordinator, "calendar.create", new JsonObject().put("channelId", channelId))
        .getJsonObject("calendar").getString("id")).as("one calendar per channel").isEqualTo(calendar.getString("id"));
    assertThat(await(f.calendars.channelCalendar(channelId)).getJsonObject("calendar").getString("id"))
        .isEqualTo(calendar.getString("id"));

    String id = f.call(coordinator, "event.create", event(calendar.getString("id"), "Mediation workshop"))
        .getJsonObject("event").getString("id");
    assertThat(f.call(member, "event.get", new JsonObject().put("eventId", id)).getJsonObject("event")
        .getString("title")).isEqualTo("Mediation workshop");

    assertThat(f.fail(outsider, "calendar.create", new JsonObject().put("channelId", channelId)).code())
        .isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(f.fail(outsider, "event.list", new JsonObject().put("calendarId", calendar.getString("id"))
        .put("from", "2026-05-01").put("to", "2026-05-31")).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(f.fail(outsider, "event.get", new JsonObject().put("eventId", id)).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(f.fail(outsider, "event.create", event(calendar.getString("id"), "Intrusion")).code())
        .isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(f.call(outsider, "calendar.list", new JsonObject()).getJsonArray("calendars").stream()
        .map(c -> ((JsonObject) c).getString("id"))).doesNotContain(calendar.getString("id"));
    assertThat(f.call(outsider, "event.list", new JsonObject().put("from", "2026-05-01").put("to", "2026-05-31"))
        .getJsonArray("occurrences").stream().map(o -> ((JsonObject) o).getString("eventId"))).doesNotContain(id);

    String lunch = f.call(member, "event.create", event(calendar.getString("id"), "Members' lunch"))
        .getJsonObject("event").getString("id");
    await(f.messaging.kick(principal(member), channelId, coordinator.id()));
    assertThat(f.fail(coordinator, "event.get", new JsonObject().put("eventId", lunch)).code())
        .as("who leaves the channel loses its calendar").isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(f.call(coordinator, "event.get", new JsonObject().put("eventId", id)).getBoolean("canEdit"))
        .as("but keeps the events they organise").isTrue();
  }

  @Test
  @DisplayName("someone invited to an event sees that event (not the calendar), and cannot change it")
  void invitedSeesTheEvent() {
    String personal = calendarsByKind(member).get("personal").getString("id");
    String id = f.call(member, "event.create", event(personal, "Coffee with Olav")
        .put("attendeeIds", ids(outsider.id()))).getJsonObject("event").getString("id");
    JsonObject seen = f.call(outsider, "event.get", new JsonObject().put("eventId", id));
    assertThat(seen.getString("access")).isEqualTo("none");
    assertThat(seen.getBoolean("canEdit")).isFalse();
    assertThat(f.call(outsider, "event.list", new JsonObject().put("from", "2026-05-04").put("to", "2026-05-04"))
        .getJsonArray("occurrences").stream().map(o -> ((JsonObject) o).getString("eventId"))).contains(id);
    assertThat(f.fail(outsider, "event.update", new JsonObject().put("eventId", id).put("title", "x")).code())
        .isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(f.fail(outsider, "event.list", new JsonObject().put("calendarId", personal).put("from", "2026-05-01")
        .put("to", "2026-05-31")).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(f.fail(coordinator, "event.get", new JsonObject().put("eventId", id)).code())
        .isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  @DisplayName("a shared calendar: its owner shares it to read with a person and to write with an organisation")
  void sharing() {
    String cal = f.call(member, "calendar.create", new JsonObject().put("name", "Field missions")
        .put("color", "#7b2d8e")).getJsonObject("calendar").getString("id");
    assertThat(f.fail(outsider, "event.list", new JsonObject().put("calendarId", cal).put("from", "2026-05-01")
        .put("to", "2026-05-31")).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(f.fail(coordinator, "calendar.share", new JsonObject().put("calendarId", cal).put("userId", outsider.id())
        .put("access", "read")).code()).isEqualTo(ErrorCode.NOT_FOUND);

    JsonObject shares = f.call(member, "calendar.share", new JsonObject().put("calendarId", cal)
        .put("userId", outsider.id()).put("access", "read"));
    assertThat(shares.getJsonArray("shares")).containsExactly(new JsonObject().put("userId", outsider.id())
        .put("access", "read"));
    String id = f.call(member, "event.create", event(cal, "Mission to Mopti")).getJsonObject("event").getString("id");
    assertThat(f.call(outsider, "event.get", new JsonObject().put("eventId", id)).getString("access")).isEqualTo("read");
    assertThat(f.fail(outsider, "event.create", event(cal, "Mine")).code()).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(f.fail(outsider, "calendar.share", new JsonObject().put("calendarId", cal).put("userId", admin.id())
        .put("access", "read")).code()).isEqualTo(ErrorCode.FORBIDDEN);

    f.call(member, "calendar.share", new JsonObject().put("calendarId", cal).put("orgId", norway.id())
        .put("access", "write"));
    f.call(outsider, "event.create", event(cal, "Mission to Oslo"));
    List<String> listed = f.call(orgAdmin, "calendar.list", new JsonObject()).getJsonArray("calendars").stream()
        .map(c -> ((JsonObject) c).getString("id")).toList();
    assertThat(listed).contains(cal);

    f.call(member, "calendar.share", new JsonObject().put("calendarId", cal).put("orgId", norway.id())
        .put("access", "none"));
    f.call(member, "calendar.share", new JsonObject().put("calendarId", cal).put("userId", outsider.id())
        .put("access", "none"));
    assertThat(f.fail(outsider, "event.get", new JsonObject().put("eventId", id)).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(f.fail(member, "calendar.share", new JsonObject().put("calendarId", cal).put("userId", outsider.id())
        .put("orgId", norway.id()).put("access", "read")).code()).isEqualTo(ErrorCode.BAD_REQUEST);
  }
}
