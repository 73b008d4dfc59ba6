package org.relais.tests.server;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.redis.ManagedRedis;
import org.relais.tests.redis.TestRedis;
import org.relais.tests.server.faults.RedisProxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reconnect storm from one address (many users behind one NAT or proxy, or the benchmark's generator): the
 * sockets that said hello wait in the node's admission queue, not against their address's budget of silent sockets
 * (20 per gateway instance), which still refuses the upgrades of an address holding too many sockets that say
 * nothing.
 */
class StormAdmissionTest {
  private static final int STORM = 70;

  @Test
  @DisplayName("70 sockets from one address say hello while their checks wait: all upgraded, none refused, all ready once Redis answers")
  void helloSaidLeavesTheSilentBudget() throws Exception {
    // a queue of 1,000: one address may hold a tenth of it (100), more than this storm
    try (TestServer s = TestServer.start(Map.of("RELAIS_HELLO_CONCURRENCY", "1", "RELAIS_HELLO_QUEUE", "1000",
        "RELAIS_WS_HELLO_TIMEOUT_MS", "30000", "RELAIS_REDIS_TIMEOUT_MS", "20000"))) {
      String admin = s.adminToken();
      String org = s.createOrg(admin, "Storm Org", "ML");
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        tokens.add(s.createUser(admin, org, "Storm " + i).getString("accessToken"));
      }
      Redis redis = Redis.createClient(s.clients, s.redis.url());
      List<RawWs> sockets = new ArrayList<>();
      try {
        // Redis holds every command for 8 s: the first hello stays in its check, the others wait in the queue,
        // longer than the storm takes to connect (on a loaded machine too). Before, each of them still counted as a
        // silent socket of its address, and the upgrades past 20 per gateway instance were answered 429.
        TestServer.await(redis.send(Request.cmd(Command.CLIENT).arg("PAUSE").arg(8_000).arg("ALL")));
        long t0 = System.nanoTime();
        for (int i = 0; i < STORM; i++) {
          RawWs ws = RawWs.connect(s.port);
          sockets.add(ws);
          assertThat(ws.responseHead).as("upgrade %d", i).startsWith("HTTP/1.1 101");
          ws.sendText(new JsonObject().put("id", "h").put("op", "hello")
              .put("data", new JsonObject().put("token", tokens.get(i % tokens.size()))).encode());
        }
        assertThat((System.nanoTime() - t0) / 1_000_000).as("the storm connected while Redis was paused").isLessThan(8_000);
        for (int i = 0; i < STORM; i++) {
          String reply = replyTo(sockets.get(i), "h");
          assertThat(reply).as("socket %d", i).contains("\"ok\":true").contains("\"connectionId\"");
        }
      } finally {
        redis.close();
        for (RawWs ws : sockets) {
          ws.close();
        }
      }
    }
  }

  @Test
  @DisplayName("sockets from one address that say nothing: past 20 per gateway instance the upgrade answers 429")
  void silentSocketsStillBounded() throws Exception {
    try (TestServer s = TestServer.start()) {
      List<RawWs> sockets = new ArrayList<>();
      int refused = 0;
      try {
        // two gateway instances (TestServer runs two event loops): 40 silent sockets at most
        for (int i = 0; i < 45; i++) {
          RawWs ws = RawWs.connect(s.port);
          sockets.add(ws);
          if (ws.responseHead.startsWith("HTTP/1.1 429")) {
            refused++;
          } else {
            assertThat(ws.responseHead).startsWith("HTTP/1.1 101");
          }
        }
        assertThat(refused).as("upgrades refused past the budget").isGreaterThanOrEqualTo(5);
      } finally {
        for (RawWs ws : sockets) {
          ws.close();
        }
      }
    }
  }

  @Test
  @DisplayName("a storm on a node that was idle is not a stuck node: a refusal before any check has ended asks for "
      + "about a second; once no check has ended for 2 s while hellos wait, for twice the stall")
  void idleNodeStormIsNotStuck() throws Exception {
    // concurrency 1 and a queue of 100: one address holds at most 10 hellos (one checked, nine waiting)
    try (TestServer s = TestServer.start(Map.of("RELAIS_HELLO_CONCURRENCY", "1", "RELAIS_HELLO_QUEUE", "100",
        "RELAIS_WS_HELLO_TIMEOUT_MS", "20000", "RELAIS_REDIS_TIMEOUT_MS", "20000"))) {
      String admin = s.adminToken();
      String org = s.createOrg(admin, "Idle Org", "ML");
      String token = s.createUser(admin, org, "Idle 0").getString("accessToken");
      // set-up went over HTTP: no hello has been checked since the node started, more than 2 s ago
      Thread.sleep(2_500);
      Redis redis = Redis.createClient(s.clients, s.redis.url());
      List<RawWs> sockets = new ArrayList<>();
      try {
        // Upgraded first (twelve silent sockets, within the address's budget): the refusal of the eleventh hello
        // must come within 2 s of the first one's admission (after that the node counts as stalled), so only the
        // hellos are sent in that time, not the upgrades as well.
        for (int i = 0; i < 12; i++) {
          RawWs ws = RawWs.connect(s.port);
          sockets.add(ws);
          assertThat(ws.responseHead).as("upgrade %d", i).startsWith("HTTP/1.1 101");
        }
        TestServer.await(redis.send(Request.cmd(Command.CLIENT).arg("PAUSE").arg(8_000).arg("ALL")));
        long firstHelloAt = System.nanoTime();
        long eleventhSentMs = -1;
        for (int i = 0; i < 12; i++) {
          if (i == 10) {
            // the ten hellos before are read on two event loops: the eleventh must not overtake one of them
            // (it would be queued and that one refused), so it waits until all ten are checked or waiting
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (s.metric("relais_ws_hello_checking") + s.metric("relais_ws_hello_waiting") < 10) {
              assertThat(System.nanoTime()).as("ten hellos admitted or queued").isLessThan(deadline);
              Thread.sleep(20);
            }
            assertThat(s.metric("relais_ws_hello_checking")).isEqualTo(1.0);
          }
          if (i == 11) {
            // more than 2 s with no check ended while nine hellos wait: that node is stalled
            Thread.sleep(2_500);
          }
          sockets.get(i).sendText(new JsonObject().put("id", "h").put("op", "hello")
              .put("data", new JsonObject().put("token", token)).encode());
          if (i == 10) {
            eleventhSentMs = (System.nanoTime() - firstHelloAt) / 1_000_000;
          }
        }
        for (int i = 10; i < 12; i++) {
          JsonObject reply = new JsonObject(replyTo(sockets.get(i), "h"));
          assertThat(reply.getJsonObject("error").getString("code")).as("socket %d", i).isEqualTo("unavailable");
          long retryAfterMs = reply.getJsonObject("error").getLong("retryAfterMs");
          if (i == 10) {
            assertThat(retryAfterMs).as("a storm on an idle node: retry in about a second (the eleventh hello sent %d ms "
                + "after the first)", eleventhSentMs).isBetween(1_000L, 1_999L);
          } else {
            assertThat(retryAfterMs).as("a stalled node: retry after at least twice the stall")
                .isGreaterThanOrEqualTo(4_000L);
          }
        }
        for (int i = 0; i < 10; i++) {
          assertThat(replyTo(sockets.get(i), "h")).as("socket %d, once Redis answers", i).contains("\"ok\":true");
        }
      } finally {
        redis.close();
        for (RawWs ws : sockets) {
          ws.close();
        }
      }
    }
  }

  @Test
  @DisplayName("hellos queued past wsHelloTimeoutMs keep their place while the node keeps ending checks (a slow "
      + "Redis): all get in, none refused")
  void queuedHellosWaitWhileChecksEnd() throws Exception {
    ManagedRedis redis = TestRedis.start();
    Vertx vertx = Vertx.vertx();
    // one check at a time, each slowed by a Redis link that delays every byte 40 ms: twelve take several times the
    // 1 s a hello may wait in the queue while no check ends
    try (RedisProxy proxy = new RedisProxy(vertx, redis.port());
         TestServer s = TestServer.startOn(redis, Map.of("RELAIS_REDIS_URL", proxy.url(redis.url()),
             "RELAIS_HELLO_CONCURRENCY", "1", "RELAIS_HELLO_QUEUE", "200", "RELAIS_WS_HELLO_TIMEOUT_MS", "1000"))) {
      String admin = s.adminToken();
      String org = s.createOrg(admin, "Slow Link Org", "ML");
      String token = s.createUser(admin, org, "Slow Link").getString("accessToken");
      List<RawWs> sockets = new ArrayList<>();
      try {
        proxy.delay(40);
        long t0 = System.nanoTime();
        for (int i = 0; i < 12; i++) {
          RawWs ws = RawWs.connect(s.port);
          sockets.add(ws);
          assertThat(ws.responseHead).as("upgrade %d", i).startsWith("HTTP/1.1 101");
          ws.sendText(new JsonObject().put("id", "h").put("op", "hello")
              .put("data", new JsonObject().put("token", token)).encode());
        }
        for (int i = 0; i < sockets.size(); i++) {
          assertThat(replyTo(sockets.get(i), "h")).as("socket %d", i).contains("\"ok\":true");
        }
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(tookMs).as("the queue outlasted wsHelloTimeoutMs (otherwise this test shows nothing)")
            .isGreaterThan(1_500);
        proxy.delay(0);
        assertThat(s.get("/metrics").bodyAsString()).contains("relais_ws_hello_refused_total 0.0");
      } finally {
        proxy.delay(0);
        for (RawWs ws : sockets) {
          ws.close();
        }
      }
    } finally {
      vertx.close();
      redis.stop();
    }
  }

  /** The text of the reply to request {@code id}, skipping pushes. */
  private static String replyTo(RawWs ws, String id) throws Exception {
    while (true) {
      RawWs.Frame f = ws.read();
      assertThat(f).as("socket closed before its reply").isNotNull();
      if (f.opcode() == RawWs.OP_CLOSE) {
        return "closed " + f.closeCode() + " " + f.text();
      }
      if (f.opcode() == RawWs.OP_TEXT && f.text().contains("\"re\":\"" + id + "\"")) {
        return f.text();
      }
    }
  }
}
