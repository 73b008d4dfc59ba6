package org.relais.messaging;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.relais.core.EventSink;
import org.relais.core.Ids;
import org.relais.core.JsonFrames;
import org.relais.core.Principal;
import org.relais.core.Role;
import org.relais.redis.ManagedRedis;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;
import org.relais.redis.Responses;
import org.relais.tests.redis.TestRedis;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A measurement, not a test (skipped unless {@code -Dprobe=1}, e.g.
 * {@code mvn -q -B -pl modules/messaging -am test -Dprobe=1 -Dtest=PageCostProbe -Dsurefire.failIfNoSpecifiedTests=false}):
 * the CPU of this JVM (every thread: JIT and GC included; the redis-server is another process and is not counted)
 * per history page of 50 (seqs 151–200 of a 200-message channel), read and encoded as a reply frame, two ways:
 * the old path — one batch of 50 {@code HGETALL}s of the message hashes, each turned into a JsonObject
 * ({@link MessageReader#toJson}), then encoded — against the current one, {@link MessageReader#page}: one
 * {@code HMGET} of the channel's stored renderings ({@link MessagingKeys#renderings}), spliced unparsed into the
 * reply ({@link org.relais.core.RawJson#ofElements}) and encoded with {@link JsonFrames#encode}. 20 pages in flight,
 * 400 pages each, three rounds (the first includes the JIT's work). The access check and its batching with the
 * page's read, the op dispatch and the socket write are left out: the benchmark's history scenario
 * (docs/BENCHMARKS.md) measures the whole path.
 */
@EnabledIfSystemProperty(named = "probe", matches = "1")
class PageCostProbe {
  @Test
  void probe() throws Exception {
    ManagedRedis redis = TestRedis.start();
    Vertx vertx = Vertx.vertx();
    RedisDb db = RedisDb.create(vertx, new RedisSettings(redis.url(), 5_000, 16), new SimpleMeterRegistry());
    MessagingService messaging = MessagingService.create(db, null, new ChannelBus() {
      public Future<Void> publish(String c, String e) { return Future.succeededFuture(); }
      public Future<Void> follow(Collection<String> u, String c, long a) { return Future.succeededFuture(); }
      public Future<Void> followAll(String o, String c, long a) { return Future.succeededFuture(); }
    }, new EventSink() {
      public Future<Void> toUsers(Collection<String> u, String ev, JsonObject d) { return Future.succeededFuture(); }
      public Future<Void> userChanged(String u) { return Future.succeededFuture(); }
      public Future<Void> sessionsRevoked(String u, String s) { return Future.succeededFuture(); }
    }, MessagingSettings.defaults());
    Principal p = new Principal(Ids.newId(), Ids.newId(), Set.of(Role.MEMBER), Ids.newId(), "fr");
    String ch = messaging.createChannel(p, new JsonObject().put("kind", "thematic").put("name", "probe"))
        .await(20, TimeUnit.SECONDS).getJsonObject("channel").getString("id");
    for (int i = 0; i < 200; i++) {
      messaging.send(p, new JsonObject().put("channelId", ch).put("clientMsgId", Ids.newId())
          .put("text", "message number " + i + " with a little text, like a chat line of about eighty chars 😀"))
          .await(20, TimeUnit.SECONDS);
    }
    MessageReader reader = new MessageReader(db);
    Supplier<Future<String>> oldPath = () -> {
      List<Request> reads = new ArrayList<>();
      for (long s = 151; s <= 200; s++) {
        reads.add(Request.cmd(Command.HGETALL).arg(MessagingKeys.message(ch, s)));
      }
      return db.batch(reads).map(replies -> {
        JsonArray out = new JsonArray();
        for (Response r : replies) {
          out.add(MessageReader.toJson(ch, Responses.toMap(r)));
        }
        return new JsonObject().put("re", "1").put("ok", true).put("data", new JsonObject().put("channelId", ch)
            .put("messages", out).put("channelSeq", 200L).put("hasBefore", true).put("hasAfter", false)).encode();
      });
    };
    Supplier<Future<String>> newPath = () -> reader.page(ch, 151, 200).map(out -> JsonFrames.encode(
        new JsonObject().put("re", "1").put("ok", true).put("data", new JsonObject().put("channelId", ch)
            .put("messages", out).put("channelSeq", 200L).put("hasBefore", true).put("hasAfter", false))));
    for (int round = 0; round < 3; round++) {
      System.out.printf("PROBE round %d old %.1f µs/page, new %.1f µs/page%n", round, cost(vertx, oldPath),
          cost(vertx, newPath));
    }
    db.close();
    vertx.close();
    redis.close();
  }

  private static double cost(Vertx vertx, Supplier<Future<String>> page) throws Exception {
    int chains = 20;
    int each = 400;
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    List<Future<Void>> all = new ArrayList<>();
    for (int c = 0; c < chains; c++) {
      Promise<Void> done = Promise.promise();
      vertx.runOnContext(v -> loop(page, each, done));
      all.add(done.future());
    }
    Future.all(all).await(300, TimeUnit.SECONDS);
    return (os.getProcessCpuTime() - cpu0) / 1000.0 / (chains * each);
  }

  private static void loop(Supplier<Future<String>> page, int left, Promise<Void> done) {
    if (left == 0) {
      done.complete();
      return;
    }
    page.get().onComplete(ar -> {
      if (ar.failed() || ar.result().length() < 1000) {
        done.fail(ar.failed() ? ar.cause() : new IllegalStateException("short page"));
      } else {
        loop(page, left - 1, done);
      }
    });
  }
}
