package org.relais.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The generator's own GC pauses are recorded and matched to windows (this JVM's real collections). */
class GenGcTest {
  @Test
  void recordsThisJvmsCollectionsInTheirWindow() throws InterruptedException {
    GenGc.install();
    long before = System.currentTimeMillis();
    System.gc();
    // the JVM reports a collection from its service thread, shortly after it ends
    long deadline = System.currentTimeMillis() + 5_000;
    while (GenGc.inWindow(before, System.currentTimeMillis()).getInteger("generatorGcPausesInWindow") == 0
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    JsonObject in = GenGc.inWindow(before, System.currentTimeMillis());
    assertThat(in.getInteger("generatorGcPausesInWindow")).as("System.gc() recorded").isPositive();
    assertThat(in.getLong("generatorGcPauseTotalMsInWindow")).isGreaterThanOrEqualTo(in.getLong("generatorGcMaxPauseMsInWindow"));
    // the collection began after `before`: a window that ended before it does not contain it (a few ms of slack: the
    // JVM's start time and the collection's end are whole milliseconds)
    assertThat(GenGc.inWindow(before - 10_000, before - 5).getInteger("generatorGcPausesInWindow")).isZero();
  }
}
