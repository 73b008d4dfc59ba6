package org.relais.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-thread CPU split (synthetic snapshots and this JVM's own /proc) and the heap_info parser; no server. */
class ThreadCpuTest {
  private static ThreadCpu.Snap snap(long pid, long processTicks, Object... tidStartCommTicks) {
    Map<String, ThreadCpu.Task> m = new LinkedHashMap<>();
    for (int i = 0; i < tidStartCommTicks.length; i += 3) {
      m.put((String) tidStartCommTicks[i], new ThreadCpu.Task((String) tidStartCommTicks[i + 1],
          (Long) tidStartCommTicks[i + 2]));
    }
    return new ThreadCpu.Snap(pid, processTicks, m);
  }

  @Test
  void groupsJvmThreadsByName() {
    assertThat(ThreadCpu.group("vert.x-eventloo", true, false)).isEqualTo("loop");
    assertThat(ThreadCpu.group("GC Thread#0", true, false)).isEqualTo("gc");
    assertThat(ThreadCpu.group("G1 Conc#0", true, false)).isEqualTo("gc");
    assertThat(ThreadCpu.group("G1 Refine#0", true, false)).isEqualTo("gc");
    assertThat(ThreadCpu.group("VM Thread", true, false)).isEqualTo("gc");
    assertThat(ThreadCpu.group("C2 CompilerThre", true, false)).isEqualTo("jit");
    assertThat(ThreadCpu.group("C1 CompilerThre", true, false)).isEqualTo("jit");
    assertThat(ThreadCpu.group("vert.x-worker-t", true, false)).isEqualTo("workers");
    assertThat(ThreadCpu.group("vert.x-internal", true, false)).isEqualTo("workers");
    assertThat(ThreadCpu.group("relais-password", true, false)).isEqualTo("workers");
    assertThat(ThreadCpu.group("java", true, true)).isEqualTo("other");
    assertThat(ThreadCpu.group("vert.x-acceptor", true, false)).isEqualTo("other");
    assertThat(ThreadCpu.group("node", false, true)).isEqualTo("main");
    assertThat(ThreadCpu.group("node", false, false)).isEqualTo("workers");
    assertThat(ThreadCpu.group("libuv-worker", false, false)).isEqualTo("workers");
    assertThat(ThreadCpu.group("V8Worker", false, false)).isEqualTo("workers");
    assertThat(ThreadCpu.group("signal-handler", false, false)).isEqualTo("other");
  }

  @Test
  void countsNewThreadsFromZeroAndExitedThreadsAsExited() {
    ThreadCpu.Snap a = snap(10, 1000,
        "10@1", "java", 50L,
        "11@2", "vert.x-eventloo", 600L,
        "12@3", "C2 CompilerThre", 300L,
        "13@4", "GC Thread#0", 40L,     // exits during the window
        "14@5", "vert.x-worker-t", 10L); // exits, and its id is reused by a new compiler thread
    ThreadCpu.Snap b = snap(10, 1000 + 200,
        "10@1", "java", 50L,
        "11@2", "vert.x-eventloo", 700L,  // +100
        "12@3", "C2 CompilerThre", 330L,  // +30
        "14@9", "C1 CompilerThre", 20L,   // new (same tid, other start time): +20
        "15@9", "GC Thread#1", 5L);       // new: +5
    Map<String, Long> detail = new TreeMap<>();
    Map<String, Long> g = ThreadCpu.groupTicks(a, b, true, detail);
    assertThat(g).containsEntry("loop", 100L).containsEntry("jit", 50L).containsEntry("gc", 5L)
        .containsEntry("workers", 0L).containsEntry("other", 0L)
        // 200 for the process, 155 in the threads still there: the exited threads' ticks during the window
        .containsEntry("exited", 45L);
    assertThat(detail).containsEntry("C2 CompilerThre", 30L).containsEntry("GC Thread#N", 5L);
  }

  @Test
  void splitGivesSharesOfOneCoreOverNodesAndACompactString() {
    long tps = Proc.TICKS_PER_SECOND;
    ThreadCpu.Snap a1 = snap(10, 0, "10@1", "java", 0L, "11@2", "vert.x-eventloo", 0L, "12@3", "C2 CompilerThre", 0L);
    ThreadCpu.Snap b1 = snap(10, tps, "10@1", "java", 0L, "11@2", "vert.x-eventloo", tps / 2, "12@3",
        "C2 CompilerThre", tps / 2);
    ThreadCpu.Snap a2 = snap(20, 0, "21@2", "vert.x-eventloo", 0L);
    ThreadCpu.Snap b2 = snap(20, tps / 2, "21@2", "vert.x-eventloo", tps / 2);
    JsonObject j = ThreadCpu.split(List.of(a1, a2), List.of(b1, b2), List.of("relais-1", "relais-2"), true, 2.0);
    assertThat(j.getJsonObject("shares").getDouble("loop")).isEqualTo(0.5);
    assertThat(j.getJsonObject("shares").getDouble("jit")).isEqualTo(0.25);
    assertThat(j.getString("split")).isEqualTo("loop 0.50 / GC 0.00 / JIT 0.25");
    assertThat(j.getJsonArray("nodes")).hasSize(2);
    assertThat(j.getJsonArray("nodes").getJsonObject(1).getDouble("loop")).isEqualTo(0.25);
    assertThat(ThreadCpu.compileShare(a1, b1, true, 1.0)).isEqualTo(0.5);
  }

  @Test
  void readsThisJvmsThreads() {
    long pid = ProcessHandle.current().pid();
    ThreadCpu.Snap s = ThreadCpu.read(pid);
    assertThat(s.processTicks()).isGreaterThanOrEqualTo(0);
    assertThat(s.threads()).isNotEmpty();
    // the main thread's id is the process's
    assertThat(s.threads().keySet()).anyMatch(k -> k.startsWith(pid + "@"));
    assertThat(ThreadCpu.read(Long.MAX_VALUE).threads()).isEmpty();
  }

  @Test
  void readsTheHeapOfEveryCollector() {
    String serial = """
         def new generation   total 9792K, used 1234K [0x00000000c0000000, 0x00000000c0aa0000, 0x00000000d5550000)
          eden space 8704K,  14% used [0x00000000c0000000, 0x00000000c0134a28, 0x00000000c0880000)
         tenured generation   total 21888K, used 766K [0x00000000d5550000, 0x00000000d6ab0000, 0x0000000100000000)
         Metaspace       used 6213K, committed 6400K, reserved 1114112K
        """;
    assertThat(Target.heapUsedKb(serial)).isEqualTo(2000);
    String parallel = """
         PSYoungGen      total 305664K, used 20971K [0x00000000eab00000, 0x0000000100000000, 0x0000000100000000)
          eden space 262144K, 8% used [0x00000000eab00000,0x00000000ebf7ad18,0x00000000fab00000)
         ParOldGen       total 699392K, used 13612K [0x00000000c0000000, 0x00000000eab00000, 0x00000000eab00000)
          object space 699392K, 1% used [0x00000000c0000000,0x00000000c0d4b0e8,0x00000000eab00000)
         Metaspace       used 10805K, committed 11008K, reserved 1114112K
        """;
    assertThat(Target.heapUsedKb(parallel)).isEqualTo(20971 + 13612);
    String g1 = """
         garbage-first heap   total 1048576K, used 53215K [0x00000000c0000000, 0x0000000100000000)
          region size 1024K, 2 young (2048K), 0 survivors (0K)
         Metaspace       used 10805K, committed 11008K, reserved 1114112K
        """;
    assertThat(Target.heapUsedKb(g1)).isEqualTo(53215);
    assertThat(Target.heapUsedKb(" ZHeap           used 28M, capacity 1024M, max capacity 1024M\n")).isEqualTo(28 * 1024);
    assertThat(Target.heapUsedKb("Shenandoah Heap\n 1048576K max, 1048576K soft max, 1048576K committed, 37394K used\n"))
        .isEqualTo(37394);
    assertThat(Target.heapUsedKb("Metaspace       used 10805K, committed 11008K\n")).isEqualTo(-1);
  }
}
