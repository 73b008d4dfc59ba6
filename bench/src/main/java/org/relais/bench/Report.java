package org.relais.bench;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Markdown view of a result file: a summary with ratios, then every step. */
final class Report {
  private Report() {
  }

  /** One figure: which scenario, what, whether lower is better. */
  record Key(String what, boolean lowerBetter) {
  }

  static String markdown(JsonObject r) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Relais benchmark, ").append(r.getString("mode")).append(" mode, ").append(r.getString("startedAt"))
        .append("\n\n");
    JsonObject m = r.getJsonObject("machine");
    sb.append("Machine: ").append(m.getValue("cpuModel")).append(", ").append(m.getValue("cpus")).append(" CPUs, ")
        .append(m.getValue("memTotal")).append(", kernel ").append(m.getValue("kernel")).append(", ")
        .append(m.getValue("java")).append(", node ").append(m.getValue("node")).append(". ")
        .append(r.getString("pinning")).append(". Load average at start `").append(r.getString("loadavgStart"))
        .append("`, at end `").append(r.getString("loadavgEnd")).append("`. Repetitions: ").append(r.getValue("repeat"))
        .append(". Duration ").append(r.getValue("durationSeconds")).append(" s.\n\n");
    sb.append("**The machine is shared with other work: figures taken under load must be re-measured.**\n\n");
    sb.append("## Issue 9's targets\n\n").append(Targets.markdown(r)).append('\n');
    Map<Key, Map<String, List<Double>>> fig = figures(r);
    summary(sb, fig);
    steps(sb, r);
    return sb.toString();
  }

  /** Every summary figure: figure -> target -> its values over the repetitions. */
  static Map<Key, Map<String, List<Double>>> figures(JsonObject r) {
    Map<Key, Map<String, List<Double>>> fig = new LinkedHashMap<>();
    for (Object o : r.getJsonArray("runs")) {
      JsonObject run = (JsonObject) o;
      if (run.containsKey("failed")) {
        continue;
      }
      String t = run.getString("target");
      switch (run.getString("scenario")) {
        case "idle" -> {
          add(fig, new Key("idle " + run.getValue("connections") + ": RSS per connection (KB)", true), t, run.getDouble("rssPerConnectionKb"));
          add(fig, new Key("idle " + run.getValue("connections") + ": heap per connection after GC (KB; node: JS heap)", true), t, run.getDouble("heapPerConnectionKb"));
          add(fig, new Key("idle " + run.getValue("connections") + ": connects/s", false), t, run.getDouble("connectsPerSecond"));
          add(fig, new Key("idle " + run.getValue("connections") + ": kernel TCP memory per connection, both ends (KB, /proc/net/sockstat)", true), t, run.getDouble("kernelTcpMemPerConnectionKb"));
        }
        case "bigroom", "rooms" -> {
          String label = (run.getString("scenario").equals("bigroom") ? "1 room × " + run.getValue("members")
              : run.getValue("rooms") + " rooms × " + run.getValue("members")) + ", " + run.getValue("nodes") + " node(s)";
          add(fig, new Key(label + ": knee msg/s (p99 ≤ limit, no loss)", false), t, run.getDouble("kneeMsgPerSecond"));
          for (Object so : run.getJsonArray("steps")) {
            JsonObject s = (JsonObject) so;
            String at = " at " + s.getValue("rate") + " msg/s";
            add(fig, new Key(label + ": p99 ms" + at, true), t, s.getJsonObject("latency").getDouble("p99ms"));
            add(fig, new Key(label + ": server µs CPU per delivery" + at, true), t, s.getDouble("serverCpuMicrosPerDelivery"));
          }
        }
        case "history" -> {
          for (Object so : run.getJsonArray("steps")) {
            JsonObject s = (JsonObject) so;
            String label = "history, " + s.getValue("readers") + " readers: ";
            add(fig, new Key(label + "pages/s", false), t, s.getDouble("pagesPerSecond"));
            add(fig, new Key(label + "p99 ms", true), t, s.getJsonObject("latency").getDouble("p99ms"));
            add(fig, new Key(label + "server µs CPU per page", true), t, s.getDouble("serverCpuMicrosPerPage"));
          }
        }
        case "storm" -> {
          add(fig, new Key("storm " + run.getValue("stormers") + ": s until all resumed", true), t, run.getDouble("allResumedSeconds"));
          add(fig, new Key("storm " + run.getValue("stormers") + ": not resumed / missed", true), t, run.getDouble("notResumed"));
        }
        case "presence" -> {
          add(fig, new Key("presence churn: online notice p99 ms", true), t, run.getJsonObject("latencyOnline").getDouble("p99ms"));
          add(fig, new Key("presence churn: server ms CPU per churn", true), t, run.getDouble("serverCpuMillisPerChurn"));
        }
        default -> {
        }
      }
      if (run.getValue("gcMaxPauseMs") != null) {
        double inWindows = -1;
        for (JsonObject w : Targets.windows(run)) {
          inWindows = Math.max(inWindows, w.getDouble("gcMaxPauseMsInWindow", -1.0));
        }
        add(fig, new Key(run.getString("variant") + ": longest GC pause in a measured window (ms)", true), t, inWindows);
      }
    }
    return fig;
  }

  private static void summary(StringBuilder sb, Map<Key, Map<String, List<Double>>> fig) {
    sb.append("## Summary (median [min–max] over repetitions; the peer column is the better of its adapters)\n\n");
    sb.append("| figure | relais | socket.io peer | ceiling | relais / peer | relais / ceiling |\n");
    sb.append("| --- | --- | --- | --- | --- | --- |\n");
    for (Map.Entry<Key, Map<String, List<Double>>> e : fig.entrySet()) {
      Map<String, List<Double>> byT = e.getValue();
      Double rel = median(byT.get("relais"));
      String peerName = null;
      Double peer = null;
      for (String t : byT.keySet()) {
        if (t.startsWith("socketio")) {
          Double v = median(byT.get(t));
          if (v != null && (peer == null || (e.getKey().lowerBetter ? v < peer : v > peer))) {
            peer = v;
            peerName = t;
          }
        }
      }
      Double ceil = median(byT.get("ceiling"));
      sb.append("| ").append(e.getKey().what).append(" | ").append(cell(byT.get("relais"))).append(" | ")
          .append(peerName == null ? "" : cell(byT.get(peerName)) + " (" + peerName.substring(9) + ")").append(" | ")
          .append(cell(byT.get("ceiling"))).append(" | ").append(ratio(rel, peer)).append(" | ")
          .append(ratio(rel, ceil)).append(" |\n");
    }
  }

  private static void steps(StringBuilder sb, JsonObject r) {
    sb.append("\n## Every step\n\n");
    sb.append("| rep | scenario | target | nodes | load | throughput | p50 ms | p99 ms | p99.9 ms | max ms | lost | order err | errors | server CPU | server CPU by thread | µs/unit | redis CPU | gen CPU | GC max / total ms | valid |\n");
    sb.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Object o : r.getJsonArray("runs")) {
      JsonObject run = (JsonObject) o;
      String head = "| " + run.getValue("repetition") + " | " + run.getString("variant") + " | " + run.getString("target")
          + " | " + run.getValue("nodes", 1) + " | ";
      if (run.containsKey("failed")) {
        sb.append(head).append(" | FAILED: ").append(run.getString("failed").replace('|', '/'))
            .append(" | | | | | | | | | | | | | | |\n");
        continue;
      }
      switch (run.getString("scenario")) {
        case "bigroom", "rooms" -> {
          for (Object so : run.getJsonArray("steps")) {
            JsonObject s = (JsonObject) so;
            step(sb, head, s.getJsonObject("window"), s.getValue("rate") + " msg/s → " + s.getValue("deliveriesPerSecond")
                + " deliv/s", s.getJsonObject("latency"), s.getValue("lost"), s.getValue("orderErrors"),
                s.getJsonObject("sendErrors").isEmpty() ? "0" : s.getJsonObject("sendErrors").encode().replace('|', '/'),
                s.getValue("serverCpuMicrosPerDelivery") + " µs/deliv");
          }
        }
        case "history" -> {
          for (Object so : run.getJsonArray("steps")) {
            JsonObject s = (JsonObject) so;
            step(sb, head, s.getJsonObject("window"), s.getValue("readers") + " readers → " + s.getValue("pagesPerSecond")
                + " pages/s", s.getJsonObject("latency"), s.getValue("badPages"), "", s.getValue("errors"),
                s.getValue("serverCpuMicrosPerPage") + " µs/page");
          }
        }
        case "idle" -> step(sb, head, run.getJsonObject("connectWindow"), run.getValue("connections") + " conns, "
                + run.getValue("connectsPerSecond") + " conn/s; RSS " + run.getValue("rssPerConnectionKb") + " KB/conn, heap "
                + run.getValue("heapPerConnectionKb") + " KB/conn"
                + (run.getValue("kernelTcpMemPerConnectionKb") == null ? "" : ", kernel TCP "
                + run.getValue("kernelTcpMemPerConnectionKb") + " KB/conn"), new JsonObject(), "", "",
            run.getValue("unexpectedCloses"), "");
        case "storm" -> step(sb, head, run.getJsonObject("window"), run.getValue("stormers") + " clients: all back in "
                + run.getValue("allConnectedSeconds") + " s, resumed in " + run.getValue("allResumedSeconds") + " s",
            new JsonObject(), run.getValue("notResumed"), run.getValue("orderErrors"),
            "retries " + run.getValue("upgradeRetries"), "");
        case "presence" -> step(sb, head, run.getJsonObject("window"), run.getValue("connectsPerSecond")
                + " connects/s; online seen " + run.getValue("onlineSeen") + "/" + run.getValue("expectedOnlineAtWatchers"),
            run.getJsonObject("latencyOnline"), "", "", run.getValue("churnConnectErrors"),
            run.getValue("serverCpuMillisPerChurn") + " ms/churn");
        default -> {
        }
      }
    }
    sb.append("\nCPU columns are shares of one core over the measured window (1.0 = a full core). A step is invalid when "
        + "the generator used more than 90 % of its core or Redis more than 80 %, or the generator's JVM paused more "
        + "than 50 ms for its own GC. Latency is from the sender's send "
        + "to the receiver's receipt, both on the generator's clock. GC: the longest pause / the total of the pauses of "
        + "the server's JVM(s) within the measured window, in ms (from the GC log; none for Node.js). Server CPU by "
        + "thread: the same window's server CPU per thread group, shares of one core (JVM: Vert.x event loop, GC "
        + "threads with the VM thread, the JIT's compiler threads, workers, other; Node.js: the main thread, V8's "
        + "and libuv's worker threads, other; \"exited\": threads that ended during the window).\n");
  }

  private static void step(StringBuilder sb, String head, JsonObject w, String throughput, JsonObject lat, Object lost,
                           Object order, Object errors, String unit) {
    sb.append(head).append(w == null ? "" : w.getString("loadavgStart", "").split(" ")[0]).append(" | ")
        .append(throughput).append(" | ").append(v(lat, "p50ms")).append(" | ").append(v(lat, "p99ms")).append(" | ")
        .append(v(lat, "p999ms")).append(" | ").append(v(lat, "maxms")).append(" | ").append(lost).append(" | ")
        .append(order).append(" | ").append(errors).append(" | ")
        .append(w == null ? "" : w.getValue("serverCpuShare")).append(" | ").append(split(w)).append(" | ")
        .append(unit).append(" | ")
        .append(w == null ? "" : w.getValue("redisCpuShare")).append(" | ")
        .append(w == null ? "" : w.getValue("generatorCpuShare")).append(" | ")
        .append(w == null || w.getValue("gcMaxPauseMsInWindow") == null ? "" : w.getValue("gcMaxPauseMsInWindow") + " / "
            + w.getValue("gcPauseTotalMsInWindow")).append(" | ")
        .append(w == null ? "" : (w.getBoolean("valid") ? "yes" : "NO: " + w.getString("invalidBecause"))).append(" |\n");
  }

  /** The window's server CPU by thread group ("loop 0.61 / GC 0.05 / JIT 0.22 / other 0.03"; ThreadCpu). */
  private static String split(JsonObject w) {
    JsonObject t = w == null ? null : w.getJsonObject("serverThreads");
    return t == null ? "" : t.getString("split", "");
  }

  private static String v(JsonObject o, String k) {
    Object x = o.getValue(k);
    return x == null ? "" : x.toString();
  }

  private static void add(Map<Key, Map<String, List<Double>>> fig, Key k, String target, Double v) {
    if (v == null || v < 0) {
      return;
    }
    fig.computeIfAbsent(k, x -> new LinkedHashMap<>()).computeIfAbsent(target, x -> new ArrayList<>()).add(v);
  }

  static Double median(List<Double> l) {
    if (l == null || l.isEmpty()) {
      return null;
    }
    List<Double> s = new ArrayList<>(l);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  static String cell(List<Double> l) {
    if (l == null || l.isEmpty()) {
      return "";
    }
    String med = fmt(median(l));
    if (l.size() == 1) {
      return med;
    }
    return med + " [" + fmt(Collections.min(l)) + "–" + fmt(Collections.max(l)) + "]";
  }

  private static String ratio(Double a, Double b) {
    if (a == null || b == null || b == 0) {
      return "";
    }
    return String.format("%.2f×", a / b);
  }

  private static String fmt(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e9) {
      return Long.toString((long) d);
    }
    return String.format("%.2f", d);
  }
}
