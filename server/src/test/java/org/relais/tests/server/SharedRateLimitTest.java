package org.relais.tests.server;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The budgets kept in Redis: per person and per address, shared by both transports and by every node. Two real
 * nodes run on one real Redis; a third client speaks to Redis directly only to break a budget's key on purpose.
 */
class SharedRateLimitTest {
  private static final Map<String, String> LIMITS = Map.of(
      "RELAIS_RATE_SEND_PER_USER", "10",
      "RELAIS_RATE_REACT_PER_USER", "1000",
      "RELAIS_RATE_REACT_PER_IP", "8",
      "RELAIS_RATE_EXPENSIVE_PER_USER", "60");
  private static TestServer node1;
  private static TestServer node2;
  private static String admin;
  private static String orgId;

  @BeforeAll
  static void start() {
    node1 = TestServer.start(LIMITS);
    node2 = TestServer.startOn(node1.redis, LIMITS);
    admin = node1.adminToken();
    orgId = node1.createOrg(admin, "WANEP-Ghana", "GH");
  }

  @AfterAll
  static void stop() {
    node2.close();
    node1.close();
  }

  private static String code(JsonObject reply) {
    return reply.getBoolean("ok") ? "ok" : reply.getJsonObject("error").getString("code");
  }

  private static JsonObject person(String name) {
    return node1.createUser(admin, orgId, name, "coordinator");
  }

  private static String channelOf(String token) {
    return node1.okOp(token, "channel.create", new JsonObject().put("name", "Budget " + System.nanoTime())
        .put("kind", "thematic").put("visibility", "private")).getJsonObject("channel").getString("id");
  }

  private static JsonObject send(WsClient c, String channelId, int n) {
    return c.call("message.send", new JsonObject().put("channelId", channelId).put("text", "note " + n)
        .put("clientMsgId", "m" + n + "-" + System.nanoTime()));
  }

  private static JsonObject sendHttp(TestServer node, String token, String channelId, int n) {
    return node.op(token, "message.send", new JsonObject().put("channelId", channelId).put("text", "note " + n)
        .put("clientMsgId", "h" + n + "-" + System.nanoTime()));
  }

  private static int historySize(String token, String channelId) {
    return node1.okOp(token, "message.history", new JsonObject().put("channelId", channelId).put("limit", 100))
        .getJsonArray("messages").size();
  }

