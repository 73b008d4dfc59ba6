package org.relais.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a server process's CPU goes, per thread: {@code utime + stime} of every thread from
 * {@code /proc/<pid>/task/<tid>/stat} (whose second field is the thread's {@code comm}, the same name as
 * {@code /proc/<pid>/task/<tid>/comm}: at most 15 characters) at the start and at the end of a window, grouped.
 *
 * <p>JVM (Relais, the ceiling): {@code loop} — Vert.x event loops ({@code vert.x-eventloop-thread-*}); {@code gc} —
 * the collector's threads ({@code GC Thread#*}, {@code G1 *}) and the {@code VM Thread}, which runs the
 * stop-the-world operations (with Serial GC, the collections themselves); {@code jit} — {@code C1 CompilerThread*},
 * {@code C2 CompilerThread*} and the code cache sweeper; {@code workers} — Vert.x worker and internal blocking
 * threads and named worker pools ({@code vert.x-worker-thread-*}, {@code vert.x-internal-blocking-*},
 * {@code relais-*}); {@code other} — everything else (the acceptor, timers, JFR, the main thread...).
 * Node.js (the peer): {@code main} — the main thread (its thread id is the process id: JavaScript, the event loop
 * and V8's main-thread GC and compilation); {@code workers} — every other thread named {@code node},
 * {@code V8Worker*} or {@code libuv-worker*} (V8's platform workers: concurrent marking and optimizing compilation;
 * the libuv pool); {@code other} — everything else.
 *
 * <p>A thread is known by its id and its start time (field 22), so a reused id is a new thread. A thread that
 * appears during the window counts from zero; a thread that exits during the window takes its own figure with it,
 * but the kernel keeps its ticks in the process's total ({@code /proc/<pid>/stat}): the difference between the
 * process's delta and the sum of the live threads' deltas is reported as {@code exited} (clamped at 0: per-thread
 * figures are truncated to whole clock ticks, so this carries a few ticks of rounding either way).
 */
final class ThreadCpu {
  static final List<String> JVM_GROUPS = List.of("loop", "gc", "jit", "workers", "other", "exited");
  static final List<String> NODE_GROUPS = List.of("main", "workers", "other", "exited");

  private ThreadCpu() {
  }

  /** One thread at one moment. */
  record Task(String comm, long ticks) {
  }

  /** All threads of one process at one moment (process ticks included), or an empty snapshot if it is gone. */
  record Snap(long pid, long processTicks, Map<String, Task> threads) {
  }

  static Snap read(long pid) {
    long proc = ticks(Path.of("/proc/" + pid + "/stat"));
    Map<String, Task> threads = new LinkedHashMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : ds) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String comm = stat.substring(open + 1, close);
          String[] f = stat.substring(close + 2).split(" ");
          long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
          // f[19] is field 22, starttime: with the tid, it names the thread even if the id is reused
          threads.put(task.getFileName() + "@" + f[19], new Task(comm, t));
        } catch (IOException | RuntimeException e) {
          // the thread exited between the listing and the read: its ticks are in the process's total
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process is gone
    }
    return new Snap(pid, proc, threads);
  }

  private static long ticks(Path stat) {
    try {
      String s = Files.readString(stat);
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The group of a thread (see the class comment); {@code mainTid}: the thread whose id is the process's. */
  static String group(String comm, boolean jvm, boolean mainTid) {
    if (jvm) {
      if (comm.startsWith("vert.x-eventloo")) {
        return "loop";
      }
      if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.equals("VM Thread")) {
        return "gc";
      }
      if (comm.startsWith("C2 CompilerThre") || comm.startsWith("C1 CompilerThre") || comm.startsWith("Sweeper thread")) {
        return "jit";
      }
      if (comm.startsWith("vert.x-worker") || comm.startsWith("vert.x-internal") || comm.startsWith("relais-")) {
        return "workers";
      }
      return "other";
    }
    if (mainTid) {
      return "main";
    }
    if (comm.equals("node") || comm.startsWith("V8Worker") || comm.startsWith("libuv-worker")) {
      return "workers";
    }
    return "other";
  }

  /** A thread's name with its trailing number folded ("GC Thread#1" → "GC Thread#N"), to add up pools. */
  static String fold(String comm) {
    return comm.replaceAll("[0-9]+$", "N");
  }

  /** Ticks per group between two snapshots of one process (the keys of {@link #JVM_GROUPS} or {@link #NODE_GROUPS}). */
  static Map<String, Long> groupTicks(Snap a, Snap b, boolean jvm, Map<String, Long> detail) {
    Map<String, Long> g = new LinkedHashMap<>();
    for (String k : jvm ? JVM_GROUPS : NODE_GROUPS) {
      g.put(k, 0L);
    }
    long sum = 0;
    for (Map.Entry<String, Task> e : b.threads.entrySet()) {
      Task before = a.threads.get(e.getKey());
      long d = e.getValue().ticks - (before == null ? 0 : before.ticks);
      if (d <= 0) {
        continue;
      }
      sum += d;
      boolean mainTid = e.getKey().startsWith(b.pid + "@");
      g.merge(group(e.getValue().comm, jvm, mainTid), d, Long::sum);
      if (detail != null) {
        detail.merge(fold(e.getValue().comm), d, Long::sum);
      }
    }
    if (a.processTicks >= 0 && b.processTicks >= 0) {
      g.put("exited", Math.max(0, b.processTicks - a.processTicks - sum));
    }
    return g;
  }

  /**
   * The split of a window over the target's nodes: shares of one core per group, summed over the nodes (they share
   * one CPU), the compact {@code split} string of the "every step" table, and per node the groups and the busiest
   * threads (folded names, shares).
   */
  static JsonObject split(List<Snap> start, List<Snap> end, List<String> names, boolean jvm, double wallSeconds) {
    Map<String, Long> total = new LinkedHashMap<>();
    JsonArray nodes = new JsonArray();
    double tps = Proc.TICKS_PER_SECOND;
    for (int i = 0; i < end.size() && i < start.size(); i++) {
      Map<String, Long> detail = new TreeMap<>();
      Map<String, Long> g = groupTicks(start.get(i), end.get(i), jvm, detail);
      g.forEach((k, v) -> total.merge(k, v, Long::sum));
      JsonObject node = new JsonObject().put("node", names.get(i));
      g.forEach((k, v) -> node.put(k, share(v, tps, wallSeconds)));
      JsonObject threads = new JsonObject();
      detail.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(12)
          .forEach(e -> threads.put(e.getKey(), share(e.getValue(), tps, wallSeconds)));
      nodes.add(node.put("threads", threads));
    }
    JsonObject shares = new JsonObject();
    total.forEach((k, v) -> shares.put(k, share(v, tps, wallSeconds)));
    return new JsonObject().put("kind", jvm ? "jvm" : "node").put("split", compact(shares, jvm)).put("shares", shares)
        .put("nodes", nodes);
  }

  private static double share(long ticks, double tps, double wall) {
    return wall <= 0 ? 0 : Scenarios.round(ticks / tps / wall, 3);
  }

  /** "loop 0.61 / GC 0.05 / JIT 0.22 / workers 0.01 / other 0.03" (groups at 0 left out, but loop, GC and JIT kept). */
  static String compact(JsonObject shares, boolean jvm) {
    StringBuilder sb = new StringBuilder();
    for (String k : jvm ? JVM_GROUPS : NODE_GROUPS) {
      double v = shares.getDouble(k, 0.0);
      boolean always = jvm ? (k.equals("loop") || k.equals("gc") || k.equals("jit")) : k.equals("main") || k.equals("workers");
      if (v < 0.005 && !always) {
        continue;
      }
      String label = switch (k) {
        case "gc" -> "GC";
        case "jit" -> "JIT";
        default -> k;
      };
      sb.append(sb.length() == 0 ? "" : " / ").append(label).append(' ').append(String.format("%.2f", v));
    }
    return sb.toString();
  }

  /** The JIT's share of one core over the two snapshots, for one process (Node: its worker threads, see warm-up). */
  static double compileShare(Snap a, Snap b, boolean jvm, double wallSeconds) {
    Map<String, Long> g = groupTicks(a, b, jvm, null);
    long t = jvm ? g.get("jit") : g.get("workers");
    return wallSeconds <= 0 ? 0 : t / (double) Proc.TICKS_PER_SECOND / wallSeconds;
  }
}
