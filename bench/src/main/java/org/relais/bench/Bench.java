package org.relais.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import redis.embedded.RedisExecProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark harness of issue 9. Starts Redis, Relais, the Socket.IO peer and the ceiling on 127.0.0.1, runs
 * the scenarios against each in turn (alternating the order between repetitions), stops everything, and writes
 * bench/results/&lt;timestamp&gt;.json and .md. Servers are pinned to CPU {@value #SERVER_CPU}; this JVM (the
 * generator) and the redis-servers to CPU {@value #GENERATOR_CPU}.
 *
 * <pre>
 * bash bench/run.sh [--quick] [--targets relais,socketio,ceiling] [--adapters classic,sharded]
 *                   [--scenarios idle,bigroom,rooms,history,storm,presence,bigroom2,rooms2] [--repeat N]
 *                   [--set key=value ...] [--profile] [--no-world-cache] [--provision-only]
 * </pre>
 */
public final class Bench {
  static final String SERVER_CPU = "0";
  static final String GENERATOR_CPU = "1";
  private static Boolean taskset;

  final Path root;
  final Path relaisJar;
  final Path benchJar;
  final Path peerDir;
  final Path runDir;
  final String serverJvmOpts;
  final Map<String, String> relaisEnv = new LinkedHashMap<>();
  boolean profile;
  /** Whether Relais's provisioned world is kept in (and taken from) {@link #cacheDir}: see WorldCache. */
  boolean worldCache = true;
  Path cacheDir;
  private final Vertx vertx;
  private final List<Target> started = new ArrayList<>();
  private final int localAddresses;

  Bench(Path root, Path runDir, String serverJvmOpts, int localAddresses) throws IOException {
    this.root = root;
    this.relaisJar = root.resolve("server/target/relais.jar");
    this.benchJar = root.resolve("bench/target/relais-bench.jar");
    this.peerDir = root.resolve("bench/peers/socketio");
    this.runDir = runDir;
    this.cacheDir = root.resolve("bench/cache");
    this.serverJvmOpts = serverJvmOpts;
    this.localAddresses = localAddresses;
    Files.createDirectories(runDir);
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2)
        .setBlockedThreadCheckInterval(10_000));
  }

  void close() {
    vertx.close();
  }

  static boolean hasTaskset() {
    if (taskset == null) {
      taskset = Proc.which("taskset") != null && Runtime.getRuntime().availableProcessors() >= 1;
    }
    return taskset;
  }

  static void log(String fmt, Object... args) {
    System.out.println(LocalDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " " + String.format(fmt, args));
  }

  static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  Gen gen(Target t) {
    return new Gen(vertx, t, world, localAddresses);
  }

  void closeGen(Gen g) {
    g.close();
  }

  World world;

  Proc startRedis(String label, int port) throws IOException {
    String exe = Proc.which("redis-server");
    if (exe == null) {
      exe = RedisExecProvider.defaultProvider().get().getAbsolutePath();
    }
    Path dir = runDir.resolve(label);
    Files.createDirectories(dir);
    Proc p = Proc.start(label, GENERATOR_CPU, List.of(exe, "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--protected-mode", "no", "--dir", dir.toString(),
        "--maxclients", "10000"), Map.of(), dir, runDir.resolve(label + ".log"));
    Proc.waitForPort(p, port, 15_000);
    return p;
  }

  private int windowProfiles;

  /**
   * With --profile: a JFR recording of each JVM node over one measured window only (1 ms sampling), written to
   * logs-…/window-N-NODE.jfr; summarise with JfrTop. Returns the recording's name.
   */
  String startWindowProfile(Target t) {
    String name = "window-" + (++windowProfiles);
    Path jfc = runDir.resolve("window.jfc");
    try {
      if (!Files.exists(jfc)) {
        Path base = Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc");
        Files.writeString(jfc, Files.readString(base).replaceAll(
            "(method-sampling-java-interval\">)[^<]*<", "$11 ms<"));
      }
    } catch (IOException e) {
      return null;
    }
    for (Proc p : t.nodes) {
      if (p.name.startsWith("relais") || p.name.startsWith("ceiling")) {
        Proc.run(List.of("jcmd", Long.toString(p.pid()), "JFR.start", "name=" + name, "settings=" + jfc), 30);
      }
    }
    return name;
  }

  void stopWindowProfile(Target t, String name) {
    for (Proc p : t.nodes) {
      if (p.name.startsWith("relais") || p.name.startsWith("ceiling")) {
        Proc.run(List.of("jcmd", Long.toString(p.pid()), "JFR.stop", "name=" + name,
            "filename=" + runDir.resolve(name + "-" + p.name + ".jfr")), 30);
      }
    }
  }

  /** The GC logs of the target's JVM nodes (none for Node.js). */
  List<Path> gcLogs(Target t) {
    List<Path> logs = new ArrayList<>();
    for (Proc p : t.nodes) {
      logs.add(runDir.resolve("gc-" + p.name + ".log"));
    }
    return logs;
  }

  /** The longest GC pause over the whole life of the target's JVM nodes (ramps and forced GCs included), or -1. */
  double gcMaxPauseMs(Target t) {
    return GcLog.maxOverLife(gcLogs(t));
  }

  /** Whether target t runs scenario variant v (the ceiling has no two-node path; quick mode trims the others). */
  private static boolean runs(Target t, String v, Sizes sz) {
    if (t instanceof Target.Ceil) {
      // the ceiling has no cross-node path; in quick mode it runs only where a target row needs it
      return !v.endsWith("2") && List.of(sz.s("ceiling.scenarios").split(",")).contains(v);
    }
    if (t instanceof Target.Peer) {
      // quick mode: the peer's two-node runs are in no target row
      return List.of(sz.s("peer.scenarios").split(",")).contains(v);
    }
    return true;
  }

  static JsonObject machine() {
    JsonObject m = new JsonObject();
    try {
      m.put("cpus", Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("processor")).count());
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          m.put("cpuModel", line.substring(line.indexOf(':') + 1).trim());
          break;
        }
      }
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal")) {
          m.put("memTotal", line.substring(line.indexOf(':') + 1).trim());
        }
      }
      m.put("onlineCpus", Files.readString(Path.of("/sys/devices/system/cpu/online")).trim());
    } catch (IOException e) {
      // partial
    }
    m.put("kernel", Proc.run(List.of("uname", "-r"), 5).trim());
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("node", Proc.run(List.of("node", "--version"), 5).trim());
    m.put("nofileLimit", Proc.run(List.of("sh", "-c", "ulimit -n"), 5).trim());
    return m;
  }

  public static void main(String[] args) throws Exception {
    BenchLogging.install();
    GenGc.install();
    boolean quick = false;
    List<String> targets = List.of("relais", "socketio", "ceiling");
    List<String> adapters = null;
    List<String> scenarios = null;
    int repeat = 1;
    List<String> sets = new ArrayList<>();
    boolean profile = false;
    boolean worldCache = true;
    boolean provisionOnly = false;
    Path root = Path.of(".").toAbsolutePath().normalize();
    String jvm = System.getenv().getOrDefault("BENCH_SERVER_JVM_OPTS", "");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--targets" -> targets = List.of(args[++i].split(","));
        case "--adapters" -> adapters = List.of(args[++i].split(","));
        case "--scenarios" -> scenarios = List.of(args[++i].split(","));
        case "--repeat" -> repeat = Integer.parseInt(args[++i]);
        case "--set" -> sets.add(args[++i]);
        case "--profile" -> profile = true;
        case "--no-world-cache" -> worldCache = false;
        case "--provision-only" -> provisionOnly = true;
        case "--root" -> root = Path.of(args[++i]).toAbsolutePath().normalize();
        case "--server-jvm-opts" -> jvm = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (adapters == null) {
      adapters = quick ? List.of("classic") : List.of("classic", "sharded");
    }
    if (scenarios == null) {
      scenarios = List.of("idle", "bigroom", "rooms", "history", "storm", "presence", "bigroom2", "rooms2");
    }
    Sizes sz = Sizes.of(quick);
    for (String kv : sets) {
      int eq = kv.indexOf('=');
      sz.s(kv.substring(0, eq)); // must exist
      sz.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path results = root.resolve("bench/results");
    Path runDir = results.resolve("logs-" + stamp);
    Bench bench = new Bench(root, runDir, jvm, sz.i("local.addresses"));
    bench.profile = profile;
    bench.worldCache = worldCache;
    bench.world = new World(sz);
    long t0 = System.nanoTime();
    JsonObject report = new JsonObject().put("startedAt", java.time.Instant.now().toString())
        .put("mode", quick ? "quick" : "full").put("repeat", repeat).put("machine", machine())
        .put("loadavgStart", loadavg()).put("sizes", new JsonObject(new LinkedHashMap<>(sz.values)))
        .put("serverJvmOpts", jvm).put("pinning", "servers on CPU " + SERVER_CPU + "; generator and redis on CPU "
            + GENERATOR_CPU + (hasTaskset() ? "" : " (taskset missing: NOT pinned)"))
        .put("users", bench.world.users);
    log("Relais benchmark (%s): %d users, scenarios %s, targets %s, load %s", quick ? "quick" : "full",
        bench.world.users, scenarios, targets, loadavg());
    List<Target> ts = new ArrayList<>();
    for (String t : targets) {
      switch (t) {
        case "relais" -> ts.add(new Target.Relais(bench));
        case "socketio" -> {
          for (String a : adapters) {
            ts.add(new Target.Peer(bench, a));
          }
        }
        case "ceiling" -> ts.add(new Target.Ceil(bench));
        default -> throw new IllegalArgumentException("unknown target " + t);
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ts.forEach(Target::stopAll)));
    JsonArray runs = new JsonArray();
    try {
      JsonObject provisioning = new JsonObject();
      for (Target t : ts) {
        long p0 = System.nanoTime();
        t.provision(bench.world);
        bench.started.add(t);
        provisioning.put(t.name, Scenarios.round((System.nanoTime() - p0) / 1e9, 1));
      }
      report.put("provisioningSeconds", provisioning);
      if (provisionOnly) {
        // fills the world cache (e.g. before a full run, while the machine is quiet) and measures nothing
        log("provisioned (%s); --provision-only: no scenario run", provisioning.encode());
        ts.forEach(Target::stopAll);
        System.exit(0);
      }
      Scenarios sc = new Scenarios(bench, sz, bench.world);
      for (int rep = 1; rep <= repeat; rep++) {
        for (int si = 0; si < scenarios.size(); si++) {
          String s = scenarios.get(si);
          // quick mode: the large-room and small-rooms ladders on the same nodes and connections when their members
          // are the same users (Scenarios.laddersShareNodes), so one start, one ramp
          String next = si + 1 < scenarios.size() ? scenarios.get(si + 1) : "";
          boolean pair = sc.laddersShareNodes() && ((s.equals("bigroom") && next.equals("rooms"))
              || (s.equals("bigroom2") && next.equals("rooms2")));
          if (pair) {
            si++;
          }
          List<Target> order = new ArrayList<>(ts);
          if (rep % 2 == 0) {
            java.util.Collections.reverse(order);
          }
          for (Target t : order) {
            List<String> variants = new ArrayList<>();
            for (String v : pair ? List.of(s, next) : List.of(s)) {
              if (runs(t, v, sz)) {
                variants.add(v);
              }
            }
            if (variants.isEmpty()) {
              continue;
            }
            log("[%d/%d] %s on %s (load %s)", rep, repeat, String.join(" + ", variants), t.name, loadavg());
            List<JsonObject> rs;
            long s0 = System.nanoTime();
            try {
              if (variants.get(0).startsWith("bigroom") || variants.get(0).startsWith("rooms")) {
                int nodes = variants.get(0).endsWith("2") ? 2 : 1;
                List<String> kinds = new ArrayList<>();
                variants.forEach(v -> kinds.add(v.replace("2", "")));
                rs = sc.ladders(t, kinds, nodes);
              } else {
                rs = List.of(switch (variants.get(0)) {
                  case "idle" -> sc.idle(t);
                  case "history" -> sc.history(t);
                  case "storm" -> sc.storm(t);
                  case "presence" -> sc.presence(t);
                  default -> throw new IllegalArgumentException("unknown scenario " + variants.get(0));
                });
              }
            } catch (Exception e) {
              log("  FAILED: %s", e);
              e.printStackTrace(System.out);
              t.stopNodes();
              rs = new ArrayList<>();
              for (String v : variants) {
                rs.add(new JsonObject().put("scenario", v).put("target", t.name)
                    .put("failed", String.valueOf(e)));
              }
            }
            for (int i = 0; i < rs.size(); i++) {
              JsonObject r = rs.get(i).put("repetition", rep).put("variant", variants.get(i));
              if (!r.containsKey("seconds")) {
                r.put("seconds", Scenarios.round((System.nanoTime() - s0) / 1e9, 1));
              }
              runs.add(r);
            }
          }
        }
      }
    } finally {
      ts.forEach(Target::stopAll);
      bench.vertx.close();
    }
    report.put("runs", runs).put("loadavgEnd", loadavg()).put("durationSeconds", Math.round((System.nanoTime() - t0) / 1e9));
    Path json = results.resolve(stamp + ".json");
    Files.writeString(json, report.encodePrettily());
    Path md = results.resolve(stamp + ".md");
    Files.writeString(md, Report.markdown(report));
    log("done in %d s: %s and %s (logs in %s)", report.getLong("durationSeconds"), root.relativize(json),
        root.relativize(md), root.relativize(runDir));
    System.exit(0);
  }
}
