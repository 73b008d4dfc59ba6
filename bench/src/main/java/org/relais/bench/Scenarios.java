package org.relais.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** The scenarios of issue 9, each run against one target; each returns its figures as JSON. */
final class Scenarios {
  private final Bench bench;
  private final Sizes sz;
  private final World world;
  private int stepCounter = 1;

  Scenarios(Bench bench, Sizes sz, World world) {
    this.bench = bench;
    this.sz = sz;
    this.world = world;
  }

  // ---------------------------------------------------------------------------------------------- measuring

  /** CPU seconds of the server nodes, Redis and the generator over a window, and the machine's load. */
  final class Window {
    final Target t;
    final long t0 = System.nanoTime();
    final long wall0 = System.currentTimeMillis();
    final double server0;
    final double redis0;
    final double gen0;
    final String load0 = Bench.loadavg();

    private final String profileName;
    private final List<ThreadCpu.Snap> threads0;

    Window(Target t) {
      this.t = t;
      profileName = bench.profile ? bench.startWindowProfile(t) : null;
      server0 = serverCpu(t);
      threads0 = threads(t);
      redis0 = t.redis == null ? 0 : t.redis.cpuSeconds();
      gen0 = Proc.cpuSeconds(ProcessHandle.current().pid());
    }

    JsonObject close() {
      double wall = (System.nanoTime() - t0) / 1e9;
      long wall1 = System.currentTimeMillis();
      double server = serverCpu(t) - server0;
      List<ThreadCpu.Snap> threads1 = threads(t);
      double redis = t.redis == null ? 0 : t.redis.cpuSeconds() - redis0;
      double gen = Proc.cpuSeconds(ProcessHandle.current().pid()) - gen0;
      if (profileName != null) {
        bench.stopWindowProfile(t, profileName);
      }
      JsonObject j = new JsonObject().put("wallSeconds", round(wall, 2)).put("serverCpuSeconds", round(server, 2))
          .put("redisCpuSeconds", round(redis, 2)).put("generatorCpuSeconds", round(gen, 2))
          .put("serverCpuShare", round(server / wall, 2)).put("redisCpuShare", round(redis / wall, 2))
          .put("generatorCpuShare", round(gen / wall, 2)).put("loadavgStart", load0).put("loadavgEnd", Bench.loadavg());
      // where the server's CPU went, per thread group (event loop, GC, JIT, workers...; see ThreadCpu)
      j.put("serverThreads", ThreadCpu.split(threads0, threads1, nodeNames(t), t.jvm(), wall));
      // GC pauses of the server's JVM(s) that overlap this window (issue 9: at most 20 ms); nothing for Node.js
      j.mergeIn(GcLog.inWindow(bench.gcLogs(t), wall0, wall1));
      // and the generator's own: while it is paused, every delivery in flight is measured late
      JsonObject genGc = GenGc.inWindow(wall0, wall1);
      j.mergeIn(genGc);
      List<String> invalid = new ArrayList<>();
      long genPause = genGc.getLong("generatorGcMaxPauseMsInWindow");
      if (genPause > GenGc.INVALID_PAUSE_MS) {
        invalid.add("generator paused " + genPause + " ms for its own GC");
      }
      if (gen / wall > 0.9) {
        invalid.add("generator used " + Math.round(100 * gen / wall) + "% of its core");
      }
      if (redis / wall > 0.8) {
        invalid.add("redis used " + Math.round(100 * redis / wall) + "% of its core");
      }
      j.put("valid", invalid.isEmpty());
      if (!invalid.isEmpty()) {
        j.put("invalidBecause", String.join("; ", invalid));
      }
      return j;
    }
  }

  static double serverCpu(Target t) {
    double s = 0;
    for (Proc p : t.nodes) {
      s += p.cpuSeconds();
    }
    return s;
  }

  static List<ThreadCpu.Snap> threads(Target t) {
    List<ThreadCpu.Snap> l = new ArrayList<>();
    for (Proc p : t.nodes) {
      l.add(ThreadCpu.read(p.pid()));
    }
    return l;
  }

  static List<String> nodeNames(Target t) {
    List<String> l = new ArrayList<>();
    for (Proc p : t.nodes) {
      l.add(p.name);
    }
    return l;
  }

