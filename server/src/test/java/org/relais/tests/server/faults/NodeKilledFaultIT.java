package org.relais.tests.server.faults;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.relais.redis.ManagedRedis;
import org.relais.tests.redis.TestRedis;
import org.relais.tests.server.TestServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * F6: a node killed with SIGKILL mid-fan-out. Node A runs in this JVM, node B is the packaged jar as its own
 * process (so that the kill is a real one: no close frames, sends half done between Redis and the reply, events
 * stored but never published). Half the members are on B and fail over to A; the others and the observers stay on A.
 */
class NodeKilledFaultIT {

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  @DisplayName("F6 a node killed (SIGKILL) mid-fan-out: its clients fail over to the other node, nothing lost or doubled")
  void nodeKilledMidFanOut(@TempDir Path dir) throws Exception {
    ManagedRedis redis = TestRedis.start();
    Process nodeB = null;
    try (TestServer nodeA = TestServer.startOn(redis, FaultSuiteTest.SERVER)) {
      int portB = FaultSuiteTest.freePort();
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-jar", System.getProperty("relais.jar")).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("node-b.log").toFile());
      pb.environment().put("RELAIS_PORT", String.valueOf(portB));
      pb.environment().put("RELAIS_HOST", "127.0.0.1");
      pb.environment().put("RELAIS_REDIS_URL", redis.url());
      pb.environment().put("RELAIS_EVENT_LOOPS", "2");
      pb.environment().put("RELAIS_WS_RATE_BURST", "100000");
      pb.environment().put("RELAIS_WS_RATE_PER_SECOND", "100000");
      nodeB = pb.start();
      long deadline = System.currentTimeMillis() + 60_000;
      while (!Files.readString(dir.resolve("node-b.log")).contains("Relais listening")) {
        assertThat(nodeB.isAlive()).as(Files.readString(dir.resolve("node-b.log"))).isTrue();
        assertThat(System.currentTimeMillis()).isLessThan(deadline);
        Thread.sleep(100);
      }
      Process killed = nodeB;
      World w = World.build(nodeA, FaultSuiteTest.CHANNELS, List.of(nodeA.port),
          i -> i % 2 == 0 ? List.of(portB, nodeA.port) : List.of(nodeA.port));
      FaultSuiteTest.run("F6 node killed (SIGKILL) mid-fan-out, clients fail over", w, redis.url(), () -> {
        killed.destroyForcibly();
        assertThat(killed.waitFor(10, TimeUnit.SECONDS)).isTrue();
      }, FaultSuiteTest.options());
      assertThat(w.clients.stream().filter(c -> c.name.startsWith("member-")).mapToInt(c -> c.closes().size()).sum())
          .as("the clients of node B lost their connection").isPositive();
    } finally {
      if (nodeB != null) {
        nodeB.destroyForcibly();
      }
      redis.stop();
    }
  }
}
