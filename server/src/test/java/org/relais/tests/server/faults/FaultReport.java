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

  public static synchronized void add(InvariantChecker.Result result) {
    RESULTS.add(result);
    String text = render();
    try {
      Files.createDirectories(FILE.toAbsolutePath().getParent());
      Files.writeString(FILE, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.println(row(result));
    if (!result.allHeld()) {
      System.out.println(result.failures());
    }
  }

  static synchronized String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("# Fault report\n\n");
    sb.append("Written by the fault suite (server/src/test/java/org/relais/tests/server/faults) at ")
        .append(Instant.now()).append(". Invariants: see docs/RELIABILITY.md. held = checked and true; ")
        .append("announced = broken on purpose (data destroyed) and every client told; n/a = not applicable.\n\n");
    sb.append("| Fault | I1 | I2 | I3 | I4 | I5 | I6 | I7 | converge (ms) | acks | delivered | resyncs | closes |\n");
    sb.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (InvariantChecker.Result r : RESULTS) {
      sb.append(row(r)).append('\n');
    }
    sb.append("\n## Details\n");
    for (InvariantChecker.Result r : RESULTS) {
      sb.append("\n### ").append(r.fault).append("\n\n");
      r.outcomes.forEach((i, o) -> sb.append("- ").append(i).append(' ').append(o.status().name().toLowerCase())
          .append(": ").append(o.detail()).append('\n'));
      sb.append("- figures: ").append(r.figures).append('\n');
    }
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
