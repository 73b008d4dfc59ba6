package org.relais.messaging;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.relais.core.EventSink;
import org.relais.core.Ids;
import org.relais.core.JsonFrames;
import org.relais.core.Principal;
import org.relais.core.RawJson;
import org.relais.core.Role;
import org.relais.redis.ManagedRedis;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;
import org.relais.tests.redis.TestRedis;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A measurement, not a test (skipped unless {@code -Dprobe=1}): this JVM's CPU per history page of 50 (one HMGET
 * of the stored renderings) read and encoded as the UTF-8 bytes of a reply frame, the renderings made into strings
 * and the reply's text encoded again ({@link RawJson#ofElements}, {@link JsonFrames#encode}) against their bytes
 * copied into the frame's buffer ({@link RawJson#ofUtf8}, {@link JsonFrames#encodeUtf8}); 20 pages in flight,
 * six rounds. The access check, the op dispatch and the socket write are left out. See docs/BENCHMARKS.md.
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
    // Before: the renderings made into strings, spliced into the reply's text, the text encoded to UTF-8 again.
    Supplier<Future<Integer>> stringPath = () -> db.send(MessageReader.pageRequest(ch, 151, 200, 0)).map(r -> {
      List<String> parts = new ArrayList<>();
      for (Response v : r) {
        parts.add(v.toString());
      }
      return JsonFrames.encode(reply(ch, RawJson.ofElements(parts))).getBytes(StandardCharsets.UTF_8).length;
    });
    // Now: the renderings' bytes copied from Redis's reply into the reply frame's UTF-8 buffer.
    Supplier<Future<Integer>> bytePath = () -> reader.page(ch, 151, 200, 200)
        .map(out -> JsonFrames.encodeUtf8(reply(ch, out)).readableBytes());
    for (int round = 0; round < 6; round++) {
      // in turn first and second, so that neither gains from the JIT's work on the other
      double strings = round % 2 == 0 ? cost(vertx, stringPath) : 0;
      double bytes = cost(vertx, bytePath);
      strings = round % 2 == 0 ? strings : cost(vertx, stringPath);
      System.out.printf("PROBE round %d strings %.1f µs/page, bytes %.1f µs/page%n", round, strings, bytes);
    }
    db.close();
    vertx.close();
    redis.close();
  }

  private static JsonObject reply(String ch, JsonArray messages) {
    return new JsonObject().put("re", "1").put("ok", true).put("data", new JsonObject().put("channelId", ch)
        .put("messages", messages).put("channelSeq", 200L).put("hasBefore", true).put("hasAfter", false));
  }

  private static double cost(Vertx vertx, Supplier<Future<Integer>> page) throws Exception {
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

  private static void loop(Supplier<Future<Integer>> page, int left, Promise<Void> done) {
    if (left == 0) {
      done.complete();
      return;
    }
    page.get().onComplete(ar -> {
      if (ar.failed() || ar.result() < 1000) {
        done.fail(ar.failed() ? ar.cause() : new IllegalStateException("short page"));
      } else {
        loop(page, left - 1, done);
      }
    });
  }
}
