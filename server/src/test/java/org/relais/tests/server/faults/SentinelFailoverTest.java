package org.relais.tests.server.faults;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.relais.redis.ManagedRedis;
import org.relais.tests.redis.TestSentinel;
import org.relais.tests.server.TestServer;
import org.relais.tests.server.WsClient;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Relais on Sentinel ({@code redisMode=sentinel}), through a real failover: a primary, two replicas and three sentinels
 * ({@link TestSentinel}), Relais with {@code redisWaitReplicas=1}. Messages are sent and acknowledged, the primary is
 * killed with SIGKILL, the sentinels promote the replica, and Relais must follow: sends retried with their
 * clientMsgId succeed again on the new primary, every message acknowledged before the kill is still there (what
 * docs/CLUSTER.md promises with redisWaitReplicas=1), nothing is stored twice, and a member who stayed connected
 * gets every event once, in order, with no resync (nothing was lost, so there is nothing to announce).
 */
class SentinelFailoverTest {
  static final boolean LONG = Boolean.getBoolean("relais.faults.long");

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  @DisplayName("Sentinel: the primary killed (SIGKILL), the replica promoted; Relais follows it, keeps every acknowledged message, and sends work again")
  void primaryKilledReplicaPromoted() throws Exception {
    try {
      ManagedRedis.executable();
    } catch (IOException e) {
      Assumptions.abort("no redis-server binary on PATH or bundled for this platform: " + e.getMessage());
    }
    int before = LONG ? 200 : 20;
    int after = LONG ? 200 : 20;
    try (TestSentinel sentinel = TestSentinel.start(1_000);
         TestServer t = TestServer.startOnUrl(sentinel.sentinelUrls(), Map.of(
             "RELAIS_REDIS_MODE", "sentinel",
             "RELAIS_REDIS_MASTER_NAME", TestSentinel.MASTER_NAME,
             "RELAIS_REDIS_WAIT_REPLICAS", "1",
             "RELAIS_REDIS_WAIT_TIMEOUT_MS", "500",
             "RELAIS_REDIS_TIMEOUT_MS", "1000"))) {
      String admin = t.adminToken();
      String org = t.createOrg(admin, "Sentinel Org", "KE");
      JsonObject amina = t.createUser(admin, org, "Amina Odhiambo");
      JsonObject reader = t.createUser(admin, org, "Reader");
      try (WsClient a = t.wsHello(amina.getString("accessToken"));
           WsClient r = t.wsHello(reader.getString("accessToken"))) {
        String channel = ok(a.call("channel.create", new JsonObject().put("name", "Bascule").put("kind", "thematic")
            .put("visibility", "private").put("memberIds", new JsonArray().add(reader.getJsonObject("user").getString("id")))))
            .getJsonObject("channel").getString("id");
        List<Long> acked = new ArrayList<>();
        for (int i = 1; i <= before; i++) {
          acked.add(sendUntilAcked(a, channel, "before-" + i, 5_000).seq);
        }

        int oldPrimary = sentinel.primaryPort();
        assertThat(oldPrimary).isEqualTo(sentinel.dataPort(0));
        long killedAt = System.currentTimeMillis();
        sentinel.kill(0);
        // Sends go on through the failover: each retried with its clientMsgId until acknowledged.
        Sent first = sendUntilAcked(a, channel, "after-1", 40_000);
        long backMs = System.currentTimeMillis() - killedAt;
        int newPrimary = sentinel.awaitPromoted(oldPrimary, 10_000);
        acked.add(first.seq);
        for (int i = 2; i <= after; i++) {
          acked.add(sendUntilAcked(a, channel, "after-" + i, 10_000).seq);
        }
        System.out.printf("sentinel failover: primary %d killed, replica %d promoted; first send acknowledged again after %d ms "
            + "(%d attempts answered unavailable or timed out)%n", oldPrimary, newPrimary, backMs, first.failures);
        assertThat(newPrimary).isIn(sentinel.dataPort(1), sentinel.dataPort(2));

        // Every acknowledged message is there, once, in order: seqs 1..n without a gap or a repeat.
        assertThat(acked).as("acknowledged seqs").hasSize(before + after);
        for (int i = 0; i < acked.size(); i++) {
          assertThat(acked.get(i)).as("seq of acknowledged message " + (i + 1)).isEqualTo(i + 1L);
        }
        JsonObject history = ok(a.call("message.history", new JsonObject().put("channelId", channel)
            .put("limit", 100)));
        JsonArray messages = history.getJsonArray("messages");
        assertThat(messages.size()).isEqualTo(Math.min(100, before + after));
        // On the promoted primary itself: the message hashes of every acknowledged seq.
        for (long seq : List.of(1L, (long) before, (long) before + after)) {
          assertThat(sentinel.command(newPrimary, "HGET", "relais:ch:{c:" + channel + "}:m:" + seq, "clientMsgId"))
              .isEqualTo(seq <= before ? "before-" + seq : "after-" + (seq - before));
        }

        // The member who stayed connected got every event once, in order, and no resync: nothing was lost.
        long expected = -1;
        int events = 0;
        while (events < before + after) {
          JsonObject ev = r.nextMatching(f -> f.containsKey("ev") && f.getJsonObject("data") != null
              && (channel.equals(f.getJsonObject("data").getString("channelId")) || "resync".equals(f.getString("ev"))), 20_000);
          assertThat(ev.getString("ev")).as("no resync after a failover that lost nothing: " + ev.encode()).isNotEqualTo("resync");
          long offset = ev.getJsonObject("data").getLong("offset");
          if (expected >= 0) {
            assertThat(offset).isEqualTo(expected);
          }
          expected = offset + 1;
          if ("message.new".equals(ev.getString("ev"))) {
            events++;
          }
        }
        // And a socket opened after the failover works on the new primary.
        try (WsClient again = t.wsHello(reader.getString("accessToken"))) {
          assertThat(ok(again.call("message.history", new JsonObject().put("channelId", channel).put("limit", 1)))
              .getJsonArray("messages").getJsonObject(0).getLong("seq")).isEqualTo((long) before + after);
        }
      }
    }
  }

  record Sent(long seq, int failures) {
  }

  /** Sends one message and retries it with the same clientMsgId until it is acknowledged. */
  static Sent sendUntilAcked(WsClient c, String channel, String clientMsgId, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    int failures = 0;
    while (true) {
      JsonObject reply;
      try {
        reply = c.call("message.send", new JsonObject().put("channelId", channel).put("text", "text of " + clientMsgId)
            .put("clientMsgId", clientMsgId));
      } catch (AssertionError e) {
        reply = null;
      }
      if (reply != null && reply.getBoolean("ok", false)) {
        return new Sent(reply.getJsonObject("data").getJsonObject("message").getLong("seq"), failures);
      }
      failures++;
      assertThat(System.currentTimeMillis()).as("acknowledged within " + timeoutMs + " ms; last reply "
          + (reply == null ? "none" : reply.encode())).isLessThan(deadline);
      World.sleep(100);
    }
  }

  private static JsonObject ok(JsonObject reply) {
    assertThat(reply.getBoolean("ok")).as(reply.encode()).isTrue();
    return reply.getJsonObject("data");
  }
}
