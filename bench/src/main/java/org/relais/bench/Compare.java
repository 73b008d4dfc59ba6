package org.relais.bench;

import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Relais before and after: prints, for Relais only, issue 9's target rows and every summary figure of an old and a
 * new result file side by side (median over each file's repetitions), with the change. For showing what a piece of
 * performance work did; both files should come from the same mode and sizes (a warning says when they do not).
 *
 * <pre>
 * bash bench/run.sh --compare bench/results/OLD.json [bench/results/NEW.json]   # NEW: the newest result file
 * </pre>
 */
public final class Compare {
  private Compare() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: Compare old.json [new.json]");
      System.exit(2);
    }
    Path oldPath = Path.of(args[0]);
    Path newPath = args.length == 2 ? Path.of(args[1]) : newest(oldPath.toAbsolutePath().getParent(), oldPath);
    System.out.print(compare(new JsonObject(Files.readString(oldPath)), new JsonObject(Files.readString(newPath)),
        oldPath.getFileName().toString(), newPath.getFileName().toString()));
  }

  private static Path newest(Path dir, Path not) throws Exception {
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches("\\d{8}-\\d{6}\\.json"))
          .filter(p -> !p.toAbsolutePath().equals(not.toAbsolutePath())).max(Path::compareTo)
          .orElseThrow(() -> new IllegalArgumentException("no other result file in " + dir));
    }
  }

  static String compare(JsonObject oldR, JsonObject newR, String oldName, String newName) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Relais: ").append(oldName).append(" → ").append(newName).append("\n\n");
    sb.append("Old: ").append(oldR.getString("mode")).append(" mode, ").append(oldR.getValue("repeat"))
        .append(" repetition(s), started ").append(oldR.getString("startedAt")).append(", load `")
        .append(oldR.getString("loadavgStart")).append("`. New: ").append(newR.getString("mode")).append(" mode, ")
        .append(newR.getValue("repeat")).append(" repetition(s), started ").append(newR.getString("startedAt"))
        .append(", load `").append(newR.getString("loadavgStart")).append("`.\n\n");
    if (!String.valueOf(oldR.getValue("sizes")).equals(String.valueOf(newR.getValue("sizes")))) {
      sb.append("**Warning: the two runs were not made with the same sizes; compare with care.**\n\n");
    }
    sb.append("## Issue 9's targets (Relais)\n\n| metric | target | old | met | new | met |\n| --- | --- | --- | --- | --- | --- |\n");
    List<Targets.Row> o = Targets.rows(oldR);
    List<Targets.Row> n = Targets.rows(newR);
    for (int i = 0; i < n.size(); i++) {
      sb.append("| ").append(n.get(i).metric()).append(" | ").append(n.get(i).target()).append(" | ")
          .append(o.get(i).relais()).append(" | ").append(o.get(i).met()).append(" | ").append(n.get(i).relais())
          .append(" | ").append(n.get(i).met()).append(" |\n");
    }
    sb.append("\n## Every summary figure (Relais; median [min–max] over repetitions)\n\n")
        .append("| figure | old | new | new / old | better? |\n| --- | --- | --- | --- | --- |\n");
    Map<Report.Key, Map<String, List<Double>>> fo = Report.figures(oldR);
    Map<Report.Key, Map<String, List<Double>>> fn = Report.figures(newR);
    Map<Report.Key, Boolean> keys = new LinkedHashMap<>();
    fn.keySet().forEach(k -> keys.put(k, true));
    fo.keySet().forEach(k -> keys.put(k, true));
    for (Report.Key k : keys.keySet()) {
      List<Double> a = fo.getOrDefault(k, Map.of()).get("relais");
      List<Double> b = fn.getOrDefault(k, Map.of()).get("relais");
      if (a == null && b == null) {
        continue;
      }
      Double ma = Report.median(a);
      Double mb = Report.median(b);
      String better = "";
      if (ma != null && mb != null && !ma.equals(mb)) {
        better = (k.lowerBetter() ? mb < ma : mb > ma) ? "yes" : "no";
      }
      sb.append("| ").append(k.what()).append(" | ").append(Report.cell(a)).append(" | ").append(Report.cell(b))
          .append(" | ").append(ma == null || mb == null || ma == 0 ? "" : String.format("%.2f×", mb / ma))
          .append(" | ").append(better).append(" |\n");
    }
    sb.append("\nThe CPU-per-unit and memory rows are the stable ones on a shared machine; latencies need several "
        + "repetitions on both sides before a conclusion.\n");
    return sb.toString();
  }
}
