package org.relais.tests.redis;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.ErrorCode;
import org.relais.core.RelaisException;
import org.relais.redis.ManagedRedis;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared pipelined connections of {@link RedisDb} (standalone mode), against a real redis-server. */
class PipelineTest {
  private static ManagedRedis redis;
  private Vertx vertx;
  private RedisDb admin;

  @BeforeAll
  static void startRedis() {
    redis = TestRedis.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.stop();
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    admin = RedisDb.create(vertx, new RedisSettings(redis.url(), 5_000, 4), new SimpleMeterRegistry());
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Connections of normal clients as Redis sees them, the admin's own included. */
  private long clients() throws Exception {
    String list = admin.send(Command.CLIENT, "LIST", "TYPE", "normal").await(5, TimeUnit.SECONDS).toString();
    return list.lines().filter(l -> !l.isBlank()).count();
  }

  @Test
  @DisplayName("thousands of concurrent commands on one pipelined connection are answered in the order sent")
  void inOrderOnOneConnection() throws Exception {
    // a pool size of 4 gives one pipelined connection
    RedisDb db = RedisDb.create(vertx, new RedisSettings(redis.url(), 5_000, 4), new SimpleMeterRegistry());
    admin.send(Command.DEL, "pipe:order").await(5, TimeUnit.SECONDS);
    long before = clients();
    List<Future<Response>> sent = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      sent.add(i % 10 == 0
          ? db.batch(List.of(Request.cmd(Command.INCR).arg("pipe:order"))).map(l -> l.get(0))
          : db.send(Command.INCR, "pipe:order"));
    }
    Future.all(sent).await(30, TimeUnit.SECONDS);
    for (int i = 0; i < sent.size(); i++) {
      assertThat(sent.get(i).result().toLong()).as("reply %d", i).isEqualTo(i + 1L);
    }
    assertThat(clients() - before).as("one connection carried them all").isEqualTo(1);
    db.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("with several pipelined connections every command completes, on at most four connections")
  void fewConnections() throws Exception {
    RedisDb db = RedisDb.create(vertx, new RedisSettings(redis.url(), 5_000, 16), new SimpleMeterRegistry());
    admin.send(Command.DEL, "pipe:many").await(5, TimeUnit.SECONDS);
    long before = clients();
    List<Future<Response>> sent = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      sent.add(db.send(Command.INCR, "pipe:many"));
    }
    Future.all(sent).await(30, TimeUnit.SECONDS);
    Set<Long> replies = new HashSet<>();
    sent.forEach(f -> replies.add(f.result().toLong()));
    assertThat(replies).hasSize(5_000).contains(1L, 5_000L);
    assertThat(clients() - before).isBetween(1L, 4L);
    db.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a killed connection fails its commands in flight with unavailable, nothing hangs, the next command reconnects")
  void killedMidFlight() throws Exception {
    RedisDb db = RedisDb.create(vertx, new RedisSettings(redis.url(), 5_000, 4), new SimpleMeterRegistry());
    admin.send(Command.DEL, "pipe:kill").await(5, TimeUnit.SECONDS);
    long id = db.send(Command.CLIENT, "ID").await(5, TimeUnit.SECONDS).toLong();
    List<Future<Response>> sent = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      sent.add(db.send(Command.INCR, "pipe:kill"));
    }
    // the connection kills itself: Redis answers the kill, then closes it; the INCR behind it is never run
    Future<List<Response>> killer = db.batch(List.of(
        Request.cmd(Command.CLIENT).arg("KILL").arg("ID").arg(id).arg("SKIPME").arg("no"), Request.cmd(Command.INCR).arg("pipe:kill")));
    List<Future<Response>> after = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      after.add(db.send(Command.INCR, "pipe:kill"));
    }
    // join: completes once every one has, failed or not (await would throw the first failure)
    Future.join(Future.join(sent), killer, Future.join(after)).otherwiseEmpty().await(30, TimeUnit.SECONDS);

