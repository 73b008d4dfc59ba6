package org.relais.tests.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.redis.HashSlots;
import org.relais.redis.ManagedRedis;
import org.relais.tests.redis.TestCluster;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.server.MessagingTest.code;
import static org.relais.tests.server.MessagingTest.id;
import static org.relais.tests.server.MessagingTest.ok;
import static org.relais.tests.server.MessagingTest.send;
import static org.relais.tests.server.MessagingTest.token;

/**
 * Relais on a Redis Cluster of three masters that the test starts itself, two Relais nodes on it: every capability
 * that writes through a Lua script or a batch runs once, with the script key guard on (relais.redis.checkScripts).
 */
class ClusterTest {
  private static TestCluster cluster;
  private static TestServer a;
  private static TestServer b;

  @BeforeAll
  static void start() throws IOException {
    try {
      ManagedRedis.executable();
    } catch (IOException e) {
      Assumptions.abort("no redis-server binary on PATH or bundled for this platform: " + e.getMessage());
    }
    cluster = TestCluster.start();
    Map<String, String> env = Map.of("RELAIS_REDIS_MODE", "cluster");
    a = TestServer.startOnUrl(cluster.urls(), env);
    b = TestServer.startOnUrl(cluster.urls(), env);
  }

  @AfterAll
  static void stop() {
    for (TestServer t : new TestServer[] {a, b}) {
      if (t != null) {
        t.close();
      }
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @DisplayName("on a three-master cluster: sign-in, channels, live messages across two nodes, history, reactions, "
      + "presence, a calendar event, an accepted partnership and notifications")
  void representativeScenario() throws IOException {
    String admin = a.adminToken();
    String wanep = a.createOrg(admin, "WANEP-Mali", "ML");
    String unw = b.createOrg(admin, "UN Women", "US");
    JsonObject aminata = a.createUser(admin, wanep, "Aminata Traoré", "coordinator");
    JsonObject moussa = b.createUser(admin, wanep, "Moussa Keïta");
    JsonObject sarah = a.createUser(admin, unw, "Sarah Johnson", "org-admin");

    try (WsClient am = a.wsHello(token(aminata)); WsClient mo = b.wsHello(token(moussa));
         WsClient sa = b.wsHello(token(sarah))) {
      // A channel made on node A, its messages received live on node B, in order, and in history.
      String channel = MessagingTest.createChannel(am, "Médiation Mopti", "private", id(moussa));
      for (int i = 1; i <= 10; i++) {
        ok(send(am, channel, "message " + i, "c" + i));
      }
      for (int i = 1; i <= 10; i++) {
        JsonObject m = mo.nextPush("message.new", channel, 5_000).getJsonObject("data").getJsonObject("message");
        assertThat(m.getLong("seq")).isEqualTo(i);
      }
      ok(send(mo, channel, "reçu", "m1"));
      JsonArray history = ok(mo.call("message.history", new JsonObject().put("channelId", channel)))
          .getJsonArray("messages");
      assertThat(history).hasSize(11);
      assertThat(ok(send(am, channel, "message 1", "c1")).getBoolean("duplicate")).as("a retried send is deduplicated")
          .isTrue();

      // A reaction on node B reaches node A.
      String first = history.getJsonObject(0).getString("id");
      ok(mo.call("message.react", new JsonObject().put("channelId", channel).put("messageId", first).put("emoji", "👍")));
      JsonObject reaction = am.nextPush("reaction.changed", channel, 5_000).getJsonObject("data");
      assertThat(reaction.getInteger("count")).isEqualTo(1);
      ok(am.call("channel.markRead", new JsonObject().put("channelId", channel).put("seq", 11)));
      JsonObject listed = MessagingTest.findChannel(ok(am.call("channel.list", new JsonObject())), channel);
      assertThat(listed.getLong("seq")).isEqualTo(11);
      assertThat(listed.getLong("lastReadSeq")).isEqualTo(11);

      // Presence, settled by a script over the {presence} slot.
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> "online".equals(
          ok(am.call("presence.get", new JsonObject().put("userIds", new JsonArray().add(id(moussa)))))
              .getJsonArray("presence").getJsonObject(0).getString("status")));

      // A calendar event with an invitation: the event, and the invitee's notification.
      JsonObject event = ok(am.call("event.create", new JsonObject().put("title", "Atelier Mopti")
          .put("start", "2027-05-13T09:00").put("end", "2027-05-13T12:00").put("zone", "Africa/Bamako")
          .put("attendeeIds", new JsonArray().add(id(moussa))))).getJsonObject("event");
      assertThat(mo.nextPush("event.created", 5_000).getJsonObject("data").getJsonObject("event").getString("id"))
          .isEqualTo(event.getString("id"));
      ok(mo.call("event.rsvp", new JsonObject().put("eventId", event.getString("id")).put("status", "accepted")));
      assertThat(ok(am.call("event.list", new JsonObject().put("from", "2027-05-01").put("to", "2027-05-31")))
          .getJsonArray("occurrences")).hasSize(1);

      // A partnership request accepted on node B opens a channel both sides write in.
      String requestId = ok(am.call("partnership.request", new JsonObject().put("toOrgId", unw)
          .put("purpose", "Formation conjointe des médiatrices").put("themes", new JsonArray().add("mediation"))
          .put("focalPoints", new JsonObject().put("from", new JsonArray().add(id(aminata)))
              .put("to", new JsonArray().add(id(sarah)))))).getJsonObject("request").getString("id");
      JsonObject accepted = ok(sa.call("partnership.accept", new JsonObject().put("requestId", requestId)))
          .getJsonObject("request");
      assertThat(accepted.getString("state")).isEqualTo("accepted");
      String partnershipChannel = accepted.getString("channelId");
      assertThat(partnershipChannel).isNotNull();
      ok(send(sa, partnershipChannel, "Hello from UN Women", "p1"));
      assertThat(am.nextPush("message.new", partnershipChannel, 5_000).getJsonObject("data").getJsonObject("message")
          .getString("text")).isEqualTo("Hello from UN Women");

      // Notifications, in each person's slot: the invitation and the partnership request.
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
          kinds(ok(mo.call("notification.list", new JsonObject()))).contains("event.invite"));
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
          kinds(ok(sa.call("notification.list", new JsonObject()))).contains("partnership.new"));
      JsonObject read = ok(mo.call("notification.markRead", new JsonObject().put("all", true)));
      assertThat(read.getInteger("unreadCount")).isZero();

      // Sessions: a refresh rotates the token within the {idn} slot; a reused one is refused.
      JsonObject refreshed = a.post("/api/auth/refresh", new JsonObject()
          .put("refreshToken", moussa.getString("refreshToken")).encode(), null).bodyAsJsonObject();
      assertThat(refreshed.getString("accessToken")).isNotBlank();
      assertThat(code(b.op(refreshed.getString("accessToken"), "user.me", new JsonObject()))).isEqualTo("ok");
    }

    // The data is really spread: every master holds keys, and the slots Relais computes are the cluster's.
    for (int port : cluster.ports()) {
      assertThat(Long.parseLong(cluster.command(port, "DBSIZE"))).as("keys on the master at " + port).isPositive();
    }
    for (String key : List.of("relais:epoch", "relais:ntf:due", "relais:{idn}:users", "relais:ch:{c:01ABC}:log",
        "somekey", "foo")) {
      assertThat(HashSlots.slot(key)).as(key)
          .isEqualTo(Integer.parseInt(cluster.command(cluster.ports().get(0), "CLUSTER", "KEYSLOT", key)));
    }
  }

  private static List<String> kinds(JsonObject list) {
    return list.getJsonArray("notifications").stream()
        .map(n -> ((JsonObject) n).getString("kind")).toList();
  }
}
