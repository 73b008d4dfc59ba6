package org.relais.tests.server;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node-wide admission of first hellos (helloConcurrency, helloQueue): a burst larger than the bound makes slower
 * progress, with early typed refusals, instead of hellos cut by the 4001 deadline.
 */
class HandshakeAdmissionTest {
  private static final int BURST = 12;

  @Test
  @DisplayName("a burst of hellos past the bound: each is answered or refused at once with unavailable, retryAfterMs and 1013, none cut with 4001; retried, all get in")
  void burstOfHellos() throws Exception {
    try (TestServer s = TestServer.start(Map.of("RELAIS_HELLO_CONCURRENCY", "2", "RELAIS_HELLO_QUEUE", "3",
        "RELAIS_WS_HELLO_TIMEOUT_MS", "15000", "RELAIS_REDIS_TIMEOUT_MS", "10000"))) {
      String admin = s.adminToken();
      String org = s.createOrg(admin, "Burst Org", "ML");
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        tokens.add(s.createUser(admin, org, "Burst " + i).getString("accessToken"));
      }
      List<WsClient> sockets = new ArrayList<>();
      for (int i = 0; i < BURST; i++) {
        sockets.add(s.ws());
      }
      Redis redis = Redis.createClient(s.clients, s.redis.url());
      try {
        // Redis holds every command for 3 s (a second could end before a loaded machine has read the burst): the
        // first hellos stay in their check, so that the burst meets a full bound and a full queue.
        TestServer.await(redis.send(Request.cmd(Command.CLIENT).arg("PAUSE").arg(3_000).arg("ALL")));
        for (int i = 0; i < BURST; i++) {
          sockets.get(i).sendRawNoWait(new JsonObject().put("id", "h").put("op", "hello")
              .put("data", new JsonObject().put("token", tokens.get(i % tokens.size()))).encode());
        }
        List<Integer> refused = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
          WsClient c = sockets.get(i);
          JsonObject reply = c.nextMatching(f -> "h".equals(f.getValue("re")), 15_000);
          if (reply.getBoolean("ok")) {
            assertThat(reply.getJsonObject("data").getString("connectionId")).isNotBlank();
            continue;
          }
          JsonObject error = reply.getJsonObject("error");
          assertThat(error.getString("code")).as("socket %d: %s", i, reply).isEqualTo("unavailable");
          assertThat(error.getLong("retryAfterMs")).as("socket %d", i).isPositive();
          assertThat(c.awaitClose(5_000)).as("socket %d closed with try-again-later", i).isEqualTo((short) 1013);
          refused.add(i);
        }
        // 2 being checked and 3 waiting: at least the rest of the burst was refused before any check.
        assertThat(refused).as("refused hellos").hasSizeGreaterThanOrEqualTo(BURST - 5);
        assertThat(refused).as("admitted hellos").hasSizeLessThan(BURST);
        for (int i : refused) {
          sockets.get(i).close();
          sockets.set(i, s.wsHello(tokens.get(i % tokens.size())));
        }
        for (WsClient c : sockets) {
          assertThat(c.isClosed()).isFalse();
          assertThat(c.call("ping", null).getBoolean("ok")).isTrue();
        }
        String metrics = s.get("/metrics").bodyAsString();
        assertThat(metrics).contains("relais_ws_hello_refused_total");
      } finally {
        redis.close();
        sockets.forEach(WsClient::close);
      }
    }
  }

  @Test
  @DisplayName("a hello whose check cannot reach Redis is refused with unavailable and 1013, not taken for a bad token")
  void redisTimeoutOnHello() throws Exception {
    try (TestServer s = TestServer.start(Map.of("RELAIS_REDIS_TIMEOUT_MS", "200"))) {
      String admin = s.adminToken();
      String org = s.createOrg(admin, "Slow Org", "ML");
      String token = s.createUser(admin, org, "Slow").getString("accessToken");
      WsClient c = s.ws();
      Redis redis = Redis.createClient(s.clients, s.redis.url());
      try {
        TestServer.await(redis.send(Request.cmd(Command.CLIENT).arg("PAUSE").arg(1_500).arg("ALL")));
        JsonObject reply = c.call("hello", new JsonObject().put("token", token));
        assertThat(reply.getBoolean("ok")).as(reply.encode()).isFalse();
        assertThat(reply.getJsonObject("error").getString("code")).isEqualTo("unavailable");
        assertThat(reply.getJsonObject("error").getLong("retryAfterMs")).isPositive();
        assertThat(c.awaitClose(5_000)).isEqualTo((short) 1013);
        Thread.sleep(1_600);
        try (WsClient again = s.wsHello(token)) {
          assertThat(again.call("ping", null).getBoolean("ok")).isTrue();
        }
      } finally {
        redis.close();
        c.close();
      }
    }
  }

  @Test
  @DisplayName("one address holds at most a tenth of the hello queue: its hellos past that share are refused at once with unavailable and 1013, the admitted ones get in")
  void oneAddressShare() throws Exception {
    // concurrency 2, queue 100: one address may have 10 hellos checked or waiting
    try (TestServer s = TestServer.start(Map.of("RELAIS_HELLO_CONCURRENCY", "2", "RELAIS_HELLO_QUEUE", "100",
        "RELAIS_WS_HELLO_TIMEOUT_MS", "15000", "RELAIS_REDIS_TIMEOUT_MS", "10000"))) {
      String admin = s.adminToken();
      String org = s.createOrg(admin, "Share Org", "ML");
      String token = s.createUser(admin, org, "Share").getString("accessToken");
      List<WsClient> sockets = new ArrayList<>();
      for (int i = 0; i < 15; i++) {
        sockets.add(s.ws());
      }
      Redis redis = Redis.createClient(s.clients, s.redis.url());
      try {
        // every check waits for Redis (4 s, room for a loaded machine to read all fifteen): the first ten hellos
        // stay checked or queued while the others arrive
        TestServer.await(redis.send(Request.cmd(Command.CLIENT).arg("PAUSE").arg(4_000).arg("ALL")));
        for (WsClient c : sockets) {
          c.sendRawNoWait(new JsonObject().put("id", "h").put("op", "hello")
              .put("data", new JsonObject().put("token", token)).encode());
        }
        int admitted = 0;
        int refused = 0;
        for (int i = 0; i < sockets.size(); i++) {
          WsClient c = sockets.get(i);
          JsonObject reply = c.nextMatching(f -> "h".equals(f.getValue("re")), 15_000);
          if (reply.getBoolean("ok")) {
            admitted++;
            continue;
          }
          assertThat(reply.getJsonObject("error").getString("code")).as("socket %d: %s", i, reply)
              .isEqualTo("unavailable");
          assertThat(reply.getJsonObject("error").getLong("retryAfterMs")).isPositive();
          assertThat(c.awaitClose(5_000)).isEqualTo((short) 1013);
          refused++;
        }
        assertThat(admitted).as("hellos within the address's share").isEqualTo(10);
        assertThat(refused).as("hellos past it").isEqualTo(5);
        // its share is given back as checks end: the address connects again
        try (WsClient again = s.wsHello(token)) {
          assertThat(again.call("ping", null).getBoolean("ok")).isTrue();
        }
      } finally {
        redis.close();
        sockets.forEach(WsClient::close);
      }
    }
  }
}
