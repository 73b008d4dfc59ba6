package org.relais.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.vertx.core.json.JsonObject;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

/**
 * The generator's own GC pauses. The generator stamps each message when it sends it and again when it receives it,
 * so while its JVM is paused nothing is sent or read and every delivery that spans the pause is that much later: a
 * window with a long generator pause measures the generator, not the server (the five repetitions of
 * `20261122-200118` had full collections of about half a second in the generator, with the Parallel collector it
 * then used). Each collection is recorded with its end (the JVM's own record, on the wall clock) and its duration,
 * which for the stop-the-world collections (Serial, Parallel, G1's young, mixed and full collections) is the pause
 * (less the time to reach the safepoint). Not seen: G1's remark and cleanup pauses on JDK 17 (no bean reports them;
 * they are short), and nothing of ZGC's or Shenandoah's cycles, which are concurrent, not pauses.
 */
final class GenGc {
  /** A window whose longest generator pause exceeds this is flagged invalid. */
  static final double INVALID_PAUSE_MS = 50;
  private static final long KEEP_MS = TimeUnit.MINUTES.toMillis(10);

  private record Pause(long endMs, long ms) {
  }

  private static final ConcurrentLinkedDeque<Pause> PAUSES = new ConcurrentLinkedDeque<>();
  private static final long JVM_START_MS = ManagementFactory.getRuntimeMXBean().getStartTime();

  private GenGc() {
  }

  /** Starts recording (once, at start-up). */
  static void install() {
    for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      // ZGC's and Shenandoah's "… Cycles" beans time concurrent cycles, not pauses
      if (!(bean instanceof NotificationEmitter emitter) || bean.getName().endsWith("Cycles")) {
        continue;
      }
      emitter.addNotificationListener((n, handback) -> {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
          return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long now = System.currentTimeMillis();
        // the notification comes later, from the JVM's service thread: the end is taken from the collection itself
        PAUSES.addLast(new Pause(JVM_START_MS + info.getGcInfo().getEndTime(), info.getGcInfo().getDuration()));
        Pause oldest = PAUSES.peekFirst();
        while (oldest != null && now - oldest.endMs() > KEEP_MS) {
          PAUSES.pollFirst();
          oldest = PAUSES.peekFirst();
        }
      }, null, null);
    }
  }

  /** The generator's pauses that overlap [fromMs, toMs]: count, longest and total. */
  static JsonObject inWindow(long fromMs, long toMs) {
    int count = 0;
    long max = 0;
    long total = 0;
    for (Iterator<Pause> it = PAUSES.iterator(); it.hasNext(); ) {
      Pause p = it.next();
      if (p.endMs() >= fromMs && p.endMs() - p.ms() <= toMs) {
        count++;
        max = Math.max(max, p.ms());
        total += p.ms();
      }
    }
    return new JsonObject().put("generatorGcPausesInWindow", count).put("generatorGcMaxPauseMsInWindow", max)
        .put("generatorGcPauseTotalMsInWindow", total);
  }
}
