package org.relais.redis;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
import org.relais.tests.redis.TestRedis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the pipelined connections write (standalone mode, a real redis-server): the commands of one event-loop turn
 * leave together, in one flush of one connection, instead of one write system call per command.
 */
class PipelineWritesTest {
  private static ManagedRedis redis;
  private Vertx vertx;

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
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Runs {@code work} on {@code ctx} and waits for the future it returns. */
  private static <T> T on(Context ctx, java.util.function.Supplier<Future<T>> work) throws Exception {
    Promise<T> done = Promise.promise();
    ctx.runOnContext(v -> work.get().onComplete(done));
    return done.future().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("200 commands and batches sent in one turn of the event loop leave in one flush, on one of the four "
      + "connections, and are answered in order")
  void oneFlushPerTurn() throws Exception {
    RedisDbImpl db = (RedisDbImpl) RedisDb.create(vertx, new RedisSettings(redis.url(), 5_000, 16),
        new SimpleMeterRegistry());
    Context ctx = vertx.getOrCreateContext();
    on(ctx, () -> db.send(Command.DEL, "pipe:turn"));
    long before = db.pipeline().flushes();
    assertThat(before).as("the connection counts its flushes").isPositive();

    List<Future<Response>> sent = on(ctx, () -> {
      List<Future<Response>> all = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        all.add(i % 10 == 0
            ? db.batch(List.of(Request.cmd(Command.INCR).arg("pipe:turn"))).map(l -> l.get(0))
            : db.send(Command.INCR, "pipe:turn"));
      }
      return Future.all(all).map(all);
    });
    for (int i = 0; i < sent.size(); i++) {
      assertThat(sent.get(i).result().toLong()).as("reply %d", i).isEqualTo(i + 1L);
    }
    assertThat(db.pipeline().flushes() - before).as("flushes for 200 commands of one turn").isBetween(1L, 2L);

    // turn after turn, each turn's commands flush once
    long start = db.pipeline().flushes();
    for (int turn = 0; turn < 5; turn++) {
      on(ctx, () -> Future.all(db.send(Command.INCR, "pipe:turn"), db.send(Command.INCR, "pipe:turn"),
          db.send(Command.GET, "pipe:turn")));
    }
    assertThat(db.pipeline().flushes() - start).isBetween(5L, 10L);
    assertThat(on(ctx, () -> db.send(Command.GET, "pipe:turn")).toLong()).isEqualTo(210L);
    db.close().await(5, TimeUnit.SECONDS);
  }
}
