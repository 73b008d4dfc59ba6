package org.relais.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GC pauses of a JVM server, read from its unified GC log. The harness starts every JVM server with
 * {@code -Xlog:gc,gc+phases:file=…:timemillis,uptime,tags} ({@link Target#jvmOpts}): each pause is one line that
 * ends with its duration and starts with the wall-clock time (milliseconds since the epoch, the same clock as the
 * harness's {@link System#currentTimeMillis()}) at which it was logged, that is when the pause ended. Serial,
 * Parallel, G1 and Shenandoah log their pauses under {@code gc} ("Pause Young …", "Pause Full …", "Pause Remark",
 * "Pause Init Mark …"), ZGC under {@code gc,phases} ("Pause Mark Start …"); no pause is logged twice.
 */
final class GcLog {
  /** One pause: when it ended (epoch ms) and how long it took. */
  record Pause(double endMs, double ms) {
    double startMs() {
      return endMs - ms;
    }
  }

  private static final Pattern LINE = Pattern.compile("\\[(\\d+)ms\\].*\\bPause\\b.*?([0-9]+(?:\\.[0-9]+)?)ms\\s*$");

  private GcLog() {
  }

  static List<Pause> read(Path log) {
    List<Pause> out = new ArrayList<>();
    if (!Files.exists(log)) {
      return out;
    }
    try {
      for (String line : Files.readAllLines(log)) {
        Pause p = parse(line);
        if (p != null) {
          out.add(p);
        }
      }
    } catch (IOException e) {
      // a missing or unreadable log: no figure
    }
    return out;
  }

  static Pause parse(String line) {
    Matcher m = LINE.matcher(line);
    if (!m.find()) {
      return null;
    }
    return new Pause(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)));
  }

  /**
   * The pauses of these logs that overlap the window [fromMs, toMs] (epoch ms): count, longest and total (the part
   * of each pause inside the window), in ms. Empty when no log exists (a Node.js server).
   */
  static JsonObject inWindow(List<Path> logs, long fromMs, long toMs) {
    int count = 0;
    double max = 0;
    double total = 0;
    boolean any = false;
    for (Path log : logs) {
      if (!Files.exists(log)) {
        continue;
      }
      any = true;
      for (Pause p : read(log)) {
        double from = Math.max(p.startMs(), fromMs);
        double to = Math.min(p.endMs(), toMs);
        if (p.endMs() >= fromMs && p.startMs() <= toMs) {
          count++;
          max = Math.max(max, p.ms());
          total += Math.max(0, to - from);
        }
      }
    }
    if (!any) {
      return new JsonObject();
    }
    return new JsonObject().put("gcPausesInWindow", count).put("gcMaxPauseMsInWindow", Scenarios.round(max, 2))
        .put("gcPauseTotalMsInWindow", Scenarios.round(total, 2));
  }

  /** The longest pause over the whole life of the logs, or -1 when there is none. */
  static double maxOverLife(List<Path> logs) {
    double max = -1;
    for (Path log : logs) {
      for (Pause p : read(log)) {
        max = Math.max(max, p.ms());
      }
    }
    return max;
  }
}