    assertThat(killer.failed()).as("killer %s %s", killer.result(), killer.cause()).isTrue();
    assertThat(killer.cause()).isInstanceOfSatisfying(RelaisException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    long ok = 0;
    List<Future<Response>> all = new ArrayList<>(sent);
    all.addAll(after);
    for (Future<Response> f : all) {
      assertThat(f.isComplete()).isTrue();
      if (f.succeeded()) {
        ok++;
      } else {
        assertThat(f.cause()).isInstanceOfSatisfying(RelaisException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
      }
    }
    // a command reported done was run (one reported failed may have been run too: its reply was lost)
    long counter = admin.send(Command.GET, "pipe:kill").await(5, TimeUnit.SECONDS).toLong();
    assertThat(counter).isBetween(ok, 2_001L);
    long again = db.send(Command.CLIENT, "ID").await(5, TimeUnit.SECONDS).toLong();
    assertThat(again).as("a new connection").isNotEqualTo(id);
    assertThat(db.send(Command.INCR, "pipe:kill").await(5, TimeUnit.SECONDS).toLong()).isEqualTo(counter + 1);
    db.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a connection killed from outside while idle: the next command reconnects and succeeds")
  void killedWhileIdle() throws Exception {
    RedisDb db = RedisDb.create(vertx, new RedisSettings(redis.url(), 5_000, 4), new SimpleMeterRegistry());
    long id = db.send(Command.CLIENT, "ID").await(5, TimeUnit.SECONDS).toLong();
    assertThat(admin.send(Command.CLIENT, "KILL", "ID", id).await(5, TimeUnit.SECONDS).toLong()).isEqualTo(1);
    // the loss may not be noticed before the next command is written: then that one fails with unavailable
    Response reply = null;
    for (int i = 0; i < 3 && reply == null; i++) {
      try {
        reply = db.send(Command.PING).await(5, TimeUnit.SECONDS);
      } catch (RelaisException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        Thread.sleep(50);
      }
    }
    assertThat(reply).isNotNull();
    assertThat(reply.toString()).isEqualTo("PONG");
    db.close().await(5, TimeUnit.SECONDS);
  }
  @Test
  @DisplayName("replies and timeouts complete on the context of the caller, also while the connection is being made")
  void callerContext() throws Exception {
    RedisDb db = RedisDb.create(vertx, new RedisSettings(redis.url(), 400, 4), new SimpleMeterRegistry());
    io.vertx.core.Context a = vertx.getOrCreateContext();
    io.vertx.core.Context b = vertx.getOrCreateContext();
    java.util.concurrent.ConcurrentLinkedQueue<String> wrong = new java.util.concurrent.ConcurrentLinkedQueue<>();
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(400);
    for (io.vertx.core.Context ctx : List.of(a, b)) {
      ctx.runOnContext(v -> {
        for (int i = 0; i < 200; i++) {
          db.send(Command.PING).onComplete(ar -> {
            if (io.vertx.core.Vertx.currentContext() != ctx || ar.failed()) {
              wrong.add(Thread.currentThread().getName() + " " + ar.cause());
            }
            done.countDown();
          });
        }
      });
    }
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(wrong).isEmpty();

    // Redis holds every client's commands for a while: the command times out, on its caller's context
    admin.send(Command.CLIENT, "PAUSE", "1500", "ALL").await(5, TimeUnit.SECONDS);
    io.vertx.core.Promise<Throwable> failed = io.vertx.core.Promise.promise();
    a.runOnContext(v -> db.send(Command.PING).onComplete(ar -> failed.complete(
        io.vertx.core.Vertx.currentContext() == a && ar.failed() ? ar.cause() : new AssertionError("wrong context or success"))));
    assertThat(failed.future().await(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(RelaisException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    admin.send(Command.CLIENT, "UNPAUSE").await(5, TimeUnit.SECONDS);
    assertThat(db.send(Command.PING).await(5, TimeUnit.SECONDS).toString()).isEqualTo("PONG");
    db.close().await(5, TimeUnit.SECONDS);
  }
}
