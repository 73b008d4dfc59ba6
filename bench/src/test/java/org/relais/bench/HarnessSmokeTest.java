package org.relais.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The harness against the ceiling (a real server process, real sockets) with tiny sizes: every message is counted,
 * ordered and timed, the storm brings everyone back, the history pages are full. Runs only with -Pbench (the
 * module is not in the default build); takes about 50 s.
 */
class HarnessSmokeTest {
  @TempDir
  static Path dir;
  static Bench bench;
  static Scenarios scenarios;
  static Target ceiling;

  @BeforeAll
  static void start() throws Exception {
    Sizes sz = Sizes.of(true);
    sz.put("big.members", "30");
    sz.put("big.rates", "20,60");
    sz.put("rooms.count", "5");
    sz.put("rooms.rates", "50");
    sz.put("history.rooms", "2");
    sz.put("history.messages", "60");
    sz.put("history.readers", "4");
    sz.put("presence.rooms", "1");
    sz.put("presence.watchers", "2");
    sz.put("presence.churners", "3");
    sz.put("presence.period.s", "1");
    sz.put("presence.hold.ms", "200");
    sz.put("presence.measure.s", "3");
    sz.put("presence.warm.s", "2");
    sz.put("step.measure.s", "2");
    sz.put("history.measure.s", "2");
    sz.put("local.addresses", "4");
    sz.put("warmup.max.s", "6");
    bench = new Bench(dir, dir.resolve("run"), "", sz.i("local.addresses"));
    bench.world = new World(sz);
    scenarios = new Scenarios(bench, sz, bench.world);
    ceiling = new Target.Ceil(bench);
    ceiling.provision(bench.world);
  }

  @AfterAll
  static void stop() {
    ceiling.stopAll();
    bench.close();
  }

  @Test
  void fanOutIsCountedOrderedAndTimed() throws Exception {
    // both ladders on the same node and connections, as quick mode runs them (Scenarios.laddersShareNodes)
    java.util.List<JsonObject> both = scenarios.ladders(ceiling, java.util.List.of("bigroom", "rooms"), 1);
    assertThat(both).hasSize(2);
    assertThat(both.get(1).getString("sharedNodesWith")).isEqualTo("bigroom");
    assertThat(both.get(1).getJsonArray("steps")).hasSize(1);
    assertThat(both.get(1).getJsonObject("warmUp").getDouble("seconds")).isGreaterThanOrEqualTo(2.0);
    for (Object o : both.get(1).getJsonArray("steps")) {
      JsonObject s = (JsonObject) o;
      assertThat(s.getLong("expected")).isPositive();
      assertThat(s.getLong("received")).isEqualTo(s.getLong("expected"));
      assertThat(s.getLong("orderErrors")).isZero();
      assertThat(s.getLong("duplicates")).isZero();
    }
    JsonObject r = both.get(0);
    assertThat(r.getJsonObject("rampWindow")).isNotNull();
    assertThat(r.getJsonArray("steps")).hasSize(2);
    // the unreported warm-up: at least warmup.step.s (2 s in quick mode), at most warmup.max.s, and why it stopped
    JsonObject warm = r.getJsonObject("warmUp");
    assertThat(warm.getDouble("seconds")).isBetween(2.0, 6.0 + 1.5);
    assertThat(warm.getString("stoppedBecause")).isIn("compiler quiet", "bound reached");
    assertThat(warm.getJsonArray("compilerSharePerSecond")).isNotEmpty();
    double loop = 0;
    for (Object o : r.getJsonArray("steps")) {
      // every window splits the server's CPU by thread group; the ceiling's work is on its event loop
      JsonObject th = ((JsonObject) o).getJsonObject("window").getJsonObject("serverThreads");
      assertThat(th.getString("kind")).isEqualTo("jvm");
      assertThat(th.getString("split")).startsWith("loop ").contains(" / GC ").contains(" / JIT ");
      assertThat(th.getJsonArray("nodes")).hasSize(1);
      loop += th.getJsonObject("shares").getDouble("loop");
    }
    assertThat(loop).isPositive();
    for (Object o : r.getJsonArray("steps")) {
      JsonObject s = (JsonObject) o;
      assertThat(s.getLong("expected")).isPositive();
      assertThat(s.getLong("received")).isEqualTo(s.getLong("expected"));
      assertThat(s.getLong("lost")).isZero();
      assertThat(s.getLong("orderErrors")).isZero();
      assertThat(s.getLong("duplicates")).isZero();
      assertThat(s.getJsonObject("sendErrors")).isEmpty();
      assertThat(s.getJsonObject("latency").getLong("count")).isPositive();
      assertThat(s.getJsonObject("window").getDouble("serverCpuSeconds")).isPositive();
      // the ceiling is a JVM with a GC log: every window says how much of it was GC pause
      assertThat(s.getJsonObject("window").getInteger("gcPausesInWindow")).isNotNull();
    }
  }

  @Test
  void stormBringsEveryoneBack() throws Exception {
    JsonObject r = scenarios.storm(ceiling);
    assertThat(r.getLong("notResumed")).isZero();
    assertThat(r.getInteger("stormers")).isEqualTo(5 * 9);
  }

  @Test
  void historyPagesAreFull() throws Exception {
    JsonObject r = scenarios.history(ceiling);
    JsonObject s = r.getJsonArray("steps").getJsonObject(0);
    assertThat(s.getLong("pages")).isPositive();
    assertThat(s.getLong("badPages")).isZero();
  }

  @Test
  void presenceReachesTheWatchers() throws Exception {
    JsonObject r = scenarios.presence(ceiling);
    assertThat(r.getLong("churnConnects")).isPositive();
    assertThat(r.getLong("onlineSeen")).isEqualTo(r.getLong("expectedOnlineAtWatchers"));
    // the warm churn before the window is not counted: the window holds about presence.measure.s of churn
    // (3 churners, one connect each per period of 1 s, so about 9), not the 2 s of warm churn before it
    assertThat(r.getLong("churnConnects")).isLessThanOrEqualTo(3L * 3 + 3);
  }
}
