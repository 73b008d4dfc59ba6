package org.relais.tests.server.faults;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.relais.redis.ManagedRedis;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;
import org.relais.tests.redis.TestRedis;
import org.relais.tests.server.TestServer;
import org.relais.tests.server.TokenForge;
import org.relais.tests.server.WsClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault suite: each test runs real WebSocket clients (members sending with clientMsgIds and retries, non-member
 * observers) against a real server and redis-server on loopback, injects one fault under traffic, lets it clear,
 * and checks the invariants I1–I7 ({@link InvariantChecker}); each writes its row of target/fault-report.md.
 *
 * <p>Short by default (a few seconds of traffic per fault); {@code -Pfaults-long} (system property
 * {@code relais.faults.long=true}) runs more clients, longer traffic and repeated faults.
 */
class FaultSuiteTest {
  static final boolean LONG = Boolean.getBoolean("relais.faults.long");
  static final int CHANNELS = LONG ? 8 : 3;
  static final long SEND_INTERVAL_MS = LONG ? 100 : 250;
  static final long BEFORE_MS = LONG ? 10_000 : 1_500;
  static final long AFTER_MS = LONG ? 5_000 : 1_000;
  static final int REPEATS = LONG ? 3 : 1;
  static final long CONVERGE_BOUND_MS = 20_000;
  static final Map<String, String> SERVER = Map.of("RELAIS_REDIS_TIMEOUT_MS", "1000");

  /** A fault: injects, and returns once the fault has cleared. */
  interface Fault {
    void inject() throws Exception;
  }

  /** Traffic before, the fault (repeated in the long suite), traffic after, convergence, then the check. */
  static InvariantChecker.Result run(String name, World w, String redisUrl, Fault fault, InvariantChecker.Options options)
      throws Exception {
    w.awaitAllConnected(15_000);
    w.startSending(SEND_INTERVAL_MS);
    World.sleep(BEFORE_MS);
    for (int i = 0; i < REPEATS; i++) {
      fault.inject();
      if (i + 1 < REPEATS) {
        World.sleep(BEFORE_MS / 2);
      }
    }
    long cleared = System.currentTimeMillis();
    World.sleep(AFTER_MS);
    w.stopSending();
    long converged = w.awaitConvergence(redisUrl, CONVERGE_BOUND_MS);
    long convergeMs = converged < 0 ? -1 : System.currentTimeMillis() - cleared;
    if (converged < 0) {
      options.lagging = String.valueOf(w.lagging(redisUrl));
    }
    // The logs are final once the clients stop; Redis is read after that.
    w.stop();
    InvariantChecker.Result result = InvariantChecker.check(name, w, redisUrl,
        options.converged(convergeMs, CONVERGE_BOUND_MS + AFTER_MS));
    FaultReport.add(result);
    assertThat(result.allHeld()).as(name + ":\n" + result.failures()).isTrue();
    return result;
  }

  static InvariantChecker.Options options() {
    return new InvariantChecker.Options();
  }

