package org.relais.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Issue 9's targets table, evaluated on a result file: one row per row of the issue (same order, same wording),
 * the target beside Relais's figure and whether it is met, then the target against the peer, the peer's figure,
 * the ratio and whether it is met. Figures are medians over the repetitions; the peer is its better adapter.
 * Where the run's sizes are not the (quick mode), the figure is what was measured at those sizes and the
 * row says so.
 */
final class Targets {
  /** One row of the table. */
  record Row(String metric, String target, String relais, String met, String peerTarget, String peer,
             String ratio, String peerMet) {
  }

  private final JsonObject r;

  private Targets(JsonObject r) {
    this.r = r;
  }

  static List<Row> rows(JsonObject r) {
    Targets t = new Targets(r);
    List<Row> rows = new ArrayList<>();
    rows.add(t.memory());
    rows.add(t.cpuPerDelivery());
    rows.add(t.latencyAt20k());
    rows.add(t.smallRooms());
    rows.add(t.history());
    rows.add(t.storm());
    rows.add(t.twoNodes());
    rows.add(t.gc());
    rows.add(t.ceiling());
    return rows;
  }

  static String markdown(JsonObject r) {
    StringBuilder sb = new StringBuilder();
    sb.append("| metric | target | Relais | met | against the peer | peer | Relais / peer | met |\n");
    sb.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Row row : rows(r)) {
      sb.append("| ").append(row.metric).append(" | ").append(row.target).append(" | ").append(row.relais)
          .append(" | ").append(row.met).append(" | ").append(row.peerTarget).append(" | ").append(row.peer)
          .append(" | ").append(row.ratio).append(" | ").append(row.peerMet).append(" |\n");
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------------------------------------ helpers

  /** The successful runs of one variant (idle, bigroom, bigroom2, …) on targets whose name starts with prefix. */
  private Map<String, List<JsonObject>> runs(String variant, String prefix) {
    Map<String, List<JsonObject>> byTarget = new LinkedHashMap<>();
    for (Object o : r.getJsonArray("runs", new JsonArray())) {
      JsonObject run = (JsonObject) o;
      if (run.containsKey("failed") || !variant.equals(run.getString("variant"))
          || !run.getString("target", "").startsWith(prefix)) {
        continue;
      }
      byTarget.computeIfAbsent(run.getString("target"), x -> new ArrayList<>()).add(run);
    }
    return byTarget;
  }

  private List<JsonObject> relais(String variant) {
    return runs(variant, "relais").getOrDefault("relais", List.of());
  }

  private List<JsonObject> ceilingRuns(String variant) {
    return runs(variant, "ceiling").getOrDefault("ceiling", List.of());
  }

  private static Double med(List<JsonObject> runs, Function<JsonObject, Double> f) {
    List<Double> vs = new ArrayList<>();
    for (JsonObject run : runs) {
      Double v = f.apply(run);
      if (v != null && v >= 0) {
        vs.add(v);
      }
    }
    return Report.median(vs);
  }

  /** The peer adapter with the better median of f (lower or higher), or null. */
  private List<JsonObject> bestPeer(String variant, Function<JsonObject, Double> f, boolean lowerBetter) {
    List<JsonObject> best = null;
    Double bestV = null;
    for (List<JsonObject> runs : runs(variant, "socketio").values()) {
      Double v = med(runs, f);
      if (v != null && (bestV == null || (lowerBetter ? v < bestV : v > bestV))) {
        bestV = v;
        best = runs;
      }
    }
    return best == null ? List.of() : best;
  }

  private static String peerName(List<JsonObject> runs) {
    return runs.isEmpty() ? "" : " (" + runs.get(0).getString("target").replace("socketio-", "") + ")";
  }

  /** The step of a ladder run at this rate, or null. */
  private static JsonObject step(JsonObject run, int rate) {
    for (Object o : run.getJsonArray("steps", new JsonArray())) {
      JsonObject s = (JsonObject) o;
      if (s.getInteger("rate") == rate) {
        return s;
      }
    }
    return null;
  }

  private static Double stepValue(JsonObject run, int rate, Function<JsonObject, Double> f) {
    JsonObject s = step(run, rate);
    return s == null ? null : f.apply(s);
  }

  private static Double p99(JsonObject step) {
    return step.getJsonObject("latency", new JsonObject()).getDouble("p99ms");
  }

  private static Double p50(JsonObject step) {
    return step.getJsonObject("latency", new JsonObject()).getDouble("p50ms");
  }

  private static Double cpu(JsonObject step) {
    return step.getDouble("serverCpuMicrosPerDelivery");
  }

  private static boolean clean(JsonObject step) {
    return step.getLong("lost", 0L) == 0 && step.getLong("orderErrors", 0L) == 0
        && step.getJsonObject("sendErrors", new JsonObject()).isEmpty();
  }

  /** Every rate tried by these ladder runs, ascending. */
  private static TreeSet<Integer> rates(List<JsonObject> runs) {
    TreeSet<Integer> rates = new TreeSet<>();
    for (JsonObject run : runs) {
      for (Object o : run.getJsonArray("steps", new JsonArray())) {
        rates.add(((JsonObject) o).getInteger("rate"));
      }
    }
    return rates;
  }

  private static String f(Double d) {
    if (d == null) {
      return "–";
    }
    if (Math.abs(d) >= 100 || d == Math.rint(d)) {
      return String.format("%,.0f", d);
    }
    return String.format(Math.abs(d) < 10 ? "%.2f" : "%.1f", d);
  }

  private static String x(Double a, Double b) {
    return a == null || b == null || b == 0 ? "–" : String.format("%.2f×", a / b);
  }

  private static String met(Boolean ok) {
    return ok == null ? "not measured" : ok ? "**met**" : "missed";
  }

  private String sizeNote() {
    return "quick".equals(r.getString("mode")) ? " (quick sizes)" : "";
  }

  private int members(List<JsonObject> runs) {
    return runs.isEmpty() ? 0 : runs.get(0).getInteger("members", 0);
  }

  // ------------------------------------------------------------------------------------------------ rows

  private Row memory() {
    List<JsonObject> rel = relais("idle");
    Double heap = med(rel, j -> j.getDouble("heapPerConnectionKb"));
    Double rssOutside = med(rel, j -> j.getDouble("rssPerConnectionKb"));
    // Relais's heap is fixed and pre-touched (Target: -Xms = -Xmx, AlwaysPreTouch, unless --server-jvm-opts sizes
    // it): its RSS no longer grows with the heap, so the resident memory a connection costs is its heap share plus
    // what it adds outside the heap (docs/MEMORY.md)
    String opts = r.getString("serverJvmOpts", "");
    boolean preTouched = opts.contains("AlwaysPreTouch") || (!opts.contains("-Xms") && !opts.contains("-Xmx"));
    // (an if, not a ?:, whose double branch would unbox a null rssOutside when no idle scenario ran)
    Double rss = rssOutside;
    if (preTouched && heap != null && rssOutside != null) {
      rss = heap + Math.max(0, rssOutside);
    }
    List<JsonObject> peer = bestPeer("idle", j -> j.getDouble("heapPerConnectionKb"), true);
    Double pHeap = med(peer, j -> j.getDouble("heapPerConnectionKb"));
    Double pRss = med(peer, j -> j.getDouble("rssPerConnectionKb"));
    Boolean ok = heap == null || rss == null ? null : heap <= 8 && rss <= 12;
    Boolean pok = heap == null || rss == null || pHeap == null || pRss == null ? null
        : heap / pHeap <= 0.9 && rss / pRss <= 0.9;
    String n = rel.isEmpty() ? "" : " at " + rel.get(0).getValue("connections") + " connections";
    return new Row("memory per idle authenticated connection" + sizeNote(), "≤ 8 KB heap retained, ≤ 12 KB RSS",
        "heap " + f(heap) + " KB, RSS " + f(rss) + " KB" + (preTouched && rss != null ? " (heap share + "
            + f(rssOutside) + " KB outside the pre-touched heap)" : "") + n, met(ok), "≤ 0.9×",
        "heap " + f(pHeap) + " KB (JS heap), RSS " + f(pRss) + " KB" + peerName(peer),
        "heap " + x(heap, pHeap) + ", RSS " + x(rss, pRss), met(pok));
  }

  /** The highest rate every Relais repetition held within the limit without loss, or the lowest rate tried. */
  private Integer sustainedRate(List<JsonObject> runs) {
    Integer best = null;
    for (int rate : rates(runs)) {
      boolean all = !runs.isEmpty();
      for (JsonObject run : runs) {
        JsonObject s = step(run, rate);
        all &= s != null && s.getBoolean("withinLimit", false);
      }
      if (all) {
        best = rate;
      }
    }
    return best != null ? best : rates(runs).isEmpty() ? null : rates(runs).first();
  }

  private Row cpuPerDelivery() {
    List<JsonObject> rel = relais("bigroom");
    Integer rate = sustainedRate(rel);
    String metric = "server CPU per delivery (" + (rel.isEmpty() ? "large" : members(rel) + "-member") + " room)";
    if (rate == null) {
      return new Row(metric, "≤ 8 µs", "–", met(null), "≤ 0.6×", "–", "–", met(null));
    }
    Double v = med(rel, run -> stepValue(run, rate, Targets::cpu));
    List<JsonObject> peer = bestPeer("bigroom", run -> stepValue(run, rate, Targets::cpu), true);
    Double pv = med(peer, run -> stepValue(run, rate, Targets::cpu));
    return new Row(metric, "≤ 8 µs", f(v) + " µs at " + rate + " msg/s (the highest rate held)",
        met(v == null ? null : v <= 8), "≤ 0.6×", f(pv) + " µs" + peerName(peer), x(v, pv),
        met(v == null || pv == null ? null : v / pv <= 0.6));
  }

  private Row latencyAt20k() {
    List<JsonObject> rel = relais("bigroom");
    int m = members(rel);
    Integer rate = null;
    for (int q : rates(rel)) {
      if (rate == null || Math.abs((long) q * m - 20_000) < Math.abs((long) rate * m - 20_000)) {
        rate = q;
      }
    }
    if (rate == null) {
      return new Row("latency at 20,000 deliveries/s", "p50 ≤ 15 ms, p99 ≤ 40 ms", "–", met(null), "≤ 1.0×", "–",
          "–", met(null));
    }
    final int q = rate;
    Double p50 = med(rel, run -> stepValue(run, q, Targets::p50));
    Double p99 = med(rel, run -> stepValue(run, q, Targets::p99));
    boolean clean = rel.stream().allMatch(run -> step(run, q) == null || clean(step(run, q)));
    List<JsonObject> peer = bestPeer("bigroom", run -> stepValue(run, q, Targets::p99), true);
    Double pp50 = med(peer, run -> stepValue(run, q, Targets::p50));
    Double pp99 = med(peer, run -> stepValue(run, q, Targets::p99));
    String at = (long) q * m == 20_000 ? "" : " — nearest step: " + String.format("%,d", (long) q * m) + " deliveries/s";
    return new Row("latency at 20,000 deliveries/s", "p50 ≤ 15 ms, p99 ≤ 40 ms",
        "p50 " + f(p50) + " ms, p99 " + f(p99) + " ms (" + q + " msg/s × " + m + at + ")" + (clean ? "" : ", with losses/errors"),
        met(p50 == null || p99 == null ? null : p50 <= 15 && p99 <= 40 && clean), "≤ 1.0×",
        "p50 " + f(pp50) + " ms, p99 " + f(pp99) + " ms" + peerName(peer), "p50 " + x(p50, pp50) + ", p99 " + x(p99, pp99),
        met(p50 == null || p99 == null || pp50 == null || pp99 == null ? null : p50 / pp50 <= 1.0 && p99 / pp99 <= 1.0));
  }

  private Row smallRooms() {
    List<JsonObject> rel = relais("rooms");
    String metric = "many small rooms (" + (rel.isEmpty() ? "1,000 × 10" : rel.get(0).getValue("rooms") + " × "
        + members(rel)) + ")";
    Integer rate = null;
    for (int q : rates(rel)) {
      if (q >= 4000) {
        rate = q;
        break;
      }
    }
    String value;
    Boolean ok;
    if (rate == null) {
      TreeSet<Integer> rs = rates(rel);
      value = rs.isEmpty() ? "–" : "4,000 msg/s not tried (highest: " + rs.last() + " msg/s, p99 "
          + f(med(rel, run -> stepValue(run, rs.last(), Targets::p99))) + " ms)";
      ok = null;
    } else {
      final int q = rate;
      Double p99 = med(rel, run -> stepValue(run, q, Targets::p99));
      boolean clean = rel.stream().allMatch(run -> step(run, q) != null && clean(step(run, q)));
      value = "p99 " + f(p99) + " ms at " + q + " msg/s" + (clean ? "" : ", with losses/errors");
      ok = p99 == null ? Boolean.FALSE : p99 <= 100 && clean;
    }
    Double knee = med(rel, j -> j.getDouble("kneeMsgPerSecond"));
    List<JsonObject> peer = bestPeer("rooms", j -> j.getDouble("kneeMsgPerSecond"), false);
    Double pk = med(peer, j -> j.getDouble("kneeMsgPerSecond"));
    return new Row(metric, "4,000 msg/s at p99 ≤ 100 ms", value + "; knee " + f(knee) + " msg/s", met(ok),
        "knee ≥ 2×", "knee " + f(pk) + " msg/s" + peerName(peer), x(knee, pk),
        met(knee == null || pk == null ? null : knee / pk >= 2));
  }

  private Row history() {
    List<JsonObject> rel = relais("history");
    TreeSet<Integer> readers = new TreeSet<>();
    for (JsonObject run : rel) {
      for (Object o : run.getJsonArray("steps", new JsonArray())) {
        readers.add(((JsonObject) o).getInteger("readers"));
      }
    }
    StringBuilder v = new StringBuilder();
    Boolean ok = readers.isEmpty() ? null : Boolean.FALSE;
    Double best = null;
    for (int n : readers) {
      Double pages = med(rel, run -> readersValue(run, n, s -> s.getDouble("pagesPerSecond")));
      Double p99 = med(rel, run -> readersValue(run, n, Targets::p99));
      v.append(v.length() == 0 ? "" : "; ").append(n).append(" readers: ").append(f(pages)).append(" pages/s, p99 ")
          .append(f(p99)).append(" ms");
      if (pages != null && p99 != null && pages >= 12_000 && p99 <= 10) {
        ok = true;
      }
      if (pages != null && (best == null || pages > best)) {
        best = pages;
      }
    }
    List<JsonObject> peer = bestPeer("history", Targets::bestPages, false);
    Double pb = med(peer, Targets::bestPages);
    return new Row("history pages of 50", "≥ 12,000 pages/s, p99 ≤ 10 ms", v.length() == 0 ? "–" : v.toString(),
        met(ok), "≥ 2.5×", f(pb) + " pages/s (best step)" + peerName(peer), x(best, pb),
        met(best == null || pb == null ? null : best / pb >= 2.5));
  }

  private static Double readersValue(JsonObject run, int readers, Function<JsonObject, Double> f) {
    for (Object o : run.getJsonArray("steps", new JsonArray())) {
      JsonObject s = (JsonObject) o;
      if (s.getInteger("readers") == readers) {
        return f.apply(s);
      }
    }
    return null;
  }

  private static Double bestPages(JsonObject run) {
    Double best = null;
    for (Object o : run.getJsonArray("steps", new JsonArray())) {
      Double p = ((JsonObject) o).getDouble("pagesPerSecond");
      if (p != null && (best == null || p > best)) {
        best = p;
      }
    }
    return best;
  }

  private Row storm() {
    List<JsonObject> rel = relais("storm");
    Double secs = med(rel, j -> j.getDouble("allResumedSeconds"));
    long notResumed = rel.stream().mapToLong(j -> j.getLong("notResumed", 0L)).max().orElse(0);
    long order = rel.stream().mapToLong(j -> j.getLong("orderErrors", 0L) + j.getLong("duplicates", 0L)).sum();
    List<JsonObject> peer = bestPeer("storm", j -> j.getDouble("allResumedSeconds"), true);
    Double ps = med(peer, j -> j.getDouble("allResumedSeconds"));
    String n = rel.isEmpty() ? "" : rel.get(0).getValue("stormers") + " clients: ";
    return new Row("reconnect storm, 10,000 clients" + sizeNote(), "all resumed, nothing missed, ≤ 2 s",
        rel.isEmpty() ? "–" : n + f(secs) + " s, not resumed " + notResumed + ", order errors/duplicates " + order,
        met(secs == null ? null : secs <= 2 && notResumed == 0 && order == 0), "≤ 0.4× the peer's time",
        f(ps) + " s" + peerName(peer), x(secs, ps), met(secs == null || ps == null ? null : secs / ps <= 0.4));
  }

  /**
   * CPU per delivery on two nodes ÷ one node (each a median over repetitions), at the highest rate both held within
   * the limit in every repetition, or else the highest rate both tried.
   */
  private Row twoNodes() {
    StringBuilder v = new StringBuilder();
    Boolean ok = null;
    for (String kind : List.of("bigroom", "rooms")) {
      List<JsonObject> one = relais(kind);
      List<JsonObject> two = relais(kind + "2");
      TreeSet<Integer> common = rates(one);
      common.retainAll(rates(two));
      if (common.isEmpty()) {
        continue;
      }
      int q = common.last();
      for (int rate : common.descendingSet()) {
        final int fr = rate;
        if (one.stream().allMatch(run -> step(run, fr) != null && step(run, fr).getBoolean("withinLimit", false))
            && two.stream().allMatch(run -> step(run, fr) != null && step(run, fr).getBoolean("withinLimit", false))) {
          q = rate;
          break;
        }
      }
      final int fq = q;
      Double c1 = med(one, run -> stepValue(run, fq, Targets::cpu));
      Double c2 = med(two, run -> stepValue(run, fq, Targets::cpu));
      if (c1 == null || c2 == null) {
        continue;
      }
      v.append(v.length() == 0 ? "" : "; ").append(kind.equals("bigroom") ? "large room" : "small rooms")
          .append(" at ").append(q).append(" msg/s: ").append(f(c2)).append(" / ").append(f(c1)).append(" µs = ")
          .append(x(c2, c1));
      ok = (ok == null || ok) && c2 / c1 <= 1.15;
    }
    return new Row("two nodes on one Redis", "≤ 1.15× CPU per delivery of one node", v.length() == 0 ? "–" : v.toString(),
        met(ok), "—", "", "", "");
  }

  private Row gc() {
    double max = -1;
    double total = 0;
    String where = "";
    int windows = 0;
    for (Object o : r.getJsonArray("runs", new JsonArray())) {
      JsonObject run = (JsonObject) o;
      if (run.containsKey("failed") || !"relais".equals(run.getString("target"))) {
        continue;
      }
      for (JsonObject w : windows(run)) {
        Double m = w.getDouble("gcMaxPauseMsInWindow");
        if (m == null) {
          continue;
        }
        windows++;
        total = Math.max(total, w.getDouble("gcPauseTotalMsInWindow", 0.0));
        if (m > max) {
          max = m;
          where = run.getString("variant");
        }
      }
    }
    if (windows == 0) {
      return new Row("GC pauses in the measured window", "≤ 20 ms", "–", met(null), "—", "", "", "");
    }
    return new Row("GC pauses in the measured window", "≤ 20 ms", "longest " + f(max) + " ms (" + where
        + "), at most " + f(total) + " ms of pauses in one window, over " + windows + " windows", met(max <= 20), "—",
        "", "", "");
  }

  /** The measured windows of a run (steps' windows; idle: the hold window and both connect windows). */
  static List<JsonObject> windows(JsonObject run) {
    List<JsonObject> ws = new ArrayList<>();
    for (Object o : run.getJsonArray("steps", new JsonArray())) {
      JsonObject w = ((JsonObject) o).getJsonObject("window");
      if (w != null) {
        ws.add(w);
      }
    }
    for (String k : List.of("window", "holdWindow", "connectWindow", "firstHalfWindow")) {
      if (run.getJsonObject(k) != null) {
        ws.add(run.getJsonObject(k));
      }
    }
    return ws;
  }

  private Row ceiling() {
    StringBuilder v = new StringBuilder();
    Boolean ok = null;
    for (String kind : List.of("bigroom", "rooms")) {
      Double k = med(relais(kind), j -> j.getDouble("kneeMsgPerSecond"));
      Double c = med(ceilingRuns(kind), j -> j.getDouble("kneeMsgPerSecond"));
      if (k == null || c == null || c == 0) {
        continue;
      }
      TreeSet<Integer> tried = rates(ceilingRuns(kind));
      boolean top = !tried.isEmpty() && c >= tried.last();
      v.append(v.length() == 0 ? "" : "; ").append(kind.equals("bigroom") ? "large room" : "small rooms")
          .append(": knee ").append(f(k)).append(" / ").append(f(c)).append(" msg/s = ")
          .append(String.format("%.0f %%", 100 * k / c)).append(top ? " (the ceiling held the highest rate tried)" : "");
      ok = (ok == null || ok) && k / c >= 0.7;
    }
    return new Row("sustained rate against the bare ceiling", "≥ 70 %", v.length() == 0 ? "–" : v.toString(), met(ok),
        "—", "", "", "");
  }
}
