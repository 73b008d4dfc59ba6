package org.relais.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the CPU time goes, from a JFR recording (bench/run.sh --profile records one per server JVM):
 * {@code java -cp bench/target/relais-bench.jar org.relais.bench.JfrTop file.jfr [more.jfr]} prints the methods
 * most often on top of the stack (self time), the first Relais method under them (which part of Relais pays), and
 * the packages.
 */
public final class JfrTop {
  private JfrTop() {
  }

  public static void main(String[] args) throws IOException {
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> relais = new HashMap<>();
    Map<String, Integer> packages = new HashMap<>();
    int total = 0;
    for (String a : args) {
      for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(a))) {
        if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue;
        }
        RecordedStackTrace st = e.getStackTrace();
        if (st == null || st.getFrames().isEmpty()) {
          continue;
        }
        total++;
        List<RecordedFrame> frames = st.getFrames();
        String top = name(frames.get(0));
        self.merge(top, 1, Integer::sum);
        String type = frames.get(0).getMethod().getType().getName();
        int dot = type.lastIndexOf('.');
        packages.merge(dot > 0 ? type.substring(0, dot) : type, 1, Integer::sum);
        for (RecordedFrame f : frames) {
          if (f.getMethod().getType().getName().startsWith("org.relais.")) {
            relais.merge(name(f), 1, Integer::sum);
            break;
          }
        }
      }
    }
    System.out.println("execution samples: " + total);
    print("self (top of stack)", self, total, 25);
    print("first Relais frame under the sample", relais, total, 25);
    print("package of the top frame", packages, total, 15);
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  private static void print(String title, Map<String, Integer> m, int total, int n) {
    System.out.println();
    System.out.println("## " + title);
    m.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(n).forEach(e ->
        System.out.printf("%6.2f%%  %s%n", 100.0 * e.getValue() / Math.max(1, total), e.getKey()));
  }
}