  // ---------------------------------------------------------------- Redis faults

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  @DisplayName("F1 Redis restarted gracefully under traffic")
  void redisRestartedGracefully(@TempDir Path dir) throws Exception {
    redisDownAndBack(dir, "F1 Redis restarted gracefully (SIGTERM)", ManagedRedis::stop);
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  @DisplayName("F2 Redis killed with SIGKILL under traffic (appendfsync always: nothing acknowledged is lost)")
  void redisKilled(@TempDir Path dir) throws Exception {
    redisDownAndBack(dir, "F2 Redis killed (SIGKILL) and restarted", ManagedRedis::kill);
  }

  /** Traffic while Redis goes down ({@code down}: stopped or killed) and comes back a second later on its port. */
  private static void redisDownAndBack(Path dir, String fault, java.util.function.Consumer<ManagedRedis> down)
      throws Exception {
    ManagedRedis[] redis = {TestRedis.start(dir, 0)};
    int port = redis[0].port();
    try (TestServer t = TestServer.startOn(redis[0], SERVER)) {
      World w = World.build(t, CHANNELS, List.of(t.port));
      run(fault, w, redis[0].url(), () -> {
        down.accept(redis[0]);
        World.sleep(1_000);
        redis[0] = TestRedis.start(dir, port);
      }, options());
    } finally {
      redis[0].stop();
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  @DisplayName("F3 Redis unavailable at start-up: the server waits, is not ready, and serves once Redis appears")
  void redisUnavailableAtStartup(@TempDir Path dir) throws Exception {
    // The data directory's password is chosen before Redis exists, so the server can be given its URL.
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("redis.password"), "fault-suite-redis-password", StandardCharsets.US_ASCII);
    int redisPort = freePort();
    String url = "redis://:fault-suite-redis-password@127.0.0.1:" + redisPort;
    ManagedRedis redis = null;
    try (TestServer t = TestServer.forUrl(url, SERVER)) {
      var starting = t.startAsync();
      long deadline = System.currentTimeMillis() + 2_000;
      while (System.currentTimeMillis() < deadline) {
        assertThat(readyStatus(t)).as("not ready without Redis").isNotEqualTo(200);
        assertThat(starting.isComplete()).isFalse();
        World.sleep(200);
      }
      long appeared = System.currentTimeMillis();
      redis = TestRedis.start(dir, redisPort);
      TestServer.await(starting);
      long ready = waitReady(t, 15_000) - appeared;
      World w = World.build(t, CHANNELS, List.of(t.port));
      InvariantChecker.Result r = run("F3 Redis unavailable at start-up, then appears", w, url, () -> { }, options());
      r.figures.put("readyAfterRedisMs", ready);
      assertThat(ready).as("ready soon after Redis appears").isLessThan(10_000);
    } finally {
      if (redis != null) {
        redis.stop();
      }
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  @DisplayName("F4a Redis slow: every byte to and from Redis delayed by 150 ms for 3 s")
  void redisSlow() throws Exception {
    ManagedRedis redis = TestRedis.start();
    try (RedisProxy proxy = new RedisProxy(vertxOf(), redis.port());
         TestServer t = TestServer.startOn(redis, withUrl(proxy.url(redis.url())))) {
      World w = World.build(t, CHANNELS, List.of(t.port));
      run("F4a Redis slow (150 ms each way, 3 s)", w, redis.url(), () -> {
        proxy.delay(150);
        World.sleep(3_000);
        proxy.delay(0);
      }, options());
    } finally {
      redis.stop();
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  @DisplayName("F4b Redis paused: nothing forwarded for 3 s (commands time out; clients retry)")
  void redisPaused() throws Exception {
    ManagedRedis redis = TestRedis.start();
    try (RedisProxy proxy = new RedisProxy(vertxOf(), redis.port());
         TestServer t = TestServer.startOn(redis, withUrl(proxy.url(redis.url())))) {
      World w = World.build(t, CHANNELS, List.of(t.port));
      run("F4b Redis paused (3 s, then resumed)", w, redis.url(), () -> {
        proxy.pause();
        World.sleep(3_000);
        proxy.resume();
      }, options());
    } finally {
      redis.stop();
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  @DisplayName("F4c Redis connections reset (TCP RST) under traffic, and refused for 1 s")
  void redisConnectionsReset() throws Exception {
    ManagedRedis redis = TestRedis.start();
    try (RedisProxy proxy = new RedisProxy(vertxOf(), redis.port());
         TestServer t = TestServer.startOn(redis, withUrl(proxy.url(redis.url())))) {
      World w = World.build(t, CHANNELS, List.of(t.port));
      run("F4c Redis connections reset, refused 1 s", w, redis.url(), () -> {
        proxy.refuse(true);
        proxy.resetAll();
        World.sleep(1_000);
        proxy.refuse(false);
      }, options());
    } finally {
      redis.stop();
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  @DisplayName("F5 the pub/sub connection dropped (CLIENT KILL TYPE pubsub), twice")
  void pubsubDropped() throws Exception {
    ManagedRedis redis = TestRedis.start();
    try (TestServer t = TestServer.startOn(redis, SERVER)) {
      World w = World.build(t, CHANNELS, List.of(t.port));
      RedisDb admin = RedisDb.create(t.clients, RedisSettings.of(redis.url()), new SimpleMeterRegistry());
      try {
        run("F5 pub/sub connection killed (CLIENT KILL TYPE pubsub)", w, redis.url(), () -> {
          for (int i = 0; i < 2; i++) {
            long killed = TestServer.await(admin.send(Command.CLIENT, "KILL", "TYPE", "pubsub")).toLong();
            assertThat(killed).as("the server's subscriber was connected").isPositive();
            World.sleep(700);
          }
        }, options());
      } finally {
        TestServer.await(admin.close());
      }
    } finally {
      redis.stop();
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  @DisplayName("F11 Redis loses its data (FLUSHALL) under traffic: every client is told resync (epoch), nothing is acknowledged after")
  void redisFlushed() throws Exception {
    try (TestServer t = TestServer.start(SERVER)) {
      World w = World.build(t, CHANNELS, List.of(t.port));
      w.awaitAllConnected(15_000);
      w.startSending(SEND_INTERVAL_MS);
      World.sleep(BEFORE_MS);
      RedisDb admin = RedisDb.create(t.clients, RedisSettings.of(t.redis.url()), new SimpleMeterRegistry());
      long flushedAt = System.currentTimeMillis();
      try {
        TestServer.await(admin.send(Command.FLUSHALL));
      } finally {
        TestServer.await(admin.close());
      }
      long bound = 10_000;
      long told = -1;
      while (System.currentTimeMillis() - flushedAt < bound) {
        if (w.clients.stream().allMatch(c -> c.recs().stream().anyMatch(r -> r.kind() == FaultClient.Kind.RESYNC
            && r.channelId() == null && r.atMs() >= flushedAt))) {
          told = System.currentTimeMillis() - flushedAt;
          break;
        }
        World.sleep(50);
      }
      World.sleep(AFTER_MS);
      w.stopSending();
      w.stop();
      long acked = w.clients.stream().mapToLong(c -> c.acks().stream().filter(a -> a.atMs() < flushedAt).count()).sum();
      long lateAcks = w.clients.stream().mapToLong(c -> c.acks().stream().filter(a -> a.atMs() > flushedAt + 500).count()).sum();
      InvariantChecker.Result r = InvariantChecker.check("F11 Redis data lost (FLUSHALL)", w, t.redis.url(), options()
          .dataLost(acked + " acknowledged messages destroyed with the data; every one of " + w.clients.size()
              + " clients told resync (epoch) in " + told + " ms; " + lateAcks + " acks after the flush")
          .converged(told, bound));
      r.figures.put("toldMs", told);
      FaultReport.add(r);
      assertThat(r.allHeld()).as(r.failures()).isTrue();
      assertThat(told).as("every client told within " + bound + " ms").isNotNegative();
      assertThat(lateAcks).as("nothing acknowledged into a database that lost its data's history").isZero();
      assertThat(w.clients).allSatisfy(c -> assertThat(c.closes()).as(c.name).contains(1012));
      assertThat(w.clients).allSatisfy(c -> assertThat(c.helloErrors()).as(c.name + ": its session went with the data")
          .contains("unauthenticated"));
    }
  }

  // ---------------------------------------------------------------- client faults

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  @DisplayName("F7 clients disconnecting during sends (a random client every 150 ms for 3 s)")
  void clientsDisconnectDuringSends() throws Exception {
    try (TestServer t = TestServer.start(SERVER)) {
      World w = World.build(t, CHANNELS, List.of(t.port));
      run("F7 clients disconnecting during sends", w, t.redis.url(), () -> {
        long end = System.currentTimeMillis() + 3_000;
        while (System.currentTimeMillis() < end) {
          w.clients.get(ThreadLocalRandom.current().nextInt(w.clients.size())).dropConnection();
          World.sleep(150);
        }
      }, options());
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  @DisplayName("F8 every client reconnecting at once, three times")
  void reconnectStorm() throws Exception {
    try (TestServer t = TestServer.start(SERVER)) {
      World w = World.build(t, CHANNELS, List.of(t.port));
      run("F8 every client reconnecting at once (x3)", w, t.redis.url(), () -> {
        for (int i = 0; i < 3; i++) {
          w.clients.forEach(FaultClient::dropConnection);
          World.sleep(500);
        }
      }, options());
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  @DisplayName("F9 a slow consumer stops reading in a busy channel: cut with 4009 in bounded time, then resumes without loss")
  void slowConsumer() throws Exception {
    try (TestServer t = TestServer.start(withQueue(SERVER)); SlowLink link = new SlowLink(t.port)) {
      World w = World.build(t, CHANNELS, List.of(t.port), i -> i == 1 ? List.of(link.port) : List.of(t.port));
      FaultClient slow = w.members().get(1);
      String channel = slow.memberOf.iterator().next();
      String bulkToken = TestServer.await(w.members().stream()
          .filter(c -> c != slow && c.memberOf.contains(channel)).findFirst().orElseThrow().token());
      InvariantChecker.Options opts = options();
      run("F9 slow consumer (stops reading)", w, t.redis.url(), () -> {
        double before = closes(t, 4009);
        double abortsBefore = t.metric("relais_ws_aborts_total");
        double open = t.metric("relais_ws_connections");
        link.stall(true);
        long start = System.currentTimeMillis();
        long cut = -1;
        long released = -1;
        try (WsClient bulk = t.wsHello(bulkToken)) {
          String big = "x".repeat(7_500);
          // At most 32 sends unanswered: a flood the server keeps up with, so that what is tested is the slow
          // reader, not Redis swamped by a burst (which made the catch-up reads time out, so the stalled socket was
          // not written to at all, and not cut).
          int unanswered = 0;
          for (int i = 1; i <= 1_500 && (i % 20 != 0 || closes(t, 4009) == before); i++) {
            bulk.sendRawNoWait(new JsonObject().put("id", "b" + i).put("op", "message.send").put("data", new JsonObject()
                .put("channelId", channel).put("text", big).put("clientMsgId", "bulk-" + i)).encode());
            if (++unanswered >= 32) {
              bulk.nextReply();
              unanswered--;
            }
          }
          // Still stalled: the server must cut the socket (4009) and then let go of its TCP connection by itself
          // (its close frame cannot get through a link that reads nothing).
          long deadline = start + 30_000;
          while (released < 0 && System.currentTimeMillis() < deadline) {
            long now = System.currentTimeMillis();
            if (cut < 0 && closes(t, 4009) > before) {
              cut = now - start;
            }
            if (cut >= 0 && (t.metric("relais_ws_aborts_total") > abortsBefore
                || t.metric("relais_ws_connections") < open + 1)) {
              released = now - start;
            }
            World.sleep(50);
          }
          opts.slowCut(cut, released, 15_000);
          System.out.printf("F9 slow consumer: cut (4009) %d ms after the stall, TCP connection dropped after %d ms%n",
              cut, released);
          ok(bulk.call("ping", null));
        }
        link.stall(false);
      }, opts);
      // The server counted its 4009 (I6); the client sees it, or, when the server had to drop the connection
      // because the link read nothing, a close without a code.
      assertThat(slow.closes()).as("the slow member was disconnected").isNotEmpty();
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  @DisplayName("F10 a token expiring mid-session (closed with 4010, refreshed, resumed) and a session revoked (logged out elsewhere)")
  void tokenExpiredAndRevoked() throws Exception {
    try (TestServer t = TestServer.start(SERVER)) {
      World w = World.build(t, CHANNELS, List.of(t.port));
      FaultClient expiring = w.members().get(0);
      FaultClient revoked = w.members().get(3);
      TokenForge forge = new TokenForge(t);
      String[] oldToken = new String[1];
      run("F10 token expired / session revoked mid-session", w, t.redis.url(), () -> {
        String current = TestServer.await(expiring.token());
        String sid = claim(current, "sid");
        expiring.useToken(forge.signWithServerKey(TokenForge.claims(expiring.userId, sid, 3)));
        expiring.dropConnection();
        oldToken[0] = TestServer.await(revoked.revokeSession());
        World.sleep(4_500);
      }, options());
      assertThat(expiring.closes()).as("closed at expiry").contains(4010);
      assertThat(revoked.closes()).as("closed at revocation").contains(4010);
      try (WsClient again = t.ws()) {
        JsonObject reply = again.call("hello", new JsonObject().put("token", oldToken[0]));
        assertThat(reply.getBoolean("ok")).as("a revoked session's token is refused").isFalse();
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  static String claim(String jwt, String name) {
    String payload = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
    return new JsonObject(payload).getString(name);
  }

  static JsonObject ok(JsonObject reply) {
    assertThat(reply.getBoolean("ok")).as(reply.encode()).isTrue();
    return reply.getJsonObject("data");
  }

  /** The server's count of sockets it closed with {@code code}, from /metrics. */
  static double closes(TestServer t, int code) {
    String text = t.get("/metrics").bodyAsString();
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("relais_ws_closes") && line.contains("code=\"" + code + "\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** The sum of a metric's samples in /metrics (a counter or gauge, whatever its tags). */
  static int readyStatus(TestServer t) {
    try {
      return TestServer.await(t.http.get("/health/ready").timeout(1_000).send()).statusCode();
    } catch (Exception | AssertionError e) {
      return -1;
    }
  }

  static long waitReady(TestServer t, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (readyStatus(t) != 200) {
      assertThat(System.currentTimeMillis()).as("ready in time").isLessThan(deadline);
      World.sleep(50);
    }
    return System.currentTimeMillis();
  }

  static Map<String, String> withUrl(String url) {
    Map<String, String> m = new HashMap<>(SERVER);
    m.put("RELAIS_REDIS_URL", url);
    return m;
  }

  static Map<String, String> withQueue(Map<String, String> base) {
    Map<String, String> m = new HashMap<>(base);
    m.put("RELAIS_WS_MAX_QUEUE_BYTES", "65536");
    return m;
  }

  private static io.vertx.core.Vertx proxyVertx;

  /** One Vert.x for the proxies of the suite (not the server's, not the clients'). */
  static synchronized io.vertx.core.Vertx vertxOf() {
    if (proxyVertx == null) {
      proxyVertx = io.vertx.core.Vertx.vertx();
    }
    return proxyVertx;
  }

  static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
