package org.relais.tests.server;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * History reads drawn on the node's share of their budgets (ReadShares): not checked in Redis one by one, but
 * every unit they used is taken from the budget in Redis shortly after, in a batch; and a node never admits more
 * than a budget holds. Refusals across nodes are SharedRateLimitTest's (historyReadsChecked).
 */
class ReadSharesTest {

  @Test
  @DisplayName("40 history reads within the budget are not checked one by one in Redis (a settle every 100 ms "
      + "instead), and all 40 units are taken from the budget in Redis once settled")
  void readsSettledInBatches() throws Exception {
    // 600 a minute: one unit is 100 ms of the budget's theoretical arrival time
    try (TestServer s = TestServer.start(Map.of("RELAIS_RATE_EXPENSIVE_PER_USER", "600"))) {
      String admin = s.adminToken();
      String org = s.createOrg(admin, "Share Org", "SN");
      String token = s.createUser(admin, org, "Aminata Share", "coordinator").getString("accessToken");
      String userId = s.okOp(token, "user.me", new JsonObject()).getJsonObject("user").getString("id");
      Redis redis = Redis.createClient(s.clients, s.redis.url());
      try (WsClient c = s.wsHello(token)) {
        String channel = c.call("channel.create", new JsonObject().put("name", "Shares").put("kind", "thematic")
            .put("visibility", "private")).getJsonObject("data").getJsonObject("channel").getString("id");
        c.call("message.send", new JsonObject().put("channelId", channel).put("text", "one").put("clientMsgId", "s1"));
        // the budget's arrival time set 10 s ahead of Redis's clock: it stays ahead while the test runs, so every
        // unit taken moves it by exactly 100 ms (and 500 units are left: the share covers the 40 reads)
        String budgetKey = "relais:{rl}:expensive:u:" + userId;
        double start = redisMs(redis) + 10_000;
        TestServer.await(redis.send(Request.cmd(Command.SET).arg(budgetKey).arg(String.format("%.3f", start))
            .arg("PX").arg(60_000)));
        double checksBefore = scripts(s, "rate_limit");
        double settlesBefore = scripts(s, "rate_settle");
        for (int i = 0; i < 40; i++) {
          JsonObject page = c.call("message.history", new JsonObject().put("channelId", channel).put("limit", 5));
          assertThat(page.getBoolean("ok")).as("read %d", i).isTrue();
          assertThat(page.getJsonObject("data").getJsonArray("messages")).hasSize(1);
        }
        await().atMost(5, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS).untilAsserted(() -> {
          double tat = Double.parseDouble(TestServer.await(redis.send(Request.cmd(Command.GET).arg(budgetKey)))
              .toString());
          assertThat(Math.round((tat - start) / 100.0)).as("units taken in Redis").isEqualTo(40);
        });
        // before the shares: 40 checks. Now none (the share was learnt from channel.create's check), or a few if
        // the machine stalled a read for more than a second (the share is then checked again)
        assertThat(scripts(s, "rate_limit") - checksBefore).as("budget checks for 40 reads").isLessThanOrEqualTo(3);
        assertThat(scripts(s, "rate_settle") - settlesBefore).as("settles").isGreaterThanOrEqualTo(1);
      } finally {
        redis.close();
      }
    }
  }

  @Test
  @DisplayName("100 history reads sent at once on one node with 57 units left: no more than the budget holds (and "
      + "what refills meanwhile) are answered, the rest rate_limited")
  void oneNodeNeverOverspends() throws Exception {
    // 60 a minute (one unit back each second); the socket's own bucket out of the way
    try (TestServer s = TestServer.start(Map.of("RELAIS_RATE_EXPENSIVE_PER_USER", "60",
        "RELAIS_WS_RATE_BURST", "1000", "RELAIS_WS_RATE_PER_SECOND", "1000"))) {
      String admin = s.adminToken();
      String org = s.createOrg(admin, "Burst Org", "SN");
      String token = s.createUser(admin, org, "Fatou Burst", "coordinator").getString("accessToken");
      try (WsClient c = s.wsHello(token)) {
        // channel.create takes 3: 57 left, and the node's share is half of that
        String channel = c.call("channel.create", new JsonObject().put("name", "Burst").put("kind", "thematic")
            .put("visibility", "private")).getJsonObject("data").getJsonObject("channel").getString("id");
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) {
          c.sendRawNoWait(new JsonObject().put("id", "r" + i).put("op", "message.history")
              .put("data", new JsonObject().put("channelId", channel).put("limit", 5)).encode());
        }
        int ok = 0;
        int limited = 0;
        for (int i = 0; i < 100; i++) {
          JsonObject reply = c.replyTo("r" + i);
          if (reply.getBoolean("ok")) {
            ok++;
          } else {
            assertThat(reply.getJsonObject("error").getString("code")).isEqualTo("rate_limited");
            limited++;
          }
        }
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertThat(ok).as("reads answered (57 left, plus one a second)").isBetween(28, 57 + (int) seconds + 1);
        assertThat(limited).isEqualTo(100 - ok);
      }
    }
  }

  private static double redisMs(Redis redis) throws Exception {
    Response t = TestServer.await(redis.send(Request.cmd(Command.TIME)));
    return t.get(0).toLong() * 1000 + t.get(1).toLong() / 1000.0;
  }

  /** How many times the server ran one of its scripts. */
  private static double scripts(TestServer s, String name) {
    return s.metric("relais_redis_command_seconds_count{command=\"script:" + name + "\"");
  }
}
