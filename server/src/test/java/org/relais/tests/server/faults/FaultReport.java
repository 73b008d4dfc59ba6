package org.relais.tests.server.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The per-fault report: which invariants held, with the figures of each run. Rewritten to
 * {@code target/fault-report.md} after every run (so that a failing suite still leaves the rows it has) and printed.
 */
public final class FaultReport {
  private static final List<InvariantChecker.Result> RESULTS = new ArrayList<>();
  private static final Path FILE = Path.of(System.getProperty("relais.faults.report", "target/fault-report.md"));

  private FaultReport() {
  }

  /**
   * Rows of earlier JVMs of the same build (the surefire suite, then the failsafe node-kill test), by fault name,
   * kept in a side file so that each JVM adds its rows to the same report.
   */
  private static final Path ROWS = Path.of(FILE.toString().replaceAll("\\.md$", "") + ".rows");

  public static synchronized void add(InvariantChecker.Result result) {
    RESULTS.add(result);
    try {
      Files.createDirectories(FILE.toAbsolutePath().getParent());
      java.util.Map<String, String> rows = new java.util.TreeMap<>();
      java.util.Map<String, String> details = new java.util.TreeMap<>();
      if (Files.exists(ROWS)) {
        for (String line : Files.readAllLines(ROWS)) {
          String[] parts = line.split("\t", 3);
          if (parts.length == 3) {
            rows.put(parts[0], parts[1]);
            details.put(parts[0], parts[2].replace("\\n", "\n"));
          }
        }
      }
      for (InvariantChecker.Result r : RESULTS) {
        rows.put(r.fault, row(r));
        details.put(r.fault, details(r));
      }
      StringBuilder persisted = new StringBuilder();
      rows.forEach((k, v) -> persisted.append(k).append('\t').append(v).append('\t')
          .append(details.get(k).replace("\n", "\\n")).append('\n'));
      Files.writeString(ROWS, persisted);
      Files.writeString(FILE, render(rows, details));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.println(row(result));
    if (!result.allHeld()) {
      System.out.println(result.failures());
    }
  }

  static String render(java.util.Map<String, String> rows, java.util.Map<String, String> details) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Fault report\n\n");
    sb.append("Written by the fault suite (server/src/test/java/org/relais/tests/server/faults) at ")
        .append(Instant.now()).append(". Invariants: see docs/RELIABILITY.md. held = checked and true; ")
        .append("announced = broken on purpose (data destroyed) and every client told; n/a = not applicable.\n\n");
    sb.append("| Fault | I1 | I2 | I3 | I4 | I5 | I6 | I7 | converge (ms) | acks | delivered | resyncs | closes |\n");
    sb.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    rows.values().forEach(r -> sb.append(r).append('\n'));
    sb.append("\n## Details\n");
    details.values().forEach(sb::append);
    return sb.toString();
  }

  private static String details(InvariantChecker.Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append("\n### ").append(r.fault).append("\n\n");
    r.outcomes.forEach((i, o) -> sb.append("- ").append(i).append(' ').append(o.status().name().toLowerCase())
        .append(": ").append(o.detail()).append('\n'));
    sb.append("- figures: ").append(r.figures).append('\n');
    return sb.toString();
  }

  private static String row(InvariantChecker.Result r) {
    StringBuilder sb = new StringBuilder("| ").append(r.fault).append(" |");
    for (InvariantChecker.Invariant i : InvariantChecker.Invariant.values()) {
      InvariantChecker.Outcome o = r.outcomes.get(i);
      sb.append(' ').append(o == null ? "n/a" : switch (o.status()) {
        case HELD -> "held";
        case FAILED -> "**FAILED**";
        case ANNOUNCED -> "announced";
        case NA -> "n/a";
      }).append(" |");
    }
    Map<String, Object> f = r.figures;
    sb.append(' ').append(f.get("convergeMs")).append(" | ").append(f.get("acks")).append(" | ")
        .append(f.get("delivered")).append(" | ").append(f.get("resyncs")).append(" | ").append(f.get("closes")).append(" |");
    return sb.toString();
  }
}
