package org.relais.tests.redis;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relais.core.ErrorCode;
import org.relais.core.RelaisException;
import org.relais.redis.ManagedRedis;
import org.relais.redis.PubSub;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManagedRedisTest {
  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("data written before a graceful stop is there after the next start, with append-only persistence")
  void keepsDataAcrossRestart(@TempDir Path dir) throws Exception {
    ManagedRedis redis = TestRedis.start(dir, 0);
    RedisDb db = RedisDb.create(vertx, RedisSettings.of(redis.url()), new SimpleMeterRegistry());
    db.send(Command.SET, "relais:test", "kept").await(5, TimeUnit.SECONDS);
    db.close().await(5, TimeUnit.SECONDS);
    redis.stop();
    assertThat(Files.isDirectory(dir.resolve("appendonlydir"))).isTrue();

    ManagedRedis again = TestRedis.start(dir, 0);
    try {
      RedisDb db2 = RedisDb.create(vertx, RedisSettings.of(again.url()), new SimpleMeterRegistry());
      assertThat(db2.send(Command.GET, "relais:test").await(5, TimeUnit.SECONDS).toString()).isEqualTo("kept");
    } finally {
      again.stop();
    }
  }

  @Test
  @DisplayName("a second Relais cannot start a redis-server on a data directory in use")
  void refusesSharedDataDir(@TempDir Path dir) {
    ManagedRedis redis = TestRedis.start(dir, 0);
    try {
      assertThatThrownBy(() -> ManagedRedis.start(dir, 0)).hasMessageContaining("in use");
    } finally {
      redis.stop();
    }
  }

  @Test
  @DisplayName("commands fail with unavailable while Redis is down, and work again when it is back")
  void unavailableThenBack(@TempDir Path dir) throws Exception {
    ManagedRedis redis = TestRedis.start(dir, 0);
    int port = redis.port();
    RedisDb db = RedisDb.create(vertx, new RedisSettings(redis.url(), 500, 4), new SimpleMeterRegistry());
    db.send(Command.SET, "k", "v").await(5, TimeUnit.SECONDS);
    String url = redis.url();
    redis.stop();

    assertThatThrownBy(() -> db.send(Command.GET, "k").await(5, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(RelaisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));

    ManagedRedis back = TestRedis.start(dir, port);
    try {
      // Same port, same password (kept in the data directory): the same client works again by itself.
      assertThat(back.url()).isEqualTo(url);
      assertThat(db.send(Command.GET, "k").await(5, TimeUnit.SECONDS).toString()).isEqualTo("v");
    } finally {
      back.stop();
    }
  }

  @Test
  @DisplayName("the subscriber notices a Redis that stops answering (paused, no reset) and recovers when it answers again")
  void pubSubNoticesSilentPeer(@TempDir Path dir) throws Exception {
    ManagedRedis redis = TestRedis.start(dir, 0);
    long pid = Long.parseLong(Files.readString(dir.resolve("redis.pid")).trim());
    try {
      RedisSettings settings = RedisSettings.of(redis.url());
      RedisDb db = RedisDb.create(vertx, settings, new SimpleMeterRegistry());
      LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
      LinkedBlockingQueue<Boolean> reconnected = new LinkedBlockingQueue<>();
      // PING every second: a shorter interval would take a hiccup of a loaded machine for a dead peer
      PubSub pubSub = vertx.executeBlocking(() -> null).map(x -> new PubSub(vertx, settings, 1_000)
          .subscribe("relais:test-bus", received::add)
          .onReconnect(() -> reconnected.add(true))).await(5, TimeUnit.SECONDS);
      pubSub.start().await(5, TimeUnit.SECONDS);
      Thread.sleep(2_500);
      assertThat(reconnected).as("pings on a healthy connection cause no reconnection").isEmpty();

      // silent for 4 s: a PING unanswered for a whole interval is seen within two intervals
      new ProcessBuilder("kill", "-STOP", String.valueOf(pid)).start().waitFor();
      Thread.sleep(4_000);
      new ProcessBuilder("kill", "-CONT", String.valueOf(pid)).start().waitFor();
      assertThat(reconnected.poll(10, TimeUnit.SECONDS)).isTrue();
      db.send(Command.PUBLISH, "relais:test-bus", "after").await(5, TimeUnit.SECONDS);
      assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("after");
      pubSub.close();
    } finally {
      new ProcessBuilder("kill", "-CONT", String.valueOf(pid)).start().waitFor();
      redis.stop();
    }
  }

  @Test
  @DisplayName("the subscriber's PING check holds under traffic: messages arriving while a PING waits are no reason to reconnect")
  void pubSubPingUnderTraffic(@TempDir Path dir) throws Exception {
    // Regression: the Vert.x client gives the promise of a waiting PING to a push that arrives first, and the PONG to
    // the message handler; the PING's future never completed, and a busy node dropped its subscriber every 30 s.
    ManagedRedis redis = TestRedis.start(dir, 0);
    try {
      RedisSettings settings = RedisSettings.of(redis.url());
      RedisDb db = RedisDb.create(vertx, settings, new SimpleMeterRegistry());
      java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
      LinkedBlockingQueue<Boolean> reconnected = new LinkedBlockingQueue<>();
      // PING every second (a shorter interval would take a hiccup of a loaded machine for a dead peer), under
      // traffic for four of them
      PubSub pubSub = vertx.executeBlocking(() -> null).map(x -> new PubSub(vertx, settings, 1_000)
          .subscribe("relais:test-bus", m -> received.incrementAndGet())
          .onReconnect(() -> reconnected.add(true))).await(5, TimeUnit.SECONDS);
      pubSub.start().await(5, TimeUnit.SECONDS);
      long end = System.currentTimeMillis() + 4_500;
      int sent = 0;
      while (System.currentTimeMillis() < end) {
        java.util.List<io.vertx.core.Future<?>> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
          batch.add(db.send(Command.PUBLISH, "relais:test-bus", "m" + (sent++)));
        }
        io.vertx.core.Future.all(batch).await(5, TimeUnit.SECONDS);
        Thread.sleep(2);
      }
      assertThat(reconnected).as("no reconnection of a healthy, busy subscriber").isEmpty();
      assertThat(pubSub.connected()).isTrue();
      long deadline = System.currentTimeMillis() + 5_000;
      while (received.get() < sent && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertThat(received.get()).as("every message received").isEqualTo(sent);
      pubSub.close();
    } finally {
      redis.stop();
    }
  }

  @Test
  @DisplayName("the subscriber reconnects and subscribes again after its connection is killed")
  void pubSubReconnects(@TempDir Path dir) throws Exception {
    ManagedRedis redis = TestRedis.start(dir, 0);
    try {
      RedisSettings settings = RedisSettings.of(redis.url());
      RedisDb db = RedisDb.create(vertx, settings, new SimpleMeterRegistry());
      LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
      LinkedBlockingQueue<Boolean> reconnected = new LinkedBlockingQueue<>();
      PubSub pubSub = vertx.executeBlocking(() -> null).map(x -> new PubSub(vertx, settings)
          .subscribe("relais:test-bus", received::add)
          .onReconnect(() -> reconnected.add(true))).await(5, TimeUnit.SECONDS);
      pubSub.start().await(5, TimeUnit.SECONDS);
      db.send(Command.PUBLISH, "relais:test-bus", "one").await(5, TimeUnit.SECONDS);
      assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("one");

      db.send(Command.CLIENT, "KILL", "TYPE", "pubsub").await(5, TimeUnit.SECONDS);
      assertThat(reconnected.poll(10, TimeUnit.SECONDS)).isTrue();
      db.send(Command.PUBLISH, "relais:test-bus", "two").await(5, TimeUnit.SECONDS);
      assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("two");
      pubSub.close();
    } finally {
      redis.stop();
    }
  }
}
