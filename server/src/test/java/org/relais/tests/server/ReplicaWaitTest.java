package org.relais.tests.server;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.redis.ManagedRedis;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;
import org.relais.tests.redis.TestRedis;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.server.MessagingTest.code;
import static org.relais.tests.server.MessagingTest.id;
import static org.relais.tests.server.MessagingTest.ok;
import static org.relais.tests.server.MessagingTest.send;
import static org.relais.tests.server.MessagingTest.token;

/** redisWaitReplicas: a send is acknowledged only once a replica has it. */
class ReplicaWaitTest {

  @Test
  @DisplayName("with redisWaitReplicas 1, a send is acknowledged once the replica has it; without a replica it fails "
      + "with unavailable, and its retry is deduplicated")
  void sendWaitsForTheReplica() {
    ManagedRedis primary = TestRedis.start();
    ManagedRedis replica = TestRedis.start();
    try (TestServer t = TestServer.startOn(primary, Map.of("RELAIS_REDIS_WAIT_REPLICAS", "1",
        "RELAIS_REDIS_WAIT_TIMEOUT_MS", "300"))) {
      String admin = t.adminToken();
      String org = t.createOrg(admin, "WANEP-Mali", "ML");
      JsonObject aminata = t.createUser(admin, org, "Aminata Traoré");
      JsonObject moussa = t.createUser(admin, org, "Moussa Keïta");
      try (WsClient a = t.wsHello(token(aminata))) {
        String channel = MessagingTest.createChannel(a, "Répliques", "private", id(moussa));

        // No replica yet: the primary has the message, but the send is not acknowledged.
        long start = System.nanoTime();
        assertThat(code(send(a, channel, "sans réplique", "r1"))).isEqualTo("unavailable");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));

        // A replica attaches; the retry with the same clientMsgId is acknowledged, as the same message.
        RedisDb replicaDb = RedisDb.create(t.clients, RedisSettings.of(replica.url()), new SimpleMeterRegistry());
        String password = URI.create(primary.url()).getUserInfo().substring(1);
        TestServer.await(replicaDb.send(Command.CONFIG, "SET", "masterauth", password));
        TestServer.await(replicaDb.send(Command.REPLICAOF, "127.0.0.1", String.valueOf(primary.port())));
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> TestServer.await(
            replicaDb.send(Command.INFO, "replication")).toString().contains("master_link_status:up"));
        JsonObject retried = ok(send(a, channel, "sans réplique", "r1"));
        assertThat(retried.getBoolean("duplicate")).isTrue();
        assertThat(retried.getJsonObject("message").getLong("seq")).isEqualTo(1);
        JsonObject next = ok(send(a, channel, "avec réplique", "r2")).getJsonObject("message");
        assertThat(next.getLong("seq")).isEqualTo(2);
        String onReplica = TestServer.await(replicaDb.send(Command.HGET,
            "relais:ch:{c:" + channel + "}:m:2", "text")).toString();
        assertThat(onReplica).as("acknowledged means on the replica").isEqualTo("avec réplique");
        TestServer.await(replicaDb.close());
      }
    } finally {
      replica.stop();
      primary.stop();
    }
  }
}
