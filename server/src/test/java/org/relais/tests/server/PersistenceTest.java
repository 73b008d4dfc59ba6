package org.relais.tests.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relais.redis.ManagedRedis;
import org.relais.tests.redis.TestRedis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PersistenceTest {

  @Test
  @DisplayName("data survives a restart of the server and of its redis-server: start, write, stop, start, read")
  void survivesRestart(@TempDir Path dataDir) {
    ManagedRedis redis = TestRedis.start(dataDir, 0);
    String orgId;
    String token;
    try (TestServer first = TestServer.startOn(redis, Map.of())) {
      String admin = first.adminToken();
      orgId = first.createOrg(admin, "Ministère de la Promotion de la Femme", "NE");
      JsonObject user = first.createUser(admin, orgId, "Fatouma Issoufou");
      token = user.getString("accessToken");
    } finally {
      redis.stop();
    }

    ManagedRedis again = TestRedis.start(dataDir, 0);
    try (TestServer second = TestServer.startOn(again, Map.of())) {
      JsonObject org = second.okOp(second.adminToken(), "org.get", new JsonObject().put("orgId", orgId));
      assertThat(org.getJsonObject("org").getString("name")).isEqualTo("Ministère de la Promotion de la Femme");
      assertThat(org.getJsonObject("org").getLong("memberCount")).isEqualTo(1);
      assertThat(second.okOp(token, "user.me", new JsonObject()).getJsonObject("user").getString("displayName"))
          .as("an access token issued before the restart is still valid: the signing key was kept")
          .isEqualTo("Fatouma Issoufou");
    } finally {
      again.stop();
    }
  }

  @Test
  @DisplayName("Redis restarted under a running server: ready goes false, ops fail with unavailable, then all works again without a server restart")
  void redisRestart(@TempDir Path dataDir) {
    ManagedRedis redis = TestRedis.start(dataDir, 0);
    int port = redis.port();
    try (TestServer t = TestServer.startOn(redis, Map.of("RELAIS_REDIS_TIMEOUT_MS", "500"))) {
      String admin = t.adminToken();
      assertThat(t.get("/health/ready").statusCode()).isEqualTo(200);
      try (WsClient c = t.wsHello(admin)) {
        redis.stop();
        assertThat(t.get("/health/ready").statusCode()).isEqualTo(503);
        JsonObject overHttp = t.post("/api/ops/user.me", "{}", admin).bodyAsJsonObject();
        assertThat(overHttp.getJsonObject("error").getString("code")).isEqualTo("unavailable");
        JsonObject overWs = c.call("user.me", new JsonObject());
        assertThat(overWs.getJsonObject("error").getString("code")).isEqualTo("unavailable");
        assertThat(c.isClosed()).as("the socket outlives the outage").isFalse();

        ManagedRedis back = TestRedis.start(dataDir, port);
        try {
          await().atMost(Duration.ofSeconds(15)).until(() -> t.get("/health/ready").statusCode() == 200);
          await().atMost(Duration.ofSeconds(10)).until(() -> c.call("user.me", new JsonObject()).getBoolean("ok"));
          assertThat(t.okOp(admin, "org.list", new JsonObject()).getJsonArray("orgs")).isNotEmpty();
        } finally {
          t.close();
          back.stop();
        }
      }
    }
  }
}
