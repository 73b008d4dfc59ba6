package org.relais.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * java.util.logging for the generator (Vert.x logs through it): the messages its own client writes for every socket a
 * server closes or refuses in a storm ("Connection evicted" for each refused upgrade, "Connection reset" for each
 * socket reset) are counted rather than printed — the scenarios count those sockets themselves — and printed once,
 * as totals, when the harness exits. Everything else at WARNING and above, and every record with a stack trace, is
 * printed as before: real errors stay visible.
 */
final class BenchLogging {
  private static final Map<String, AtomicLong> SUPPRESSED = new ConcurrentHashMap<>();

  private BenchLogging() {
  }

  static void install() {
    Logger root = LogManager.getLogManager().getLogger("");
    for (Handler h : root.getHandlers()) {
      h.setFilter(BenchLogging::keep);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (!SUPPRESSED.isEmpty()) {
        System.out.println("generator's Vert.x client messages not printed (counted): " + SUPPRESSED);
      }
    }));
  }

  /** False for the generator client's per-socket messages of a storm (counted); true for anything else. */
  static boolean keep(LogRecord r) {
    String message = r.getMessage();
    String logger = r.getLoggerName() == null ? "" : r.getLoggerName();
    boolean perSocket = logger.startsWith("io.vertx.core.") && r.getThrown() == null && message != null
        && (message.equals("Connection evicted") || message.equals("Connection reset")
            || message.startsWith("Connection reset by peer"));
    if (perSocket) {
      SUPPRESSED.computeIfAbsent(message, k -> new AtomicLong()).incrementAndGet();
      return false;
    }
    return true;
  }
}