  @Test
  @DisplayName("a person's message budget is shared by their socket on one node and HTTP on the other; past it, "
      + "rate_limited with retryAfterMs, nothing sent, the socket still open")
  void sendsAcrossNodesAndTransports() {
    JsonObject login = person("Kwame Mensah");
    String token = login.getString("accessToken");
    String channel = channelOf(token);
    try (WsClient ws = node1.wsHello(token)) {
      long started = System.currentTimeMillis();
      for (int i = 1; i <= 5; i++) {
        assertThat(code(send(ws, channel, i))).as("socket on node 1, send " + i).isEqualTo("ok");
      }
      int sent = 5;
      JsonObject refused = null;
      while (refused == null) {
        JsonObject r = sendHttp(node2, token, channel, sent + 1);
        if (r.getBoolean("ok")) {
          sent++;
        } else {
          refused = r;
        }
      }
      // 10 at once, then one more every 6 s while sending: the checks below run before the next one comes back
      // (unless sending the 10 took most of 6 s), so a slow machine does not see a refilled unit among them.
      assertThat(sent).isBetween(10, 11 + (int) ((System.currentTimeMillis() - started) / 6_000));
      assertThat(code(refused)).isEqualTo("rate_limited");
      refused = send(ws, channel, 99);
      assertThat(code(refused)).as("the socket on node 1 is refused too").isEqualTo("rate_limited");
      assertThat(refused.getJsonObject("error").getLong("retryAfterMs")).isBetween(1L, 6_000L);
      assertThat(refused.getJsonObject("error").getString("message")).contains("messages").contains("account");
      // the send reads the channel while the budget is checked: the refusal still comes first, whatever the request
      JsonObject blank = ws.call("message.send", new JsonObject().put("channelId", channel).put("text", " ")
          .put("clientMsgId", "blank-" + System.nanoTime()));
      assertThat(code(blank)).as("refused before its text is checked").isEqualTo("rate_limited");
      JsonObject elsewhere = ws.call("message.send", new JsonObject().put("channelId", channelOf(admin))
          .put("text", "not a member").put("clientMsgId", "x-" + System.nanoTime()));
      assertThat(code(elsewhere)).as("refused before membership is checked").isEqualTo("rate_limited");
      HttpResponse<Buffer> overHttp = node2.post("/api/ops/message.send", new JsonObject().put("channelId", channel)
          .put("text", "one more").put("clientMsgId", "h32").encode(), token);
      assertThat(overHttp.statusCode()).isEqualTo(429);
      assertThat(overHttp.getHeader("Retry-After")).isNotNull();
      assertThat(overHttp.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("rate_limited");

      assertThat(historySize(token, channel)).as("refused sends wrote nothing").isEqualTo(sent);
      assertThat(code(ws.call("user.me", null))).as("the socket survives and other ops pass").isEqualTo("ok");
      assertThat(ws.isClosed()).isFalse();
      // The budget refills continuously: 10 per minute is one every 6 s.
      long wait = refused.getJsonObject("error").getLong("retryAfterMs");
      sleep(wait + 50);
      assertThat(code(send(ws, channel, 9))).as("after retryAfterMs").isEqualTo("ok");
    }
  }

  @Test
  @DisplayName("another person is not limited by someone else's spent budget")
  void budgetsArePerPerson() {
    String spender = person("Ama Owusu").getString("accessToken");
    String other = person("Yaw Boateng").getString("accessToken");
    String channel = channelOf(spender);
    String otherChannel = channelOf(other);
    int sent = 0;
    while (code(sendHttp(node1, spender, channel, sent)).equals("ok")) {
      sent++;
    }
    assertThat(sent).isBetween(10, 15);
    assertThat(code(sendHttp(node2, other, otherChannel, 1))).isEqualTo("ok");
  }

  @Test
  @DisplayName("reactions from one address are limited across people and nodes, with the address named")
  void reactionsPerAddress() {
    JsonObject a = person("Efua Asante");
    JsonObject b = person("Kofi Annan-Sarpong");
    String tokenA = a.getString("accessToken");
    String tokenB = b.getString("accessToken");
    String channel = node1.okOp(tokenA, "channel.create", new JsonObject().put("name", "Reactions")
            .put("kind", "thematic").put("visibility", "private")
            .put("memberIds", new JsonArray().add(b.getJsonObject("user").getString("id"))))
        .getJsonObject("channel").getString("id");
    String messageId = sendHttp(node1, tokenA, channel, 1).getJsonObject("data").getJsonObject("message").getString("id");
    List<String> emoji = List.of("👍", "🎉", "❤️", "🙏", "✅");
    int ok = 0;
    String lastCode = "ok";
    JsonObject last = null;
    for (int i = 0; i < 10 && lastCode.equals("ok"); i++) {
      TestServer node = i % 2 == 0 ? node1 : node2;
      String token = i % 2 == 0 ? tokenA : tokenB;
      last = node.op(token, "message.react", new JsonObject().put("channelId", channel).put("messageId", messageId)
          .put("emoji", emoji.get(i / 2)));
      lastCode = code(last);
      if (lastCode.equals("ok")) {
        ok++;
      }
    }
    assertThat(ok).isEqualTo(8);
    assertThat(lastCode).isEqualTo("rate_limited");
    assertThat(last.getJsonObject("error").getString("message")).contains("reactions").contains("address");
  }

  @Test
  @DisplayName("costly ops take their cost from one budget on both nodes: 11 slot searches (5 each) and 2 directory "
      + "searches (2 each) fit in 60, one more slot search does not; cheap ops are not counted")
  void expensiveOpsTakeTheirCost() {
    JsonObject login = person("Abena Darko");
    String token = login.getString("accessToken");
    JsonObject suggest = new JsonObject().put("durationMinutes", 60).put("from", "2031-03-03").put("to", "2031-03-04")
        .put("attendeeIds", new JsonArray().add(login.getJsonObject("user").getString("id")));
    for (int i = 0; i < 11; i++) {
      assertThat(code((i % 2 == 0 ? node1 : node2).op(token, "schedule.suggest", suggest))).as("suggest " + i)
          .isEqualTo("ok");
    }
    assertThat(code(node1.op(token, "user.search", new JsonObject()))).isEqualTo("ok");
    assertThat(code(node2.op(token, "user.search", new JsonObject()))).isEqualTo("ok");
    JsonObject refused = node1.op(token, "schedule.suggest", suggest);
    assertThat(code(refused)).isEqualTo("rate_limited");
    assertThat(refused.getJsonObject("error").getString("message")).contains("costly");
    assertThat(code(node2.op(token, "user.me", new JsonObject()))).isEqualTo("ok");
  }

  @Test
  @DisplayName("history reads are checked as they are read: past the budget they answer rate_limited without a page "
      + "(also for a channel that does not exist, and on the other node), and bad input still answers bad_request")
  void historyReadsChecked() {
    JsonObject login = person("Kwame Nkrumah");
    String token = login.getString("accessToken");
    String channel = channelOf(token);
    try (WsClient c = node1.wsHello(token)) {
      send(c, channel, 1);
      JsonObject page = new JsonObject().put("channelId", channel).put("limit", 5);
      int admitted = 0;
      JsonObject refused = null;
      // until refused with a wait long enough for the checks below (a unit comes back every second)
      for (int i = 0; i < 150 && refused == null; i++) {
        JsonObject reply = c.call("message.history", page);
        if (reply.getBoolean("ok")) {
          assertThat(reply.getJsonObject("data").getJsonArray("messages")).hasSize(1);
          admitted++;
        } else {
          assertThat(code(reply)).isEqualTo("rate_limited");
          assertThat(reply.containsKey("data")).isFalse();
          assertThat(reply.getJsonObject("error").getLong("retryAfterMs")).isPositive();
          if (reply.getJsonObject("error").getLong("retryAfterMs") >= 400) {
            refused = reply;
          }
        }
      }
      assertThat(refused).isNotNull();
      assertThat(admitted).isBetween(55, 80);  // 60 a minute, less channel.create (3), plus what refilled meanwhile
      assertThat(code(c.call("message.history", page))).isEqualTo("rate_limited");
      assertThat(code(c.call("message.history", new JsonObject().put("channelId", "01M811ZZZZZZZZZZZZZZZZZZZZ"))))
          .isEqualTo("rate_limited");
      assertThat(code(node2.op(token, "message.history", page))).isEqualTo("rate_limited");
      assertThat(code(c.call("message.history", page.copy().put("limit", 0)))).isEqualTo("bad_request");
    }
  }

  @Test
  @DisplayName("refresh, logout and accept-invite share a per-address budget (the address a trusted proxy gives): "
      + "guessing is refused with 429, another address is not")
  void authEndpointsPerAddress() {
    try (TestServer t = TestServer.start(Map.of("RELAIS_RATE_AUTH_PER_IP", "4", "RELAIS_TRUSTED_PROXIES", "127.0.0.1"))) {
      Map<Integer, Integer> statuses = new HashMap<>();
      for (int i = 0; i < 6; i++) {
        String path = List.of("/api/auth/refresh", "/api/auth/logout").get(i % 2);
        statuses.merge(authCall(t, path, "203.0.113.9", "guess-" + i), 1, Integer::sum);
      }
      assertThat(statuses).isEqualTo(Map.of(200, 2, 401, 2, 429, 2));
      assertThat(authCall(t, "/api/auth/refresh", "203.0.113.10", "guess")).as("another address").isEqualTo(401);
      assertThat(authCall(t, "/api/auth/accept-invite", "203.0.113.9", "guess")).as("same budget").isEqualTo(429);
    }
  }

  private static int authCall(TestServer t, String path, String forwardedFor, String token) {
    JsonObject body = path.endsWith("accept-invite")
        ? new JsonObject().put("token", token).put("password", "a-long-password-1")
        : new JsonObject().put("refreshToken", token);
    return TestServer.await(t.http.post(path).putHeader("Content-Type", "application/json")
        .putHeader("X-Forwarded-For", forwardedFor).sendBuffer(Buffer.buffer(body.encode()))).statusCode();
  }

  @Test
  @DisplayName("when a budget cannot be checked, sends go through (fail-open) and costly ops answer unavailable (fail-closed)")
  void failOpenAndFailClosed() {
    JsonObject login = person("Akosua Frimpong");
    String token = login.getString("accessToken");
    String userId = login.getJsonObject("user").getString("id");
    String channel = channelOf(token);
    // A budget key of the wrong type makes the limiter's script fail, as a Redis fault would.
    Redis redis = Redis.createClient(node1.clients, node1.redis.url());
    for (String budget : List.of("send", "expensive")) {
      String key = "relais:{rl}:" + budget + ":u:" + userId;
      TestServer.await(redis.send(Request.cmd(Command.DEL).arg(key)));
      TestServer.await(redis.send(Request.cmd(Command.HSET).arg(key).arg("x").arg("1")));
    }
    try {
      for (int i = 0; i < 8; i++) {
        assertThat(code(sendHttp(node1, token, channel, i))).as("send " + i).isEqualTo("ok");
      }
      JsonObject search = node2.op(token, "user.search", new JsonObject());
      assertThat(code(search)).isEqualTo("unavailable");
    } finally {
      redis.close();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
