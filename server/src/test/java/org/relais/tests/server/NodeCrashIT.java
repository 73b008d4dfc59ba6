package org.relais.tests.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relais.redis.ManagedRedis;
import org.relais.tests.redis.TestRedis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.server.MessagingTest.id;
import static org.relais.tests.server.MessagingTest.ok;
import static org.relais.tests.server.MessagingTest.token;

/** A node killed with SIGKILL, as in a crash: its users turn offline for the others within the presence TTL. */
class NodeCrashIT {

  @Test
  @DisplayName("a node killed without closing its sockets: its users are offline for others within the TTL")
  void crashedNodeUsersGoOffline(@TempDir Path dir) throws Exception {
    ManagedRedis redis = TestRedis.start();
    Map<String, String> presence = Map.of("RELAIS_PRESENCE_TTL_SECONDS", "3", "RELAIS_PRESENCE_GRACE_SECONDS", "1");
    Process nodeB = null;
    try (TestServer nodeA = TestServer.startOn(redis, presence)) {
      String admin = nodeA.adminToken();
      String org = nodeA.createOrg(admin, "ECOWAS", "NG");
      JsonObject watcher = nodeA.createUser(admin, org, "Chinedu Okafor");
      JsonObject traveller = nodeA.createUser(admin, org, "Fatouma Issoufou");
      int portB = TestServer.freePort();
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-jar", System.getProperty("relais.jar")).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("node-b.log").toFile());
      pb.environment().putAll(presence);
      pb.environment().put("RELAIS_PORT", String.valueOf(portB));
      pb.environment().put("RELAIS_HOST", "127.0.0.1");
      pb.environment().put("RELAIS_REDIS_URL", redis.url());
      nodeB = pb.start();
      long deadline = System.currentTimeMillis() + 60_000;
      while (!Files.readString(dir.resolve("node-b.log")).contains("Relais listening")) {
        assertThat(nodeB.isAlive()).as(Files.readString(dir.resolve("node-b.log"))).isTrue();
        assertThat(System.currentTimeMillis()).isLessThan(deadline);
        Thread.sleep(100);
      }
      try (WsClient w = nodeA.wsHello(token(watcher))) {
        ok(w.call("dm.open", new JsonObject().put("userIds", new JsonArray().add(id(traveller)))));
        WsClient onB = WsClient.connect(nodeA.clients, portB, null);
        ok(onB.call("hello", new JsonObject().put("token", token(traveller))));
        w.nextMatching(f -> "presence.changed".equals(f.getString("ev"))
            && id(traveller).equals(f.getJsonObject("data").getString("userId"))
            && "online".equals(f.getJsonObject("data").getString("status")), 10_000);

        long killedAt = System.currentTimeMillis();
        nodeB.destroyForcibly();
        assertThat(nodeB.waitFor(10, TimeUnit.SECONDS)).isTrue();
        JsonObject offline = w.nextMatching(f -> "presence.changed".equals(f.getString("ev"))
            && id(traveller).equals(f.getJsonObject("data").getString("userId"))
            && "offline".equals(f.getJsonObject("data").getString("status")), 10_000).getJsonObject("data");
        long after = System.currentTimeMillis() - killedAt;
        // nominally within the TTL (3 s) after the last heartbeat; twice it leaves room for a loaded machine's late timers
        assertThat(after).as("within one TTL (3 s) plus a sweep, with room for late timers").isLessThan(6_000);
        assertThat(offline.getString("lastSeenAt")).isNotNull();
        assertThat(ok(w.call("presence.get", new JsonObject().put("userIds", new JsonArray(List.of(id(traveller))))))
            .getJsonArray("presence").getJsonObject(0).getString("status")).isEqualTo("offline");
      }
    } finally {
      if (nodeB != null) {
        nodeB.destroyForcibly();
      }
      redis.stop();
    }
  }
}
