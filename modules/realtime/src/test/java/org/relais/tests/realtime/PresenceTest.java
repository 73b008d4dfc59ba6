package org.relais.tests.realtime;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.ErrorCode;
import org.relais.core.EventSink;
import org.relais.core.Ids;
import org.relais.core.Op;
import org.relais.core.OpRegistry;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.core.Role;
import org.relais.realtime.Presence;
import org.relais.realtime.PresenceChange;
import org.relais.realtime.PresenceOps;
import org.relais.realtime.PresenceSettings;
import org.relais.redis.ManagedRedis;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;
import org.relais.redis.Responses;
import org.relais.tests.redis.TestRedis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class PresenceTest {
  /** TTL 2 s (sweep every 500 ms, sessions live 1.5 s after a heartbeat), away after 10 min, grace 1 s. */
  private static final PresenceSettings SETTINGS = PresenceSettings.of(2, 600, 1);
  private static ManagedRedis redis;

  private Vertx vertx;
  private final List<Node> nodes = new ArrayList<>();
  private final Events events = new Events();
  private final String alice = Ids.newId();
  private final String bob = Ids.newId();
  private final String carol = Ids.newId();

  @BeforeAll
  static void startRedis() {
    redis = TestRedis.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.stop();
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Node node : nodes) {
      node.presence.stop().await(5, TimeUnit.SECONDS);
    }
    nodes.get(0).db.send(Command.FLUSHALL).await(5, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a user who connects is announced online to the people who share a channel with them, and to themself")
  void connectAnnouncesOnline() throws Exception {
    Node node = node(SETTINGS);
    node.presence.connected(alice, "a1").await(5, TimeUnit.SECONDS);

    assertThat(events.about(alice, bob)).singleElement()
        .isEqualTo(new JsonObject().put("userId", alice).put("status", "online"));
    assertThat(events.about(alice, carol)).singleElement().extracting(e -> e.getString("status")).isEqualTo("online");
    assertThat(events.about(alice, alice)).singleElement()
        .isEqualTo(new JsonObject().put("userId", alice).put("status", "online").put("manualStatus", "auto")
            .put("hidden", false));
    assertThat(status(node, bob, alice)).isEqualTo("online");

    node.presence.connected(alice, "a1").await(5, TimeUnit.SECONDS);
    assertThat(events.about(alice, bob)).as("connecting again is idempotent").hasSize(1);
  }

  @Test
  @DisplayName("with two devices, one leaving keeps the user online and announces nothing")
  void oneOfTwoLeaves() throws Exception {
    // A long TTL (sessions live 7.5 s without heartbeats): a2 is still live when its status is read after the grace.
    Node node = node(PresenceSettings.of(10, 600, 1));
    node.presence.connected(alice, "a1").await(5, TimeUnit.SECONDS);
    node.presence.connected(alice, "a2").await(5, TimeUnit.SECONDS);
    node.presence.disconnected(alice, "a1").await(5, TimeUnit.SECONDS);

    pause(2_000);  // past the grace (1 s), when a1's close is settled
    assertThat(events.about(alice, bob)).extracting(e -> e.getString("status")).containsExactly("online");
    assertThat(status(node, bob, alice)).isEqualTo("online");
  }

  @Test
  @DisplayName("when both devices leave, the user turns offline after the grace, with the time last seen, and no key lingers")
  void bothLeave() throws Exception {
    Node node = node(SETTINGS);
    node.presence.connected(alice, "a1").await(5, TimeUnit.SECONDS);
    node.presence.connected(alice, "a2").await(5, TimeUnit.SECONDS);
    node.presence.disconnected(alice, "a1").await(5, TimeUnit.SECONDS);
    Instant leftAt = Instant.now();
    node.presence.disconnected(alice, "a2").await(5, TimeUnit.SECONDS);
    assertThat(status(node, bob, alice)).as("within the grace").isEqualTo("online");

    await().atMost(Duration.ofSeconds(3)).until(() -> events.about(alice, bob).size() == 2);
    JsonObject offline = events.about(alice, bob).get(1);
    assertThat(offline.getString("status")).isEqualTo("offline");
    assertThat(Instant.parse(offline.getString("lastSeenAt"))).isBetween(leftAt.minusSeconds(1), leftAt.plusSeconds(1));
    JsonObject seenByBob = get(node, bob, alice).getJsonObject(0);
    assertThat(seenByBob).isEqualTo(offline);

    // Nothing stays behind but the user's last-seen state, which expires too.
    List<String> keys = Responses.toList(node.db.send(Command.KEYS, "relais:{presence}:*").await(5, TimeUnit.SECONDS));
    assertThat(keys).containsExactlyInAnyOrder("relais:{presence}:state:" + alice, "relais:{presence}:closed:" + alice);
    for (String key : keys) {
      assertThat(node.db.send(Command.PTTL, key).await(5, TimeUnit.SECONDS).toLong()).as(key).isPositive();
    }
  }

  @Test
  @DisplayName("a reconnect within the grace makes no event at all")
  void reconnectWithinGrace() throws Exception {
    // a 10 s TTL: a2's session lives 7.5 s without heartbeats, well past the check below on a slow machine
    Node node = node(PresenceSettings.of(10, 600, 1));
    node.presence.connected(alice, "a1").await(5, TimeUnit.SECONDS);
    node.presence.disconnected(alice, "a1").await(5, TimeUnit.SECONDS);
    pause(300);
    node.presence.connected(alice, "a2").await(5, TimeUnit.SECONDS);

    pause(1_400);
    assertThat(events.about(alice, bob)).extracting(e -> e.getString("status")).containsExactly("online");
    assertThat(events.about(alice, alice)).hasSize(1);
  }

  @Test
  @DisplayName("a heartbeat that arrives after the session closed does not bring it back")
  void lateHeartbeat() throws Exception {
    // A long TTL: a revived session would keep the user online for 7.5 s, far beyond the grace.
    Node node = node(PresenceSettings.of(10, 600, 1));
    node.presence.connected(alice, "a1").await(5, TimeUnit.SECONDS);
    node.presence.disconnected(alice, "a1").await(5, TimeUnit.SECONDS);
    node.presence.heartbeat(Map.of(alice, List.of("a1"))).await(5, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(3)).until(() -> events.about(alice, bob).size() == 2);
    assertThat(events.about(alice, bob)).extracting(e -> e.getString("status")).containsExactly("online", "offline");
    assertThat(status(node, bob, alice)).isEqualTo("offline");
  }

  @Test
  @DisplayName("a session whose close is recorded before its connect leaves no trace and makes no event")
  void closeBeforeConnect() throws Exception {
    Node node = node(SETTINGS);
    node.presence.disconnected(alice, "a1").await(5, TimeUnit.SECONDS);
    node.presence.connected(alice, "a1").await(5, TimeUnit.SECONDS);

    assertThat(status(node, bob, alice)).isEqualTo("offline");
    assertThat(events.sent).isEmpty();
  }

  @Test
  @DisplayName("heartbeats keep a session alive past the TTL; a node stopped without closing its sockets has its users offline within the TTL")
  void crashedNode() throws Exception {
    Node crashing = node(SETTINGS);
    Node survivor = node(SETTINGS);
    survivor.presence.start();
    crashing.presence.connected(alice, "a1").await(5, TimeUnit.SECONDS);
    crashing.presence.connected(bob, "b1").await(5, TimeUnit.SECONDS);
    long beats = vertx.setPeriodic(SETTINGS.heartbeatIntervalMs(),
        t -> crashing.presence.heartbeat(Map.of(alice, List.of("a1"), bob, List.of("b1"))));

    pause(2_500);
    assertThat(events.about(alice, carol)).extracting(e -> e.getString("status")).containsExactly("online");

    // The crash: heartbeats stop, no socket is closed, nothing is called.
    vertx.cancelTimer(beats);
    long crashedAt = System.nanoTime();
    Instant crashedInstant = Instant.now();
    await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(20))
        .until(() -> events.about(alice, carol).size() == 2 && events.about(bob, carol).size() == 2);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashedAt);

    // Nominally within the TTL (2 s); 1 s more for a loaded machine's late timers, still well under twice the TTL.
    assertThat(tookMs).as("offline within the TTL").isLessThanOrEqualTo(SETTINGS.ttlSeconds() * 1000 + 1_000);
    JsonObject offline = events.about(alice, carol).get(1);
    assertThat(offline.getString("status")).isEqualTo("offline");
    assertThat(Instant.parse(offline.getString("lastSeenAt")))
        .as("the last heartbeat")
        .isBetween(crashedInstant.minusMillis(SETTINGS.heartbeatIntervalMs() + 1_000), crashedInstant.plusMillis(1_000));
    assertThat(events.about(bob, carol)).extracting(e -> e.getString("status")).containsExactly("online", "offline");
  }

  @Test
  @DisplayName("do-not-disturb and away can be set, and auto clears them")
  void setDndAndAway() throws Exception {
    Node node = node(SETTINGS);
    node.presence.connected(alice, "a1").await(5, TimeUnit.SECONDS);

    JsonObject reply = node.presence.set(principal(alice), new JsonObject().put("status", "dnd"))
        .await(5, TimeUnit.SECONDS);
    assertThat(reply).isEqualTo(new JsonObject().put("presence", new JsonObject().put("userId", alice)
        .put("status", "dnd").put("manualStatus", "dnd").put("hidden", false)));
    assertThat(status(node, bob, alice)).isEqualTo("dnd");

    node.presence.set(principal(alice), new JsonObject().put("status", "away")).await(5, TimeUnit.SECONDS);
    node.presence.set(principal(alice), new JsonObject().put("status", "away")).await(5, TimeUnit.SECONDS);
    node.presence.set(principal(alice), new JsonObject().put("status", "auto")).await(5, TimeUnit.SECONDS);

    assertThat(events.about(alice, bob)).extracting(e -> e.getString("status"))
        .containsExactly("online", "dnd", "away", "online");
    assertThat(events.about(alice, alice)).extracting(e -> e.getString("manualStatus"))
        .containsExactly("auto", "dnd", "away", "auto");
  }

  @Test
  @DisplayName("a user inactive for the away delay turns away, and online again when active")
  void inactivityMakesAway() throws Exception {
    Node node = node(PresenceSettings.of(2, 1, 1));
    node.presence.start();
    node.presence.connected(alice, "a1").await(5, TimeUnit.SECONDS);
    long beats = vertx.setPeriodic(SETTINGS.heartbeatIntervalMs(),
        t -> node.presence.heartbeat(Map.of(alice, List.of("a1"))));
    try {
      await().atMost(Duration.ofSeconds(3)).until(() -> events.about(alice, bob).size() == 2);
      assertThat(events.about(alice, bob).get(1).getString("status")).isEqualTo("away");
      assertThat(status(node, bob, alice)).isEqualTo("away");

      node.presence.active(alice).await(5, TimeUnit.SECONDS);
      assertThat(events.about(alice, bob)).extracting(e -> e.getString("status"))
          .containsExactly("online", "away", "online");
    } finally {
      vertx.cancelTimer(beats);
    }
  }

  @Test
  @DisplayName("a hidden user is offline to others, who are told once, and sees their own real status")
  void hidden() throws Exception {
    Node node = node(SETTINGS);
    node.presence.connected(alice, "a1").await(5, TimeUnit.SECONDS);

    JsonObject own = node.presence.set(principal(alice), new JsonObject().put("hidden", true))
        .await(5, TimeUnit.SECONDS).getJsonObject("presence");
    assertThat(own.getString("status")).isEqualTo("online");
    assertThat(own.getBoolean("hidden")).isTrue();
    assertThat(events.about(alice, bob)).extracting(e -> e.getString("status")).containsExactly("online", "offline");
    assertThat(events.about(alice, bob).get(1)).as("no last seen for a hidden user")
        .isEqualTo(new JsonObject().put("userId", alice).put("status", "offline"));
    assertThat(get(node, bob, alice).getJsonObject(0))
        .isEqualTo(new JsonObject().put("userId", alice).put("status", "offline"));
    assertThat(get(node, alice, alice).getJsonObject(0).getString("status")).isEqualTo("online");
    assertThat(events.about(alice, alice).get(1).getBoolean("hidden")).as("their other devices know").isTrue();

    node.presence.set(principal(alice), new JsonObject().put("status", "dnd")).await(5, TimeUnit.SECONDS);
    node.presence.connected(alice, "a2").await(5, TimeUnit.SECONDS);
    assertThat(events.about(alice, bob)).as("nothing more while hidden").hasSize(2);
    assertThat(events.about(alice, alice).get(2).getString("status")).isEqualTo("dnd");

    node.presence.set(principal(alice), new JsonObject().put("hidden", false)).await(5, TimeUnit.SECONDS);
    assertThat(events.about(alice, bob)).extracting(e -> e.getString("status"))
        .containsExactly("online", "offline", "dnd");
  }

  @Test
  @DisplayName("two nodes acting on the same users at once announce each change once, not twice")
  void twoNodesAnnounceOnce() throws Exception {
    Node one = node(SETTINGS);
    Node two = node(SETTINGS);
    List<String> users = IntStream.range(0, 20).mapToObj(i -> Ids.newId()).toList();
    List<Future<Void>> connects = new ArrayList<>();
    for (String user : users) {
      connects.add(one.presence.connected(user, "one-" + user));
      connects.add(two.presence.connected(user, "two-" + user));
    }
    Future.all(connects).await(5, TimeUnit.SECONDS);
    for (String user : users) {
      assertThat(events.about(user, carol)).extracting(e -> e.getString("status")).containsExactly("online");
    }

    // Both nodes "crash"; then each finds the expired sessions at the same moment.
    pause(SETTINGS.sessionLifetimeMs() + 100);
    Future.all(one.presence.get(principal(carol), users), two.presence.get(principal(carol), users),
        one.presence.get(principal(bob), users), two.presence.get(principal(bob), users)).await(5, TimeUnit.SECONDS);
    for (String user : users) {
      assertThat(events.about(user, carol)).extracting(e -> e.getString("status")).containsExactly("online", "offline");
    }
  }

  @Test
  @DisplayName("every announced change of a user carries a higher version than the one before, whichever node made it; "
      + "a call that changes nothing is not announced")
  void versionsRiseWithEachChange() throws Exception {
    List<PresenceChange> announced = new CopyOnWriteArrayList<>();
    List<Presence> two = new ArrayList<>();
    // sessions that outlive a slow test machine (nothing sends heartbeats here); grace 1 s
    PresenceSettings settings = PresenceSettings.of(60, 600, 1);
    for (int i = 0; i < 2; i++) {
      RedisDb db = RedisDb.create(vertx, RedisSettings.of(redis.url()), new SimpleMeterRegistry());
      Presence presence = Presence.create(vertx, db, settings, changes -> {
        announced.addAll(changes);
        return Future.succeededFuture();
      });
      nodes.add(new Node(db, presence));
      two.add(presence);
    }
    two.get(0).connected(alice, "phone").await(5, TimeUnit.SECONDS);
    two.get(1).set(principal(alice), new JsonObject().put("status", "dnd")).await(5, TimeUnit.SECONDS);
    two.get(1).set(principal(alice), new JsonObject().put("status", "dnd")).await(5, TimeUnit.SECONDS);
    two.get(0).connected(alice, "laptop").await(5, TimeUnit.SECONDS);
    two.get(0).set(principal(alice), new JsonObject().put("hidden", true)).await(5, TimeUnit.SECONDS);
    two.get(1).disconnected(alice, "phone").await(5, TimeUnit.SECONDS);
    two.get(0).disconnected(alice, "laptop").await(5, TimeUnit.SECONDS);
    // online, dnd, hidden, then offline when the grace ends; the second dnd and the second device change nothing
    await().atMost(Duration.ofSeconds(5)).until(() -> announced.size() == 4);
    assertThat(announced).extracting(c -> c.ownView().status().wire())
        .containsExactly("online", "dnd", "dnd", "offline");
    assertThat(announced).extracting(PresenceChange::version).isSorted().doesNotHaveDuplicates()
        .allSatisfy(v -> assertThat(v).isPositive());
  }

  @Test
  @DisplayName("users whose grace ends together are settled and announced in one batch, each with their public and own views")
  void graceEndsInBatches() throws Exception {
    RedisDb db = RedisDb.create(vertx, RedisSettings.of(redis.url()), new SimpleMeterRegistry());
    List<List<PresenceChange>> batches = new CopyOnWriteArrayList<>();
    Presence presence = Presence.create(vertx, db, SETTINGS, changes -> {
      batches.add(List.copyOf(changes));
      return Future.succeededFuture();
    });
    nodes.add(new Node(db, presence));
    List<String> users = IntStream.range(0, 40).mapToObj(i -> Ids.newId()).toList();
    List<Future<Void>> connects = new ArrayList<>();
    for (String user : users) {
      connects.add(presence.connected(user, "c-" + user));
    }
    Future.all(connects).await(5, TimeUnit.SECONDS);
    assertThat(batches).as("each connect is its own call").hasSize(users.size());
    assertThat(batches.get(0)).singleElement().satisfies(c -> {
      assertThat(c.publicView().status().wire()).isEqualTo("online");
      assertThat(c.ownView().manualStatus()).isEqualTo("auto");
    });
    batches.clear();

    long closing = System.nanoTime();
    List<Future<Void>> closes = new ArrayList<>();
    for (String user : users) {
      closes.add(presence.disconnected(user, "c-" + user));
    }
    Future.all(closes).await(5, TimeUnit.SECONDS);
    long closedWithinMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing);
    await().atMost(Duration.ofSeconds(3)).until(() -> batches.stream().mapToInt(List::size).sum() == users.size());

    assertThat(batches.stream().flatMap(List::stream).map(PresenceChange::userId))
        .containsExactlyInAnyOrderElementsOf(users);
    for (PresenceChange c : batches.get(0)) {
      assertThat(c.publicView().status().wire()).isEqualTo("offline");
      assertThat(c.publicView().lastSeenAt()).isNotNull();
      assertThat(c.ownView().status().wire()).isEqualTo("offline");
    }
    // 40 closes in one go end their graces within a few ticks of 100 ms (one each before batching).
    assertThat(batches).as("closes spread over %d ms", closedWithinMs)
        .hasSizeLessThanOrEqualTo(2 + (int) (closedWithinMs / Presence.GRACE_TICK_MS));
    assertThat(status(nodes.get(0), bob, users.get(0))).isEqualTo("offline");
  }

  @Test
  @DisplayName("a user never seen is offline with no last seen, and asking writes nothing")
  void neverSeen() throws Exception {
    Node node = node(SETTINGS);
    assertThat(get(node, bob, alice).getJsonObject(0))
        .isEqualTo(new JsonObject().put("userId", alice).put("status", "offline"));
    assertThat(node.db.send(Command.DBSIZE).await(5, TimeUnit.SECONDS).toLong()).isZero();
    assertThat(events.sent).isEmpty();
  }

  @Test
  @DisplayName("presence.get and presence.set validate their data through the op's schema")
  void opsValidate() throws Exception {
    Node node = node(SETTINGS);
    OpRegistry ops = new OpRegistry();
    PresenceOps.register(ops, node.presence);
    Op get = ops.find("presence.get");
    Op set = ops.find("presence.set");

    JsonArray tooMany = new JsonArray();
    IntStream.range(0, 201).forEach(i -> tooMany.add(Ids.newId()));
    for (JsonObject bad : List.of(
        new JsonObject(),
        new JsonObject().put("userIds", new JsonArray()),
        new JsonObject().put("userIds", new JsonArray().add("not-an-id")),
        new JsonObject().put("userIds", new JsonArray().add(alice + "}")),
        new JsonObject().put("userIds", new JsonArray().add(42)),
        new JsonObject().put("userIds", tooMany),
        new JsonObject().put("userIds", new JsonArray().add(alice)).put("extra", true))) {
      assertBadRequest(get, bad);
    }
    assertBadRequest(set, new JsonObject().put("status", "busy"));
    assertBadRequest(set, new JsonObject().put("hidden", "yes"));
    assertBadRequest(set, new JsonObject().put("userId", bob));

    JsonObject data = get.schema().validate(new JsonObject().put("userIds", new JsonArray().add(alice).add(bob).add(alice)));
    JsonObject reply = get.handler().handle(principal(carol), data).await(5, TimeUnit.SECONDS);
    assertThat(reply.getJsonArray("presence")).hasSize(2);
    JsonObject own = set.handler().handle(principal(alice), set.schema().validate(new JsonObject().put("status", "away")))
        .await(5, TimeUnit.SECONDS);
    assertThat(own.getJsonObject("presence").getString("manualStatus")).isEqualTo("away");
  }

  private static void assertBadRequest(Op op, JsonObject data) {
    assertThatThrownBy(() -> op.schema().validate(data)).as(op.name() + " " + data.encode())
        .isInstanceOfSatisfying(RelaisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
  }

  private Node node(PresenceSettings settings) {
    RedisDb db = RedisDb.create(vertx, RedisSettings.of(redis.url()), new SimpleMeterRegistry());
    Everyone everyone = new Everyone(List.of(alice, bob, carol));
    Presence presence = Presence.create(vertx, db, events, settings, everyone::of);
    Node node = new Node(db, presence);
    nodes.add(node);
    return node;
  }

  private static JsonArray get(Node node, String viewer, String... userIds) throws Exception {
    return node.presence.get(principal(viewer), List.of(userIds)).await(5, TimeUnit.SECONDS).getJsonArray("presence");
  }

  private static String status(Node node, String viewer, String userId) throws Exception {
    return get(node, viewer, userId).getJsonObject(0).getString("status");
  }

  private static Principal principal(String userId) {
    return new Principal(userId, Ids.newId(), Set.of(Role.MEMBER), Ids.newId(), "fr");
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private record Node(RedisDb db, Presence presence) {
  }

  /** Everyone watches everyone: the three people of the test, and anyone else (users made up by a test) too. */
  private record Everyone(List<String> people) {
    Future<Collection<String>> of(String userId) {
      return Future.succeededFuture(people);
    }
  }

  /** Records what would be pushed, as each user's sessions would receive it. */
  private static final class Events implements EventSink {
    private record Sent(List<String> to, String ev, JsonObject data) {
    }

    final List<Sent> sent = new CopyOnWriteArrayList<>();

    /** The presence.changed data about {@code userId} that {@code viewer} received, in order. */
    List<JsonObject> about(String userId, String viewer) {
      return sent.stream()
          .filter(s -> s.ev().equals(Presence.CHANGED) && s.to().contains(viewer)
              && userId.equals(s.data().getString("userId")))
          .map(Sent::data)
          .toList();
    }

    @Override
    public Future<Void> toUsers(Collection<String> userIds, String ev, JsonObject data) {
      sent.add(new Sent(List.copyOf(userIds), ev, data.copy()));
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> userChanged(String userId) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> sessionsRevoked(String userId, String sessionId) {
      return Future.succeededFuture();
    }
  }
}
