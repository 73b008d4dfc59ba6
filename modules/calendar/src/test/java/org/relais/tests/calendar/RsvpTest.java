package org.relais.tests.calendar;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.calendar.CalendarService;
import org.relais.calendar.CalendarSettings;
import org.relais.core.ErrorCode;
import org.relais.core.Role;
import org.relais.identity.Org;
import org.relais.identity.User;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.calendar.CalendarFixture.await;
import static org.relais.tests.calendar.CalendarFixture.ids;
import static org.relais.tests.calendar.CalendarFixture.principal;

/** Invitations, answers, asking again after a move, and who hears about changes. */
class RsvpTest {
  private static CalendarFixture f;
  private static User organiser;
  private static User fatou;
  private static User kari;
  private static User bystander;
  private static User norwegianColleague;
  private static Org norway;

  @BeforeAll
  static void start() {
    f = CalendarFixture.start();
    Org mali = f.org("Réseau Mali");
    norway = f.org("Norway WPS");
    organiser = f.user(mali, "Oumou Organiser", "Africa/Bamako", Role.COORDINATOR);
    fatou = f.user(mali, "Fatou", "Africa/Bamako");
    kari = f.user(norway, "Kari", "Europe/Oslo");
    bystander = f.user(mali, "Bintou Bystander", "Africa/Bamako");
    norwegianColleague = f.user(norway, "Nils", "Europe/Oslo");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @BeforeEach
  void clear() {
    f.pushes.clear();
  }

  private static String networkCalendar() {
    return f.call(organiser, "calendar.list", new JsonObject()).getJsonArray("calendars").stream()
        .map(c -> (JsonObject) c).filter(c -> c.getString("kind").equals("network")).findFirst().orElseThrow()
        .getString("id");
  }

  private static JsonObject meeting() {
    return new JsonObject().put("calendarId", networkCalendar()).put("title", "UNSCR 1325 review")
        .put("start", "2026-06-10T14:00").put("end", "2026-06-10T15:30").put("zone", "Africa/Bamako")
        .put("onlineUrl", "https://meet.example.org/1325").put("attendeeIds", ids(fatou.id(), kari.id()));
  }

  @Test
  @DisplayName("attendees answer; the organiser sees counts and who answered what, an attendee sees counts and their own")
  void answers() {
    String id = f.call(organiser, "event.create", meeting()).getJsonObject("event").getString("id");
    f.call(fatou, "event.rsvp", new JsonObject().put("eventId", id).put("status", "accepted")
        .put("comment", "Je serai là"));
    f.call(kari, "event.rsvp", new JsonObject().put("eventId", id).put("status", "declined"));

    JsonObject seenByOrganiser = f.call(organiser, "event.get", new JsonObject().put("eventId", id))
        .getJsonObject("event").getJsonObject("rsvp");
    assertThat(seenByOrganiser.getJsonObject("counts")).isEqualTo(new JsonObject().put("accepted", 1)
        .put("declined", 1).put("tentative", 0).put("needsAction", 0));
    assertThat(seenByOrganiser.getJsonArray("answers").stream().map(a -> (JsonObject) a).toList())
        .anySatisfy(a -> {
          assertThat(a.getString("userId")).isEqualTo(fatou.id());
          assertThat(a.getString("status")).isEqualTo("accepted");
          assertThat(a.getString("comment")).isEqualTo("Je serai là");
        })
        .anySatisfy(a -> assertThat(a.getString("status")).isEqualTo("declined"));

    JsonObject seenByFatou = f.call(fatou, "event.get", new JsonObject().put("eventId", id))
        .getJsonObject("event").getJsonObject("rsvp");
    assertThat(seenByFatou.containsKey("answers")).isFalse();
    assertThat(seenByFatou.getJsonObject("mine").getString("status")).isEqualTo("accepted");
    assertThat(seenByFatou.getJsonObject("counts").getInteger("accepted")).isEqualTo(1);

    assertThat(f.fail(bystander, "event.rsvp", new JsonObject().put("eventId", id).put("status", "accepted")).code())
        .as("can see the network event but is not invited").isEqualTo(ErrorCode.FORBIDDEN);
  }

  @Test
  @DisplayName("moving the event asks again those who had accepted, and tells them; a declined answer stands")
  void moveAsksAgain() {
    String id = f.call(organiser, "event.create", meeting()).getJsonObject("event").getString("id");
    f.call(fatou, "event.rsvp", new JsonObject().put("eventId", id).put("status", "accepted"));
    f.call(kari, "event.rsvp", new JsonObject().put("eventId", id).put("status", "declined"));
    f.pushes.clear();

    JsonObject renamed = f.call(organiser, "event.update", new JsonObject().put("eventId", id)
        .put("title", "UNSCR 1325 review (agenda)"));
    assertThat(renamed.getBoolean("moved")).isFalse();
    assertThat(renamed.getJsonArray("reasked")).isEmpty();

    JsonObject moved = f.call(organiser, "event.update", new JsonObject().put("eventId", id)
        .put("start", "2026-06-11T14:00"));
    assertThat(moved.getBoolean("moved")).isTrue();
    assertThat(moved.getJsonArray("reasked")).containsExactly(fatou.id());
    assertThat(moved.getJsonObject("event").getString("end")).as("keeps its length").isEqualTo("2026-06-11T15:30:00");

    JsonObject rsvp = f.call(organiser, "event.get", new JsonObject().put("eventId", id))
        .getJsonObject("event").getJsonObject("rsvp");
    assertThat(rsvp.getJsonObject("counts")).isEqualTo(new JsonObject().put("accepted", 0).put("declined", 1)
        .put("tentative", 0).put("needsAction", 1));
    assertThat(rsvp.getJsonArray("answers").stream().map(a -> (JsonObject) a)
        .filter(a -> a.getString("userId").equals(fatou.id())).findFirst().orElseThrow().getBoolean("reasked")).isTrue();

    List<JsonObject> toFatou = f.pushes.to(fatou, "event.updated");
    assertThat(toFatou).hasSize(2);
    assertThat(toFatou.get(1).getBoolean("moved")).isTrue();
    assertThat(toFatou.get(1).getJsonArray("reasked")).containsExactly(fatou.id());
    assertThat(toFatou.get(1).getJsonObject("event").getString("start")).isEqualTo("2026-06-11T14:00:00");
  }

  @Test
  @DisplayName("changes of a network event go to its organiser and attendees only, never to the whole network")
  void networkAudienceIsBounded() {
    String id = f.call(organiser, "event.create", meeting()).getJsonObject("event").getString("id");
    assertThat(f.pushes.of("event.created")).singleElement().satisfies(p -> {
      assertThat(p.userIds()).containsExactlyInAnyOrder(organiser.id(), fatou.id(), kari.id());
      assertThat(p.data().getJsonObject("event").getString("id")).isEqualTo(id);
    });
    f.call(organiser, "event.cancel", new JsonObject().put("eventId", id));
    assertThat(f.pushes.of("event.cancelled")).singleElement().satisfies(p -> {
      assertThat(p.userIds()).containsExactlyInAnyOrder(organiser.id(), fatou.id(), kari.id());
      assertThat(p.data().getString("scope")).isEqualTo("all");
    });
    assertThat(f.pushes.to(bystander, "event.created")).isEmpty();
  }

  @Test
  @DisplayName("inviting an organisation invites its people: they see it, answer it and hear about it")
  void organisationInvited() {
    JsonObject data = meeting().put("attendeeIds", ids()).put("orgIds", ids(norway.id()));
    String id = f.call(organiser, "event.create", data).getJsonObject("event").getString("id");
    assertThat(f.pushes.of("event.created")).singleElement().satisfies(p -> assertThat(p.userIds())
        .containsExactlyInAnyOrder(organiser.id(), kari.id(), norwegianColleague.id()));
    f.call(norwegianColleague, "event.rsvp", new JsonObject().put("eventId", id).put("status", "tentative"));
    assertThat(f.call(organiser, "event.get", new JsonObject().put("eventId", id)).getJsonObject("event")
        .getJsonObject("rsvp").getJsonObject("counts").getInteger("tentative")).isEqualTo(1);
  }

  @Test
  @DisplayName("rsvp.changed: the organiser and the person who answered get the answer and comment, other attendees the counts")
  void rsvpPushes() {
    String id = f.call(organiser, "event.create", meeting()).getJsonObject("event").getString("id");
    f.pushes.clear();
    f.call(fatou, "event.rsvp", new JsonObject().put("eventId", id).put("status", "tentative")
        .put("comment", "Peut-être"));
    JsonObject toOrganiser = f.pushes.to(organiser, "rsvp.changed").get(0);
    assertThat(toOrganiser.getString("userId")).isEqualTo(fatou.id());
    assertThat(toOrganiser.getString("comment")).isEqualTo("Peut-être");
    assertThat(toOrganiser.getJsonObject("counts").getInteger("tentative")).isEqualTo(1);
    JsonObject toKari = f.pushes.to(kari, "rsvp.changed").get(0);
    assertThat(toKari.containsKey("userId")).isFalse();
    assertThat(toKari.containsKey("comment")).isFalse();
    assertThat(toKari.getJsonObject("counts").getInteger("tentative")).isEqualTo(1);
  }

  @Test
  @DisplayName("with channel members given, a channel calendar's changes reach every member of the channel")
  void channelMembersHear() {
    JsonObject channel = await(f.messaging.createChannel(principal(organiser), new JsonObject()
        .put("name", "Protection of civilians").put("kind", "thematic").put("visibility", "private")
        .put("memberIds", ids(fatou.id(), bystander.id())))).getJsonObject("channel");
    String channelId = channel.getString("id");
    CalendarService withMembers = f.service(c -> f.messaging.members(principal(organiser),
            new JsonObject().put("channelId", c))
        .map(r -> r.getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("userId")).toList()),
        CalendarSettings.defaults());
    String cal = await(withMembers.channelCalendar(channelId)).getJsonObject("calendar").getString("id");
    await(withMembers.createEvent(principal(fatou), new JsonObject().put("calendarId", cal).put("title", "Field visit")
        .put("start", "2026-06-15T09:00").put("end", "2026-06-15T12:00")));
    assertThat(f.pushes.of("event.created")).singleElement().satisfies(p -> assertThat(p.userIds())
        .containsExactlyInAnyOrder(organiser.id(), fatou.id(), bystander.id()));
  }
}
