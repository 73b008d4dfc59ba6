package org.relais.tests.calendar;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.calendar.CalendarSettings;
import org.relais.calendar.ReminderSink;
import org.relais.calendar.Reminders;
import org.relais.identity.IdentityService;
import org.relais.identity.Org;
import org.relais.identity.User;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;
import org.relais.redis.Responses;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.relais.tests.calendar.CalendarFixture.ids;

/**
 * Reminders on real schedulers: two nodes (two Vert.x instances, two Redis clients) polling one Redis every 100 ms.
 * Events start 15 minutes and a couple of seconds from now with a 15-minute reminder, so reminders come due within
 * seconds.
 */
class RemindersTest {
  private static final CalendarSettings SETTINGS = CalendarSettings.defaults().withReminderIntervalMs(100);
  private static CalendarFixture f;
  private static User organiser;
  private static User fatou;
  private static User kari;

  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private final List<Node> nodes = new ArrayList<>();

  record Delivery(String node, List<String> userIds, JsonObject reminder) {
  }

  /** One server node's scheduler, with its own Vert.x and Redis client. */
  final class Node {
    final Vertx vertx = Vertx.vertx();
    final RedisDb db = RedisDb.create(vertx, RedisSettings.of(f.redis.url()), new SimpleMeterRegistry());
    final Reminders reminders;

    Node(String name) {
      IdentityService identity = IdentityService.create(db, f.auth, f.pushes, null, 3_600);
      ReminderSink sink = (users, reminder) -> {
        deliveries.add(new Delivery(name, List.copyOf(users), reminder));
        return Future.succeededFuture();
      };
      reminders = Reminders.create(vertx, db, identity, sink, SETTINGS);
    }

    Node started() {
      reminders.start();
      return this;
    }

    void stop() {
      CalendarFixture.await(reminders.stop());
      CalendarFixture.await(vertx.close());
    }
  }

  @BeforeAll
  static void start() {
    f = CalendarFixture.start(SETTINGS);
    Org org = f.org("Réseau");
    organiser = f.user(org, "Oumou", "Africa/Bamako");
    fatou = f.user(org, "Fatou", "Africa/Bamako");
    kari = f.user(org, "Kari", "Europe/Oslo");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @BeforeEach
  void clean() {
    CalendarFixture.await(f.db.send(Command.DEL, "relais:cal:{rem}:due", "relais:cal:{rem}:inflight"));
  }

  @AfterEach
  void stopNodes() {
    nodes.forEach(Node::stop);
  }

  private Node node(String name) {
    Node n = new Node(name);
    nodes.add(n);
    return n;
  }

  /** An event whose 15-minute reminder is due in about {@code seconds}. */
  private static JsonObject dueIn(double seconds, String title) {
    Instant start = Instant.now().plus(Duration.ofMinutes(15)).plusMillis((long) (seconds * 1000))
        .truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    return new JsonObject().put("title", title).put("start", start.toString())
        .put("end", start.plus(Duration.ofMinutes(30)).toString()).put("reminders", ids().add(15L));
  }

  private List<Delivery> of(String eventId) {
    return deliveries.stream().filter(d -> d.reminder().getString("eventId").equals(eventId)).toList();
  }

  private static List<String> dueMembers() {
    return Responses.toList(CalendarFixture.await(f.db.send(Command.ZRANGE, "relais:cal:{rem}:due", "0", "-1")));
  }

  @Test
  @DisplayName("with two schedulers on one Redis, each reminder is delivered exactly once, to the organiser and attendees")
  void exactlyOnceAcrossNodes() throws Exception {
    node("a").started();
    node("b").started();
    List<String> events = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      events.add(f.call(organiser, "event.create", dueIn(1, "Call " + i).put("attendeeIds", ids(fatou.id())))
          .getJsonObject("event").getString("id"));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.size() >= 12);
    Thread.sleep(1_000);
    assertThat(deliveries).hasSize(12);
    assertThat(deliveries.stream().map(d -> d.reminder().getString("eventId")).collect(Collectors.toSet()))
        .containsExactlyInAnyOrderElementsOf(events);
    assertThat(deliveries).allSatisfy(d -> {
      assertThat(d.userIds()).containsExactlyInAnyOrder(organiser.id(), fatou.id());
      assertThat(d.reminder().getInteger("minutesBefore")).isEqualTo(15);
      assertThat(d.reminder().getString("startUtc")).endsWith("Z");
    });
    assertThat(dueMembers()).as("single events leave nothing behind").isEmpty();
  }