  /**
   * The warm-up rule: with the load the caller started still running, waits at least {@code minSeconds}, then until
   * every node's compiler threads used at most {@code warmup.jit.share} of a core over the last second (JVM: C1
   * and C2; Node.js: V8's worker threads, which compile optimized code and mark concurrently — a stricter test),
   * at most {@code warmup.max.s} in all. Returns what happened: seconds, why it stopped, each second's highest
   * compiler share over the nodes.
   */
  JsonObject warmUntilJitQuiet(Target t, double minSeconds) {
    double threshold = Double.parseDouble(sz.s("warmup.jit.share"));
    double max = Math.max(minSeconds, sz.i("warmup.max.s"));
    long start = System.nanoTime();
    JsonArray perSecond = new JsonArray();
    List<ThreadCpu.Snap> prev = threads(t);
    long prevAt = System.nanoTime();
    String why = "bound reached";
    while (true) {
      Proc.sleep(1000);
      List<ThreadCpu.Snap> now = threads(t);
      long nowAt = System.nanoTime();
      double worst = 0;
      for (int i = 0; i < now.size() && i < prev.size(); i++) {
        worst = Math.max(worst, ThreadCpu.compileShare(prev.get(i), now.get(i), t.jvm(), (nowAt - prevAt) / 1e9));
      }
      perSecond.add(round(worst, 2));
      prev = now;
      prevAt = nowAt;
      double elapsed = (nowAt - start) / 1e9;
      if (elapsed + 1e-3 >= minSeconds && worst <= threshold) {
        why = "compiler quiet";
        break;
      }
      if (elapsed >= max - 0.5) {
        break;
      }
    }
    return new JsonObject().put("seconds", round((System.nanoTime() - start) / 1e9, 1)).put("stoppedBecause", why)
        .put("minSeconds", minSeconds).put("maxSeconds", max).put("threshold", threshold)
        .put("compilerSharePerSecond", perSecond);
  }

  static long serverRssKb(Target t) {
    long s = 0;
    for (Proc p : t.nodes) {
      s += p.rssKb();
    }
    return s;
  }

