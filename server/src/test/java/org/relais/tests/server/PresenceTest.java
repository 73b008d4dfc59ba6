package org.relais.tests.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
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
    return c.nextMatching(f -> "presence.changed".equals(f.getString("ev"))
        && userId.equals(f.getJsonObject("data").getString("userId"))
        && status.equals(f.getJsonObject("data").getString("status")), 10_000).getJsonObject("data");
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
      assertThat(w.heldPushes("presence.changed")).as("no flicker in between").isZero();
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
}
