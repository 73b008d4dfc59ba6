package org.relais.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The GC log parser and window matching, and the targets table's shape (no server needed). */
class GcLogTest {
  @Test
  void parsesEveryCollectorsPauseLines() {
    assertThat(GcLog.parse("[1.646s][1795346719580ms][gc] GC(0) Pause Young (Allocation Failure) 17M->3M(61M) 73.467ms"))
        .isEqualTo(new GcLog.Pause(1795346719580.0, 73.467));
    assertThat(GcLog.parse("[0.902s][1795346722559ms][gc       ] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 6M->3M(64M) 58.490ms"))
        .isEqualTo(new GcLog.Pause(1795346722559.0, 58.490));
    assertThat(GcLog.parse("[0.539s][1795346724720ms][gc,phases] GC(0) Pause Mark Start 0.007ms").ms()).isEqualTo(0.007);
    assertThat(GcLog.parse("[0.764s][1795346727996ms][gc] GC(0) Pause Init Mark (unload classes) 0.011ms").ms())
        .isEqualTo(0.011);
    assertThat(GcLog.parse("[0.539s][1795346724720ms][gc,phases] GC(0) Concurrent Mark 12.007ms")).isNull();
    assertThat(GcLog.parse("[0.010s][1795346724720ms][gc] Using Serial")).isNull();
  }

  @Test
  void countsOnlyPausesOverlappingTheWindow(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("gc-x.log");
    Files.writeString(log, String.join("\n",
        "[1.0s][1000ms][gc] GC(0) Pause Young (Allocation Failure) 17M->3M(61M) 50.000ms", // 950..1000: before
        "[2.0s][2005ms][gc] GC(1) Pause Young (Allocation Failure) 17M->3M(61M) 10.000ms", // 1995..2005: half in
        "[2.5s][2500ms][gc] GC(2) Pause Full (System.gc()) 17M->3M(61M) 30.000ms",         // inside
        "[3.5s][3500ms][gc] GC(3) Pause Young (Allocation Failure) 17M->3M(61M) 99.000ms")); // after
    JsonObject j = GcLog.inWindow(List.of(log, dir.resolve("absent.log")), 2000, 3000);
    assertThat(j.getInteger("gcPausesInWindow")).isEqualTo(2);
    assertThat(j.getDouble("gcMaxPauseMsInWindow")).isEqualTo(30.0);
    assertThat(j.getDouble("gcPauseTotalMsInWindow")).isEqualTo(35.0);
    assertThat(GcLog.maxOverLife(List.of(log))).isEqualTo(99.0);
    assertThat(GcLog.inWindow(List.of(dir.resolve("absent.log")), 0, 1).isEmpty()).isTrue();
  }

  @Test
  void targetsTableWithoutAnIdleRunSaysNotMeasured() {
    // e.g. --scenarios bigroom,rooms: the memory row has nothing to read (this threw a NullPointerException)
    JsonObject r = new JsonObject().put("mode", "quick").put("runs", new JsonArray()
        .add(new JsonObject().put("variant", "bigroom").put("scenario", "bigroom").put("target", "relais")
            .put("nodes", 1).put("members", 500).put("kneeMsgPerSecond", 150.0).put("steps", new JsonArray())));
    List<Targets.Row> rows = Targets.rows(r);
    assertThat(rows).hasSize(9);
    assertThat(rows.get(0).met()).isEqualTo("not measured");
  }

  @Test
  void targetsTableHasTheIssuesNineRows() {
    JsonObject r = new JsonObject().put("mode", "quick").put("runs", new JsonArray()
        .add(new JsonObject().put("variant", "idle").put("scenario", "idle").put("target", "relais")
            // Relais's heap is pre-touched (no serverJvmOpts): its resident memory per connection is the heap share
            // plus what it adds outside the heap, 7.5 + 3.5 = 11 KB (Targets.memory)
            .put("connections", 100).put("heapPerConnectionKb", 7.5).put("rssPerConnectionKb", 3.5))
        .add(new JsonObject().put("variant", "idle").put("scenario", "idle").put("target", "socketio-classic")
            .put("connections", 100).put("heapPerConnectionKb", 10.0).put("rssPerConnectionKb", 12.0)));
    List<Targets.Row> rows = Targets.rows(r);
    assertThat(rows).extracting(Targets.Row::metric).hasSize(9);
    assertThat(rows.get(0).met()).isEqualTo("**met**");
    assertThat(rows.get(0).peerMet()).isEqualTo("missed"); // heap 0.75× ≤ 0.9× but RSS 11 / 12 = 0.92× > 0.9×
    assertThat(rows.get(1).met()).isEqualTo("not measured");
    assertThat(Targets.markdown(r).lines().count()).isEqualTo(2 + 9);
  }
}