  @Test
  @DisplayName("a reminder that came due while no scheduler ran is delivered once by the next one started, and not again by another")
  void deliveredAfterRestart() throws Exception {
    String id = f.call(organiser, "event.create", dueIn(0.5, "While down")).getJsonObject("event").getString("id");
    Thread.sleep(2_500);
    assertThat(deliveries).isEmpty();
    Node first = node("restarted").started();
    await().atMost(Duration.ofSeconds(5)).until(() -> of(id).size() == 1);
    CalendarFixture.await(first.reminders.stop());
    node("another").started();
    Thread.sleep(800);
    assertThat(of(id)).singleElement().satisfies(d -> assertThat(d.node()).isEqualTo("restarted"));
  }

  @Test
  @DisplayName("a recurring event's next reminder is scheduled when one fires; cancelled and moved events do not remind at the old time; who declined is not reminded")
  void followsTheSeries() throws Exception {
    JsonObject daily = dueIn(1, "Daily stand-up").put("rrule", "FREQ=DAILY;COUNT=3")
        .put("attendeeIds", ids(fatou.id(), kari.id()));
    JsonObject created = f.call(organiser, "event.create", daily).getJsonObject("event");
    String recurring = created.getString("id");
    f.call(kari, "event.rsvp", new JsonObject().put("eventId", recurring).put("status", "declined"));
    String cancelled = f.call(organiser, "event.create", dueIn(1, "Cancelled")).getJsonObject("event").getString("id");
    f.call(organiser, "event.cancel", new JsonObject().put("eventId", cancelled));
    JsonObject later = dueIn(1, "Moved");
    String moved = f.call(organiser, "event.create", later).getJsonObject("event").getString("id");
    String newStart = Instant.parse(later.getString("start")).plus(Duration.ofHours(2)).toString();
    f.call(organiser, "event.update", new JsonObject().put("eventId", moved).put("start", newStart));

    node("a").started();
    node("b").started();
    await().atMost(Duration.ofSeconds(10)).until(() -> of(recurring).size() == 1);
    Thread.sleep(1_000);
    assertThat(of(recurring)).singleElement().satisfies(d -> {
      assertThat(d.userIds()).containsExactlyInAnyOrder(organiser.id(), fatou.id());
      assertThat(d.reminder().getString("recurrenceId")).isNotNull();
    });
    assertThat(of(cancelled)).isEmpty();
    assertThat(of(moved)).isEmpty();

    long firstStart = Instant.parse(created.getString("startUtc")).toEpochMilli();
    await().atMost(Duration.ofSeconds(3)).until(() -> dueMembers().contains(recurring + "|" + (firstStart + 86_400_000L) + "|15"));
    long movedStart = Instant.parse(newStart).toEpochMilli();
    assertThat(dueMembers()).contains(moved + "|" + movedStart + "|15");
    assertThat(dueMembers()).noneMatch(m -> m.startsWith(cancelled));
  }

  @Test
  @DisplayName("without reminders of its own, an event reminds each person at their calendar.prefs, or at the defaults (1 day, 15 minutes)")
  void personalDefaults() {
    JsonObject prefs = f.call(kari, "calendar.prefs", new JsonObject().put("reminders", ids().add(30L)));
    assertThat(prefs.getJsonObject("prefs")).isEqualTo(new JsonObject().put("reminders", ids().add(30L))
        .put("custom", true));
    assertThat(f.call(fatou, "calendar.prefs", new JsonObject()).getJsonObject("prefs"))
        .isEqualTo(new JsonObject().put("reminders", ids().add(1_440L).add(15L)).put("custom", false));
    Instant start = Instant.now().plus(Duration.ofDays(3)).truncatedTo(ChronoUnit.SECONDS);
    String id = f.call(fatou, "event.create", new JsonObject().put("title", "In three days")
        .put("start", start.toString()).put("attendeeIds", ids(kari.id()))).getJsonObject("event").getString("id");
    Set<String> scheduled = dueMembers().stream().filter(m -> m.startsWith(id)).collect(Collectors.toSet());
    long s = start.toEpochMilli();
    assertThat(scheduled).containsExactlyInAnyOrder(id + "|" + s + "|15", id + "|" + s + "|30", id + "|" + s + "|1440");
  }
}
