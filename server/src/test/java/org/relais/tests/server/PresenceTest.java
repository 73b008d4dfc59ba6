package org.relais.tests.server;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.redis.Keys;
import org.relais.redis.ManagedRedis;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;
import org.relais.tests.redis.TestRedis;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relais.tests.server.MessagingTest.id;
import static org.relais.tests.server.MessagingTest.ok;
import static org.relais.tests.server.MessagingTest.token;

class PresenceTest {
  private static TestServer t;
  private static String admin;
  private static String org;
  private JsonObject watcher;
  private JsonObject traveller;

  @BeforeAll
  static void start() {
    t = TestServer.start(Map.of("RELAIS_PRESENCE_GRACE_SECONDS", "1", "RELAIS_PRESENCE_TTL_SECONDS", "4"));
    admin = t.adminToken();
    org = t.createOrg(admin, "MFA Japan", "JP");
  }

  /** Two people who share a direct conversation, fresh for each test. */
  @org.junit.jupiter.api.BeforeEach
  void pair() {
    watcher = t.createUser(admin, org, "Yuki Tanaka");
    traveller = t.createUser(admin, org, "Ingrid Larsen");
    try (WsClient w = t.wsHello(token(watcher))) {
      ok(w.call("dm.open", new JsonObject().put("userIds", new JsonArray().add(id(traveller)))));
    }
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  private static JsonObject nextPresence(WsClient c, String userId, String status) {
    return nextPresence(c, userId, status, 10_000);
  }

  @Test
  @DisplayName("online when connected; still online while one of two devices remains; offline with last seen when both leave")
  void lifecycle() throws Exception {
    try (WsClient w = t.wsHello(token(watcher))) {
      WsClient phone = t.wsHello(token(traveller));
      nextPresence(w, id(traveller), "online");
      WsClient laptop = t.wsHello(token(traveller));
      JsonObject get = ok(w.call("presence.get", new JsonObject().put("userIds", new JsonArray().add(id(traveller)))));
      assertThat(get.getJsonArray("presence").getJsonObject(0).getString("status")).isEqualTo("online");

      phone.close();
      Thread.sleep(2_000);
      assertThat(ok(w.call("presence.get", new JsonObject().put("userIds", new JsonArray().add(id(traveller)))))
          .getJsonArray("presence").getJsonObject(0).getString("status")).as("one device left: still online").isEqualTo("online");

      laptop.close();
      JsonObject offline = nextPresence(w, id(traveller), "offline");
      assertThat(offline.getString("lastSeenAt")).isNotNull();
      // about the traveller only: the watcher's own socket of pair() closed just before, so on a slow machine the
      // watcher may see their own status change too
      assertThat(w.heldMatching(f -> "presence.changed".equals(f.getString("ev"))
          && id(traveller).equals(f.getJsonObject("data").getString("userId")))).as("no flicker in between").isZero();
    }
  }

  @Test
  @DisplayName("do-not-disturb and hidden: set by the user, seen by others; hidden looks offline to others only")
  void dndAndHidden() {
    try (WsClient w = t.wsHello(token(watcher)); WsClient me = t.wsHello(token(traveller))) {
      nextPresence(w, id(traveller), "online");
      JsonObject set = ok(me.call("presence.set", new JsonObject().put("status", "dnd")));
      assertThat(set.getJsonObject("presence").getString("status")).isEqualTo("dnd");
      nextPresence(w, id(traveller), "dnd");
      ok(me.call("presence.set", new JsonObject().put("hidden", true).put("status", "auto")));
      nextPresence(w, id(traveller), "offline");
      JsonObject seenByOthers = ok(w.call("presence.get", new JsonObject().put("userIds", new JsonArray().add(id(traveller)))));
      assertThat(seenByOthers.getJsonArray("presence").getJsonObject(0).getString("status")).isEqualTo("offline");
      JsonObject seenByMe = ok(me.call("presence.get", new JsonObject().put("userIds", new JsonArray().add(id(traveller)))));
      assertThat(seenByMe.getJsonArray("presence").getJsonObject(0).getString("status")).isEqualTo("online");
      ok(me.call("presence.set", new JsonObject().put("hidden", false)));
      nextPresence(w, id(traveller), "online");
    }
  }

  @Test
  @DisplayName("two nodes: the people who share a channel are told once on either node, however many channels they "
      + "share; the user's own sockets get their own view; someone who shares only the organisation channel is not told")
  void twoNodes() {
    ManagedRedis redis = TestRedis.start();
    Map<String, String> env = Map.of("RELAIS_PRESENCE_GRACE_SECONDS", "1", "RELAIS_PRESENCE_TTL_SECONDS", "4");
    try (TestServer a = TestServer.startOn(redis, env); TestServer b = TestServer.startOn(redis, env)) {
      String admin = a.adminToken();
      String org = a.createOrg(admin, "ECOWAS", "NG");
      JsonObject traveller = a.createUser(admin, org, "Fatouma Issoufou");
      JsonObject both = a.createUser(admin, org, "Chinedu Okafor");
      JsonObject group = a.createUser(admin, org, "Aminata Diallo");
      JsonObject stranger = a.createUser(admin, org, "Kwame Mensah");
      // Over HTTP: ops there are not presence, so nobody is online yet.
      a.okOp(token(traveller), "dm.open", new JsonObject().put("userIds", new JsonArray().add(id(both))));
      a.okOp(token(traveller), "channel.create", new JsonObject().put("name", "Abuja desk").put("kind", "thematic")
          .put("visibility", "private").put("memberIds", new JsonArray().add(id(both)).add(id(group))));
      try (WsClient bothOnA = a.wsHello(token(both)); WsClient bothOnB = b.wsHello(token(both));
           WsClient groupOnB = b.wsHello(token(group)); WsClient strangerOnA = a.wsHello(token(stranger));
           WsClient strangerOnB = b.wsHello(token(stranger))) {
        List<WsClient> watchers = List.of(bothOnA, bothOnB, groupOnB);
        WsClient travellerOnB = b.wsHello(token(traveller));
        for (WsClient w : watchers) {
          assertThat(nextPresence(w, id(traveller), "online")).as("the public view")
              .isEqualTo(new JsonObject().put("userId", id(traveller)).put("status", "online"));
        }
        assertThat(nextPresence(travellerOnB, id(traveller), "online").getString("manualStatus"))
            .as("the own view").isEqualTo("auto");

        travellerOnB.close();
        for (WsClient w : watchers) {
          assertThat(nextPresence(w, id(traveller), "offline").getString("lastSeenAt")).isNotNull();
        }
        for (WsClient w : List.of(bothOnA, bothOnB, groupOnB, strangerOnA, strangerOnB)) {
          assertThatThrownBy(() -> w.nextMatching(f -> "presence.changed".equals(f.getString("ev"))
              && id(traveller).equals(f.getJsonObject("data").getString("userId")), 500))
              .as("nothing more about the traveller: one notice per change, none to a stranger")
              .isInstanceOf(AssertionError.class).hasMessageStartingWith("no matching frame");
        }
      }
    } finally {
      redis.stop();
    }
  }

  @Test
  @DisplayName("an announcement older than one already applied (by the user's presence version) is dropped: watchers "
      + "never go back to a stale status; one without a version (an earlier release's node) is applied")
  void staleAnnouncementIsDropped() {
    RedisDb bus = RedisDb.create(t.clients, RedisSettings.of(t.redis.url()), new SimpleMeterRegistry());
    try (WsClient w = t.wsHello(token(watcher))) {
      String dm = ok(w.call("dm.open", new JsonObject().put("userIds", new JsonArray().add(id(traveller)))))
          .getJsonObject("channel").getString("id");
      // the traveller's changes as two nodes would publish them, out of order: version 7, then 6 (late), then 8
      announce(bus, dm, 7L, "dnd");
      nextPresence(w, id(traveller), "dnd");
      announce(bus, dm, 6L, "away");
      announce(bus, dm, 8L, "online");
      nextPresence(w, id(traveller), "online");
      assertThatThrownBy(() -> nextPresence(w, id(traveller), "away", 1_000))
          .as("the late version 6 is not applied").isInstanceOf(AssertionError.class);
      announce(bus, dm, null, "away");
      nextPresence(w, id(traveller), "away");
    } finally {
      TestServer.await(bus.close());
    }
  }

  /** Publishes a presence change of the traveller on the node bus, as PresenceFanout does. */
  private void announce(RedisDb bus, String channelId, Long version, String status) {
    JsonObject change = new JsonObject().put("user", id(traveller)).put("channels", new JsonArray().add(channelId))
        .put("public", new JsonObject().put("userId", id(traveller)).put("status", status));
    if (version != null) {
      change.put("v", version);
    }
    TestServer.await(bus.send(Command.PUBLISH, Keys.BUS_CHANNEL,
        new JsonObject().put("t", "presence").put("changes", new JsonArray().add(change)).encode()));
  }

  private static JsonObject nextPresence(WsClient c, String userId, String status, long timeoutMs) {
    return c.nextMatching(f -> "presence.changed".equals(f.getString("ev"))
        && userId.equals(f.getJsonObject("data").getString("userId"))
        && status.equals(f.getJsonObject("data").getString("status")), timeoutMs).getJsonObject("data");
  }
}
