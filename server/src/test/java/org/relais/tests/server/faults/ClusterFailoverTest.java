package org.relais.tests.server.faults;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.relais.redis.HashSlots;
import org.relais.redis.ManagedRedis;
import org.relais.tests.redis.TestCluster;
import org.relais.tests.server.TestServer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * F12, a live Redis Cluster failover under traffic: three masters, each with one replica ({@link TestCluster}), two
 * Relais nodes in {@code cluster} mode with {@code redisWaitReplicas=1}, the fault suite's clients on both. The
 * master that owns the first channel's slot is killed with SIGKILL; its replica is promoted by the cluster itself
 * (cluster-node-timeout 2 s), and the killed node is then started again and rejoins as the new master's replica. The
 * invariants I1–I7 are checked as for every fault: with redisWaitReplicas=1 an
 * acknowledged send is on the replica, so nothing acknowledged may be lost (docs/CLUSTER.md); a loss would have to be
 * announced to the followers as {@code resync} {@code ahead}, which I4 accepts and I1 does not.
 */
class ClusterFailoverTest {

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  @DisplayName("F12 a Redis Cluster master killed under traffic, its replica promoted: nothing acknowledged lost, all converge")
  void masterKilledReplicaPromoted() throws Exception {
    try {
      ManagedRedis.executable();
    } catch (IOException e) {
      Assumptions.abort("no redis-server binary on PATH or bundled for this platform: " + e.getMessage());
    }
    Map<String, String> env = Map.of(
        "RELAIS_REDIS_MODE", "cluster",
        "RELAIS_REDIS_TIMEOUT_MS", "1000",
        "RELAIS_REDIS_WAIT_REPLICAS", "1",
        "RELAIS_REDIS_WAIT_TIMEOUT_MS", "500");
    try (TestCluster cluster = TestCluster.start(1, 2_000);
         TestServer a = TestServer.startOnUrl(cluster.urls(), env);
         TestServer b = TestServer.startOnUrl(cluster.urls(), env)) {
      World w = World.build(a, FaultSuiteTest.CHANNELS, List.of(a.port, b.port),
          i -> i % 2 == 0 ? List.of(a.port, b.port) : List.of(b.port, a.port));
      // The first fault kills the master of the first channel's slot; a repeat (long suite) the next master.
      int first = TestCluster.masterIndexOfSlot(HashSlots.slot("relais:ch:{c:" + w.channels.get(0) + "}"));
      List<Long> promotedMs = new ArrayList<>();
      FaultSuiteTest.run("F12 Redis Cluster master killed, replica promoted", w, "cluster:" + cluster.urls(), () -> {
        int victim = (first + promotedMs.size()) % 3;
        int slot = TestCluster.firstSlotOf(victim);
        long killed = System.currentTimeMillis();
        cluster.kill(victim);
        int promoted = cluster.awaitPromoted(victim, slot, 30_000);
        long promotedAfter = System.currentTimeMillis() - killed;
        promotedMs.add(promotedAfter);
        // The old master comes back and rejoins as the new master's replica: until then, sends to that shard are
        // answered unavailable (redisWaitReplicas=1 with no replica), as docs/CLUSTER.md says.
        cluster.restart(victim);
        System.out.printf("F12: master %d killed; its replica (node %d) promoted after %d ms; the old master back as "
            + "its replica, in sync, %d ms after the kill%n", victim, promoted, promotedAfter,
            System.currentTimeMillis() - killed);
      }, FaultSuiteTest.options());
      assertThat(promotedMs).as("a replica promoted at each fault").hasSize(FaultSuiteTest.REPEATS);
    }
  }
}