  static double round(double v, int digits) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return -1;
    }
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  static JsonObject hist(org.HdrHistogram.Histogram h) {
    JsonObject j = new JsonObject().put("count", h.getTotalCount());
    if (h.getTotalCount() == 0) {
      return j;
    }
    return j.put("p50ms", round(h.getValueAtPercentile(50) / 1000.0, 2))
        .put("p99ms", round(h.getValueAtPercentile(99) / 1000.0, 2))
        .put("p999ms", round(h.getValueAtPercentile(99.9) / 1000.0, 2))
        .put("maxms", round(h.getMaxValue() / 1000.0, 2));
  }

  private List<Conn> conns(Gen g, Target t, List<Integer> users, int nodes) {
    List<Conn> list = new ArrayList<>(users.size());
    for (int u : users) {
      list.add(t.conn(g, u, u % nodes));
    }
    return list;
  }

  private void openOrThrow(Gen g, List<Conn> conns, boolean resume) {
    g.on(() -> g.openAll(conns, sz.i("connect.concurrency"), resume), 600_000);
    long notReady = g.on(() -> Future.succeededFuture(conns.stream().filter(c -> !c.ready).count()), 10_000);
    if (notReady > 0) {
      throw new IllegalStateException(notReady + " of " + conns.size() + " connections could not be opened; last error: "
          + g.lastConnectError);
    }
  }

  private JsonObject counters(Gen g) {
    return g.on(() -> {
      JsonObject j = new JsonObject().put("sent", g.sent).put("acked", g.acked).put("expected", g.expected)
          .put("received", g.received).put("lost", Math.max(0, g.expected - g.received))
          .put("orderErrors", g.orderErrors).put("duplicates", g.duplicates).put("resyncs", g.resyncs)
          .put("unexpectedCloses", g.unexpectedCloses).put("lateFromEarlierStep", g.stale)
          .put("sendErrors", new JsonObject(new HashMap<>(g.sendErrors)))
          .put("latency", hist(g.latency));
      if (g.firstOrderError != null) {
        j.put("firstOrderError", g.firstOrderError);
      }
      if (g.firstCloseReason != null) {
        j.put("firstCloseReason", g.firstCloseReason);
      }
      return Future.succeededFuture(j);
    }, 30_000);
  }

  // ---------------------------------------------------------------------------------------------- fan-out ladders

  private record Pair(Conn conn, String room, int members) {
  }

  /** Sends at {@code rate} messages/s over the pairs, round robin, from a 5 ms timer on the event loop. */
  private long startPacer(Gen g, List<Pair> pairs, double rate) {
    long start = System.nanoTime();
    long[] issued = {0};
    return g.on(() -> Future.succeededFuture(g.vertx.setPeriodic(5, id -> {
      double due = (System.nanoTime() - start) / 1e9 * rate;
      int burst = 0;
      while (issued[0] < due && burst < 2000) {
        Pair p = pairs.get((int) (issued[0] % pairs.size()));
        issued[0]++;
        burst++;
        if (!p.conn.ready) {
          g.sendErrors.merge("sender not connected", 1L, Long::sum);
          continue;
        }
        g.sent++;
        p.conn.send(p.room, g.text(p.conn.user, issued[0]), err -> {
          if (err == null) {
            g.acked++;
            g.expected += p.members;
          } else {
            g.sendErrors.merge(err.length() > 60 ? err.substring(0, 60) : err, 1L, Long::sum);
          }
        });
      }
    })), 10_000);
  }

  /**
   * Waits until every acknowledged message has been received, at most {@code drain.s}; gives up earlier when nothing
   * was acknowledged, refused or received for {@code drain.idle.s} (what is still missing then is lost, not late).
   */
  private void drain(Gen g) {
    long now = System.currentTimeMillis();
    long deadline = now + sz.i("drain.s") * 1000L;
    long idle = sz.i("drain.idle.s") * 1000L;
    long lastMoved = now;
    long last = -1;
    while ((now = System.currentTimeMillis()) < deadline) {
      long[] st = g.on(() -> Future.succeededFuture(new long[] {
          g.acked + sumErrors(g) >= g.sent && g.received >= g.expected ? 1 : 0, g.acked + sumErrors(g) + g.received}),
          10_000);
      if (st[0] == 1) {
        return;
      }
      if (st[1] != last) {
        last = st[1];
        lastMoved = now;
      } else if (now - lastMoved >= idle) {
        return;
      }
      Proc.sleep(100);
    }
  }

  private static long sumErrors(Gen g) {
    return g.sendErrors.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Whether the large-room and small-rooms ladders can share their nodes and connections: when {@code ladders.shared}
   * is on (quick mode) and both have the same members (users 0..N-1: in quick mode 500 = 50 × 10), their
   * connection sets are the same, so a second start, ramp and warm-up of the same nodes would measure nothing new.
   */
  boolean laddersShareNodes() {
    return Boolean.parseBoolean(sz.s("ladders.shared")) && world.big == world.rooms * world.roomSize;
  }

  /**
   * One large room or many small rooms: rates climb until p99 passes the limit (or messages are lost); the knee
   * is the highest rate held below it without loss.
   *
   * <p>The ladders of {@code kinds} ("bigroom", "rooms") one after the other on the same nodes and connections: one
   * start and one connection ramp, then per kind its own warm-up (warmUntilJitQuiet at its first rate) and its steps.
   * Each kind's result says which nodes it shared ({@code sharedNodesWith}); the ramp window is the first kind's;
   * {@code seconds} is each kind's own time (the start and the ramp counted in the first).
   */
  List<JsonObject> ladders(Target t, List<String> kinds, int nodes) throws Exception {
    double limit = sz.i("p99.limit.ms");
    int count = 0;
    for (String kind : kinds) {
      count = Math.max(count, kind.equals("bigroom") ? world.big : world.rooms * world.roomSize);
    }
    List<Integer> users = new ArrayList<>();
    for (int u = 0; u < count; u++) {
      users.add(u);
    }
    List<JsonObject> outs = new ArrayList<>();
    long t0 = System.nanoTime();
    t.startNodes(nodes);
    Gen g = bench.gen(t);
    try {
      // no separate handshake warm-up: nothing is measured before the ramp's hundreds of handshakes and the
      // unreported warm-up step below have warmed the node
      List<Conn> conns = conns(g, t, users, nodes);
      Window ramp = new Window(t);
      openOrThrow(g, conns, false);
      JsonObject rampWindow = ramp.close();
      long connectRetries = g.on(() -> Future.succeededFuture(g.connectErrors + g.refusals), 10_000);
      for (String kind : kinds) {
        boolean big = kind.equals("bigroom");
        int[] rates = sz.ints((big ? "big" : "rooms") + (nodes == 2 ? "2" : "") + ".rates");
        JsonObject out = new JsonObject().put("scenario", kind).put("target", t.name).put("nodes", nodes)
            .put("members", big ? world.big : world.roomSize).put("rooms", big ? 1 : world.rooms);
        if (outs.isEmpty()) {
          out.put("rampWindow", rampWindow).put("connectRetries", connectRetries);
        } else {
          out.put("sharedNodesWith", outs.get(0).getString("scenario"));
        }
        outs.add(out);
        JsonArray steps = new JsonArray();
        double knee = 0;
        int failedInARow = 0;
        // warm-up at the first rate, not reported: at least warmup.step.s, then until the JIT is quiet (bounded); no
        // separate settle pause after the ramp, the warm-up follows it
        out.put("warmUp", runStep(g, t, big, conns, rates[0], sz.i("warmup.step.s"), false).getJsonObject("warmUp"));
        for (int rate : rates) {
          JsonObject s = runStep(g, t, big, conns, rate, sz.i("step.measure.s"), true);
          steps.add(s);
          Bench.log("  %s %s nodes=%d rate=%d msg/s: %s", t.name, kind, nodes, rate, brief(s));
          double p99 = s.getJsonObject("latency").getDouble("p99ms", Double.MAX_VALUE);
          boolean ok = p99 <= limit && s.getLong("lost") == 0 && s.getLong("orderErrors") == 0
              && s.getJsonObject("sendErrors").isEmpty();
          s.put("withinLimit", ok);
          // one bad step can be a hiccup of this shared machine: stop after two in a row; the knee is the highest
          // rate held within the limit
          if (ok) {
            knee = rate;
            failedInARow = 0;
          } else if (++failedInARow >= 2) {
            break;
          }
        }
        out.put("steps", steps).put("kneeMsgPerSecond", knee)
            .put("kneeDeliveriesPerSecond", knee * (big ? world.big : world.roomSize))
            .put("serverRssKb", serverRssKb(t)).put("gcMaxPauseMs", bench.gcMaxPauseMs(t));
        long t1 = System.nanoTime();
        out.put("seconds", round((t1 - t0) / 1e9, 1));
        t0 = t1;
      }
      g.closeAll(conns);
    } finally {
      bench.closeGen(g);
      t.stopNodes();
    }
    return outs;
  }

  private JsonObject runStep(Gen g, Target t, boolean big, List<Conn> conns, int rate, int measureSeconds,
                             boolean report) {
    int step = stepCounter++;
    g.resetStep(step);
    List<Pair> pairs = new ArrayList<>();
    if (big) {
      int senders = Math.max(1, Math.min(world.big, (int) Math.ceil(rate / 10.0)));
      for (int i = 0; i < senders; i++) {
        pairs.add(new Pair(conns.get(i), t.room("big"), world.big));
      }
    } else {
      for (int j = 0; j < world.rooms; j++) {
        pairs.add(new Pair(conns.get(j * world.roomSize), t.room("s" + j), world.roomSize));
      }
    }
    long timer = startPacer(g, pairs, rate);
    if (!report) {
      // the ladder's unreported warm-up step: the load runs until the nodes' compilers are quiet (bounded)
      JsonObject warm = warmUntilJitQuiet(t, measureSeconds);
      g.run(() -> g.vertx.cancelTimer(timer));
      drain(g);
      Bench.log("  %s warm-up at %d msg/s: %s s (%s; compiler share per second %s)", t.name, rate,
          warm.getValue("seconds"), warm.getString("stoppedBecause"), warm.getJsonArray("compilerSharePerSecond").encode());
      return new JsonObject().put("warmUp", warm.put("rate", rate));
    }
    Proc.sleep(sz.i("step.warm.s") * 1000L);
    g.run(() -> g.window = true);
    Window w = new Window(t);
    Proc.sleep(measureSeconds * 1000L);
    JsonObject win = w.close();
    g.run(() -> {
      g.window = false;
      g.vertx.cancelTimer(timer);
    });
    drain(g);
    JsonObject s = counters(g).put("rate", rate).put("senders", pairs.size()).put("window", win);
    long delivered = g.on(() -> Future.succeededFuture(g.receivedInWindow), 10_000);
    double wall = win.getDouble("wallSeconds");
    s.put("deliveriesInWindow", delivered).put("deliveriesPerSecond", Math.round(delivered / wall));
    if (delivered > 0) {
      s.put("serverCpuSecondsPer1000Deliveries", round(win.getDouble("serverCpuSeconds") / delivered * 1000, 4))
          .put("serverCpuMicrosPerDelivery", round(win.getDouble("serverCpuSeconds") / delivered * 1e6, 2));
    }
    return s;
  }

  static String brief(JsonObject s) {
    JsonObject l = s.getJsonObject("latency");
    JsonObject w = s.getJsonObject("window");
    return String.format("deliv/s=%s p50=%s p99=%s max=%s lost=%s order=%s errors=%s µs/deliv=%s gen=%s "
            + "genGcMaxMs=%s redis=%s%s",
        s.getValue("deliveriesPerSecond"), l.getValue("p50ms"), l.getValue("p99ms"), l.getValue("maxms"),
        s.getValue("lost"), s.getValue("orderErrors"), s.getJsonObject("sendErrors").encode(),
        s.getValue("serverCpuMicrosPerDelivery"), w.getValue("generatorCpuShare"),
        w.getValue("generatorGcMaxPauseMsInWindow"), w.getValue("redisCpuShare"),
        w.getBoolean("valid") ? "" : " INVALID: " + w.getString("invalidBecause"));
  }

  // ---------------------------------------------------------------------------------------------- idle

  /**
   * Idle authenticated connections. Memory per connection is the marginal cost: measured (after a full GC) with half
   * of the connections open and with all of them, so that one-time growth (JIT, warm-up, pools) does not count.
   */
  JsonObject idle(Target t) throws Exception {
    int n = sz.i("idle.connections");
    if (n > 19_500) {
      throw new IllegalArgumentException("idle.connections above the per-process descriptor limit (19,500)");
    }
    t.startNodes(1);
    Gen g = bench.gen(t);
    JsonObject out = new JsonObject().put("scenario", "idle").put("target", t.name).put("connections", n);
    try {
      Proc node = t.nodes.get(0);
      warmUp(g, t);
      List<Integer> users = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        users.add(i % world.users);
      }
      List<Conn> conns = conns(g, t, users, 1);
      List<Conn> first = conns.subList(0, n / 2);
      List<Conn> second = conns.subList(n / 2, n);
      Window w = new Window(t);
      long t0 = System.nanoTime();
      openOrThrow(g, first, false);
      double firstSecs = (System.nanoTime() - t0) / 1e9;
      JsonObject firstWindow = w.close();
      Proc.sleep(sz.i("settle.s") * 1000L);
      long heap0 = t.heapAfterGcKb(node);
      Proc.sleep(500);
      long rss0 = node.rssKb();
      long[] sock0 = sockstat();
      w = new Window(t);
      long t1 = System.nanoTime();
      openOrThrow(g, second, false);
      double secondSecs = (System.nanoTime() - t1) / 1e9;
      out.put("connectWindow", w.close()).put("firstHalfWindow", firstWindow)
          .put("connectSeconds", round(firstSecs + secondSecs, 2))
          .put("connectsPerSecond", Math.round(n / (firstSecs + secondSecs)));
      Proc.sleep(sz.i("settle.s") * 1000L);
      Window hold = new Window(t);
      Proc.sleep(sz.i("idle.hold.s") * 1000L);
      out.put("holdWindow", hold.close());
      long heap1 = t.heapAfterGcKb(node);
      Proc.sleep(500);
      long rss1 = node.rssKb();
      long[] sock1 = sockstat();
      int added = second.size();
      if (sock0 != null && sock1 != null) {
        // machine-wide: both ends of each loopback connection (the generator's and the server's), and whatever
        // else runs on the machine; pages of 4 KiB
        out.put("kernelTcpSocketsHalf", sock0[0]).put("kernelTcpSocketsAll", sock1[0])
            .put("kernelTcpMemPagesHalf", sock0[1]).put("kernelTcpMemPagesAll", sock1[1])
            .put("kernelTcpMemPerConnectionKb", round((sock1[1] - sock0[1]) * 4.0 / added, 2));
      }
      out.put("rssHalfKb", rss0).put("rssAllKb", rss1)
          .put("rssPerConnectionKb", round((rss1 - rss0) / (double) added, 2));
      if (heap0 >= 0 && heap1 >= 0) {
        out.put("heapHalfKb", heap0).put("heapAllKb", heap1)
            .put("heapPerConnectionKb", round((heap1 - heap0) / (double) added, 2));
      }
      JsonObject c = counters(g);
      out.put("unexpectedCloses", c.getLong("unexpectedCloses"))
          .put("connectRetries", g.on(() -> Future.succeededFuture(g.connectErrors + g.refusals), 10_000))
          .put("gcMaxPauseMs", bench.gcMaxPauseMs(t));
      Bench.log("  %s idle %d: %s conn/s, RSS %s KB/conn, heap %s KB/conn (marginal, second half)", t.name, n,
          out.getValue("connectsPerSecond"), out.getValue("rssPerConnectionKb"), out.getValue("heapPerConnectionKb"));
      g.closeAll(conns);
    } finally {
      bench.closeGen(g);
      t.stopNodes();
    }
    return out;
  }

  /** {TCP sockets in use, TCP memory in pages} from /proc/net/sockstat ("TCP: inuse N … mem M"), or null. */
  static long[] sockstat() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/sockstat"))) {
        if (line.startsWith("TCP:")) {
          String[] f = line.trim().split("\\s+");
          long inuse = -1;
          long mem = -1;
          for (int i = 1; i + 1 < f.length; i += 2) {
            if (f[i].equals("inuse")) {
              inuse = Long.parseLong(f[i + 1]);
            } else if (f[i].equals("mem")) {
              mem = Long.parseLong(f[i + 1]);
            }
          }
          return mem < 0 ? null : new long[] {inuse, mem};
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // not Linux
    }
    return null;
  }

  /** Connects and closes a few hundred sockets, so that a fresh JVM is not measured while still interpreting. */
  private void warmUp(Gen g, Target t) {
    List<Integer> users = new ArrayList<>();
    for (int i = 0; i < Math.min(300, world.users); i++) {
      users.add(i);
    }
    List<Conn> conns = conns(g, t, users, t.nodes.size());
    g.on(() -> g.openAll(conns, 20, false), 600_000);
    g.closeAll(conns);
  }

  // ---------------------------------------------------------------------------------------------- history

  JsonObject history(Target t) throws Exception {
    t.startNodes(1);
    t.beforeHistory(world);
    Gen g = bench.gen(t);
    JsonObject out = new JsonObject().put("scenario", "history").put("target", t.name)
        .put("rooms", world.histRooms).put("messagesPerRoom", world.histMessages).put("page", 50);
    JsonArray steps = new JsonArray();
    JsonArray warmUps = new JsonArray();
    try {
      for (int readers : sz.ints("history.readers")) {
        List<Integer> users = new ArrayList<>();
        for (int u = 0; u < readers; u++) {
          users.add(u);
        }
        List<Conn> conns = conns(g, t, users, 1);
        openOrThrow(g, conns, false);
        // warm-up, then the measured window
        for (int phase = 0; phase < 2; phase++) {
          boolean measure = phase == 1;
          g.resetStep(stepCounter++);
          boolean[] running = {true};
          Random rnd = new Random(readers);
          g.run(() -> {
            for (Conn c : conns) {
              readLoop(g, c, rnd, running);
            }
          });
          Window w = null;
          if (measure) {
            g.run(() -> g.window = true);
            w = new Window(t);
            Proc.sleep(sz.i("history.measure.s") * 1000L);
          } else {
            // warm-up: at least history.warm.s, then until the JIT is quiet (bounded)
            JsonObject warm = warmUntilJitQuiet(t, sz.i("history.warm.s"));
            warmUps.add(warm.put("readers", readers));
            Bench.log("  %s history warm-up, %d readers: %s s (%s; compiler share per second %s)", t.name, readers,
                warm.getValue("seconds"), warm.getString("stoppedBecause"),
                warm.getJsonArray("compilerSharePerSecond").encode());
          }
          if (measure) {
            JsonObject win = w.close();
            g.run(() -> {
              g.window = false;
              running[0] = false;
            });
            Proc.sleep(500);
            JsonObject s = g.on(() -> Future.succeededFuture(new JsonObject().put("readers", readers)
                .put("pages", g.receivedInWindow).put("badPages", g.sendErrors.getOrDefault("bad page", 0L))
                .put("errors", g.sendErrors.getOrDefault("error", 0L)).put("latency", hist(g.latency))), 10_000);
            double wall = win.getDouble("wallSeconds");
            s.put("pagesPerSecond", Math.round(s.getLong("pages") / wall)).put("window", win);
            if (s.getLong("pages") > 0) {
              s.put("serverCpuMicrosPerPage", round(win.getDouble("serverCpuSeconds") / s.getLong("pages") * 1e6, 1));
            }
            steps.add(s);
            Bench.log("  %s history readers=%d: %s pages/s p50=%s p99=%s bad=%s gen=%s redis=%s%s", t.name, readers,
                s.getValue("pagesPerSecond"), s.getJsonObject("latency").getValue("p50ms"),
                s.getJsonObject("latency").getValue("p99ms"), s.getValue("badPages"), win.getValue("generatorCpuShare"),
                win.getValue("redisCpuShare"), win.getBoolean("valid") ? "" : " INVALID");
          } else {
            g.run(() -> running[0] = false);
            Proc.sleep(500);
          }
        }
        g.closeAll(conns);
      }
      out.put("steps", steps).put("warmUps", warmUps).put("serverRssKb", serverRssKb(t))
          .put("gcMaxPauseMs", bench.gcMaxPauseMs(t));
    } finally {
      bench.closeGen(g);
      t.stopNodes();
    }
    return out;
  }

  private void readLoop(Gen g, Conn c, Random rnd, boolean[] running) {
    if (!running[0] || !c.ready) {
      return;
    }
    String room = g.target.room("h" + rnd.nextInt(world.histRooms));
    long t0 = System.nanoTime();
    c.history(room, n -> {
      if (g.window) {
        if (n == 50) {
          g.receivedInWindow++;
          g.latency.recordValue((System.nanoTime() - t0) / 1000);
        } else {
          g.sendErrors.merge(n < 0 ? "error" : "bad page", 1L, Long::sum);
        }
      }
      readLoop(g, c, rnd, running);
    });
  }

  // ---------------------------------------------------------------------------------------------- reconnect storm

  JsonObject storm(Target t) throws Exception {
    int count = world.rooms * world.roomSize;
    List<Integer> users = new ArrayList<>();
    for (int u = 0; u < count; u++) {
      users.add(u);
    }
    t.startNodes(1);
    Gen g = bench.gen(t);
    JsonObject out = new JsonObject().put("scenario", "storm").put("target", t.name).put("clients", count);
    try {
      // the connection ramp of every client (hundreds of handshakes) warms the node before the measured storm
      List<Conn> all = conns(g, t, users, 1);
      openOrThrow(g, all, false);
      // settle: at least settle.s, then until the compilers have worked off what the ramp gave them (bounded)
      out.put("warmUp", warmUntilJitQuiet(t, sz.i("settle.s")));
      List<Conn> stayers = new ArrayList<>();
      List<Conn> stormers = new ArrayList<>();
      for (Conn c : all) {
        (c.user % world.roomSize == 0 ? stayers : stormers).add(c);
      }
      g.resetStep(stepCounter++);
      g.run(() -> g.trackPerConn = true);
      g.run(() -> stormers.forEach(Conn::drop));
      Proc.sleep(1000);
      boolean resumes = t.resumes();
      Set<Integer> roomsSent = new HashSet<>();
      if (resumes) {
        // one message per room while its members are away: each must get it when it comes back
        g.on(() -> {
          List<Future<Void>> acks = new ArrayList<>();
          for (Conn s : stayers) {
            Promise<Void> p = Promise.promise();
            g.sent++;
            s.send(t.room("s" + (s.user / world.roomSize)), g.text(s.user, 1), err -> {
              if (err == null) {
                g.acked++;
                roomsSent.add(s.user / world.roomSize);
                p.complete();
              } else {
                g.sendErrors.merge(err, 1L, Long::sum);
                p.complete();
              }
            });
            acks.add(p.future());
          }
          return Future.join(acks).mapEmpty();
        }, 60_000);
      }
      Window w = new Window(t);
      long t0 = System.nanoTime();
      g.on(() -> g.openAll(stormers, stormers.size(), true), sz.i("storm.timeout.s") * 1000L + 10_000);
      double connectedAt = (System.nanoTime() - t0) / 1e9;
      long deadline = System.currentTimeMillis() + sz.i("storm.timeout.s") * 1000L;
      long missing = Long.MAX_VALUE;
      while (System.currentTimeMillis() < deadline) {
        missing = g.on(() -> Future.succeededFuture(stormers.stream()
            .filter(c -> !c.ready || (roomsSent.contains(c.user / world.roomSize)
                && g.receivedBy.getOrDefault(c, 0) < 1)).count()), 10_000);
        if (missing == 0) {
          break;
        }
        Proc.sleep(20);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      JsonObject win = w.close();
      JsonObject c = counters(g);
      out.put("stormers", stormers.size()).put("messagesDuringStorm", roomsSent.size()).put("allConnectedSeconds", round(connectedAt, 2))
          .put("allResumedSeconds", round(secs, 2)).put("notResumed", missing)
          .put("resumeChecked", resumes).put("upgradeRetries", g.on(() -> Future.succeededFuture(g.connectErrors + g.refusals), 10_000))
          .put("refusals", g.on(() -> Future.succeededFuture(g.refusals), 10_000))
          .put("upgradeRefusals", g.on(() -> Future.succeededFuture(g.upgradeRefusals), 10_000))
          .put("connectErrors", g.on(() -> Future.succeededFuture(g.connectErrors), 10_000))
          .put("orderErrors", c.getLong("orderErrors")).put("duplicates", c.getLong("duplicates"))
          .put("resyncs", c.getLong("resyncs")).put("sendErrors", c.getJsonObject("sendErrors")).put("window", win)
          .put("serverRssKb", serverRssKb(t)).put("gcMaxPauseMs", bench.gcMaxPauseMs(t));
      Bench.log("  %s storm %d: all connected %.2f s, all resumed %.2f s, not resumed %d, retries %s (refused %s, of which"
              + " at the upgrade %s; connect errors %s), order %s", t.name, stormers.size(), connectedAt, secs, missing,
          out.getValue("upgradeRetries"), out.getValue("refusals"), out.getValue("upgradeRefusals"),
          out.getValue("connectErrors"), c.getLong("orderErrors"));
      g.run(() -> g.trackPerConn = false);
      g.closeAll(all);
    } finally {
      bench.closeGen(g);
      t.stopNodes();
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------- presence churn

  JsonObject presence(Target t) throws Exception {
    t.startNodes(1);
    Gen g = bench.gen(t);
    JsonObject out = new JsonObject().put("scenario", "presence").put("target", t.name)
        .put("rooms", world.presRooms).put("watchersPerRoom", world.presWatchers)
        .put("churnersPerRoom", world.presChurners);
    try {
      List<Conn> watchers = new ArrayList<>();
      List<Conn> churners = new ArrayList<>();
      for (int k = 0; k < world.presRooms; k++) {
        int base = world.presBase + k * world.presSize();
        for (int i = 0; i < world.presSize(); i++) {
          Conn c = t.conn(g, base + i, 0);
          (i < world.presWatchers ? watchers : churners).add(c);
        }
      }
      warmUp(g, t);
      Set<Conn> watcherSet = new HashSet<>(watchers);
      openOrThrow(g, watchers, false);
      Proc.sleep(1000);
      g.resetStep(stepCounter++);
      Collections.shuffle(churners, new Random(7));
      int hold = sz.i("presence.hold.ms");
      double period = sz.i("presence.period.s");
      double interval = period * 1000.0 / churners.size();
      long[] connects = {0};
      long[] churnErrors = {0};
      boolean[] running = {true};
      Map<Conn, Boolean> busy = new HashMap<>();
      g.run(() -> g.presenceWatchers = watcherSet);
      long start = System.nanoTime();
      long timer = g.on(() -> {
        int[] next = {0};
        long[] issued = {0};
        return Future.succeededFuture(g.vertx.setPeriodic(5, id -> {
          double due = (System.nanoTime() - start) / 1e6 / interval;
          while (running[0] && issued[0] < due) {
            issued[0]++;
            Conn c = churners.get(next[0]++ % churners.size());
            if (busy.getOrDefault(c, false)) {
              continue;
            }
            busy.put(c, true);
            g.presenceStart.put(c.user, System.nanoTime());
            connects[0]++;
            c.open(false).onComplete(ar -> {
              if (ar.failed()) {
                churnErrors[0]++;
                busy.put(c, false);
                return;
              }
              g.vertx.setTimer(hold, x -> {
                c.drop();
                busy.put(c, false);
              });
            });
          }
        }));
      }, 10_000);
      // Warm churn first (presence.warm.s, one period by default): every churner has connected once, so the window
      // measures steady churn, not the first sight of each token (one ECDSA check per token and node) nor the JIT
      // compiling the hello and presence paths, which dominated a window that started cold.
      // Then on until the JIT is quiet (warmUntilJitQuiet, bounded by warmup.max.s).
      JsonObject warm = warmUntilJitQuiet(t, sz.i("presence.warm.s"));
      out.put("warmUp", warm);
      Bench.log("  %s presence warm churn: %s s (%s; compiler share per second %s)", t.name, warm.getValue("seconds"),
          warm.getString("stoppedBecause"), warm.getJsonArray("compilerSharePerSecond").encode());
      g.run(() -> {
        connects[0] = 0;
        churnErrors[0] = 0;
        g.presenceOnline = g.presenceOffline = 0;
        g.presenceLatency.reset();
        // a notice of a connect issued before the window is not counted (see Gen.onPresence)
        g.presenceStart.clear();
        g.window = true;
      });
      Window w = new Window(t);
      // count only what watchers see
      Proc.sleep(sz.i("presence.measure.s") * 1000L);
      JsonObject win = w.close();
      g.run(() -> {
        running[0] = false;
        g.window = false;
        g.vertx.cancelTimer(timer);
      });
      Proc.sleep(hold + 1000L);
      JsonObject s = g.on(() -> Future.succeededFuture(new JsonObject().put("churnConnects", connects[0])
          .put("churnConnectErrors", churnErrors[0]).put("onlineSeen", g.presenceOnline)
          .put("offlineSeen", g.presenceOffline).put("latencyOnline", hist(g.presenceLatency))
          .put("unexpectedCloses", g.unexpectedCloses)), 10_000);
      double wall = win.getDouble("wallSeconds");
      s.put("connectsPerSecond", round(connects[0] / wall, 1)).put("window", win)
          .put("expectedOnlineAtWatchers", connects[0] * world.presWatchers);
      if (connects[0] > 0) {
        s.put("serverCpuMillisPerChurn", round(win.getDouble("serverCpuSeconds") / connects[0] * 1000, 2));
      }
      out.mergeIn(s).put("serverRssKb", serverRssKb(t)).put("gcMaxPauseMs", bench.gcMaxPauseMs(t));
      Bench.log("  %s presence: %s connects/s, online seen %s (watchers expected %s), p50=%s p99=%s ms, errors %s",
          t.name, s.getValue("connectsPerSecond"), s.getValue("onlineSeen"), s.getValue("expectedOnlineAtWatchers"),
          s.getJsonObject("latencyOnline").getValue("p50ms"), s.getJsonObject("latencyOnline").getValue("p99ms"),
          churnErrors[0]);
      g.run(() -> g.presenceWatchers = null);
      g.closeAll(watchers);
      g.closeAll(churners);
      if (watcherSet.isEmpty()) {
        throw new IllegalStateException("no watchers");
      }
    } finally {
      bench.closeGen(g);
      t.stopNodes();
    }
    return out;
  }
}
