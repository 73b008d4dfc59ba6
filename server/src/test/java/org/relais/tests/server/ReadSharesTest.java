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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * History reads drawn on the node's share of their budgets (ReadShares): not checked in Redis one by one, but
 * every unit they served is taken from the budget in Redis shortly after, in a batch. The refusals at the end of a
 * budget (exact on one node, and on the other node) are SharedRateLimitTest's.
 */
class ReadSharesTest {
  private static final Pattern EVALSHA_CALLS = Pattern.compile("cmdstat_evalsha:calls=(\\d+)");

  @Test
  @DisplayName("40 history reads within the budget take about one budget script in Redis instead of one each, and "
      + "all 40 units (and channel.create's 3) are taken from the budget in Redis once settled")
  void readsSettledInBatches() throws Exception {
    // 120 a minute: one unit every 500 ms, so the budget's time stays ahead of the clock while the test runs, and
    // the share after channel.create (half of 117) covers the 40 reads
    try (TestServer s = TestServer.start(Map.of("RELAIS_RATE_EXPENSIVE_PER_USER", "120"))) {
      String admin = s.adminToken();
      String org = s.createOrg(admin, "Share Org", "SN");
      JsonObject login = s.createUser(admin, org, "Aminata Share", "coordinator");
      String token = login.getString("accessToken");
      String userId = s.okOp(token, "user.me", new JsonObject()).getJsonObject("user").getString("id");
      Redis redis = Redis.createClient(s.clients, s.redis.url());
      try (WsClient c = s.wsHello(token)) {
        String budgetKey = "relais:{rl}:expensive:u:" + userId;
        long before = redisMs(redis);
        String channel = c.call("channel.create", new JsonObject().put("name", "Shares").put("kind", "thematic")
            .put("visibility", "private")).getJsonObject("data").getJsonObject("channel").getString("id");
        c.call("message.send", new JsonObject().put("channelId", channel).put("text", "one").put("clientMsgId", "s1"));
        long scriptsBefore = evalshaCalls(redis);
        for (int i = 0; i < 40; i++) {
          JsonObject page = c.call("message.history", new JsonObject().put("channelId", channel).put("limit", 5));
          assertThat(page.getBoolean("ok")).as("read %d", i).isTrue();
          assertThat(page.getJsonObject("data").getJsonArray("messages")).hasSize(1);
        }
        // settled within SETTLE_MS: the budget's theoretical arrival time is 43 units × 500 ms past the first take
        await().atMost(5, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS).untilAsserted(() -> {
          double tat = Double.parseDouble(TestServer.await(redis.send(Request.cmd(Command.GET).arg(budgetKey)))
              .toString());
          assertThat(Math.round((tat - before) / 500.0)).as("units taken in Redis").isEqualTo(43);
        });
        long scripts = evalshaCalls(redis) - scriptsBefore;
        // before the shares: 40 budget scripts; now the first read's check (the share is learned from channel.create's
        // one, so possibly none) and a settle every 100 ms while the reads went on (each read's own check before)
        assertThat(scripts).as("budget scripts for 40 reads").isLessThan(20);
      } finally {
        redis.close();
      }
    }
  }

  private static long redisMs(Redis redis) throws Exception {
    Response t = TestServer.await(redis.send(Request.cmd(Command.TIME)));
    return t.get(0).toLong() * 1000 + t.get(1).toLong() / 1000;
  }

  private static long evalshaCalls(Redis redis) throws Exception {
    String info = TestServer.await(redis.send(Request.cmd(Command.INFO).arg("commandstats"))).toString();
    Matcher m = EVALSHA_CALLS.matcher(info);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }
}
