package org.relais.tests.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relais.redis.ManagedRedis;
import org.relais.server.RelaisConfig;
import org.relais.server.RelaisServer;
import org.relais.tests.redis.TestRedis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyRotationTest {

  private static String pem(KeyPair pair) {
    Base64.Encoder mime = Base64.getMimeEncoder(64, "\n".getBytes());
    return "-----BEGIN PRIVATE KEY-----\n" + mime.encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n"
        + "-----BEGIN PUBLIC KEY-----\n" + mime.encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
  }

  private static String kid(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]))).getString("kid");
  }

  @Test
  @DisplayName("a configured key replaces the generated one; tokens signed by the previous key stay valid")
  void configuredKeyReplaces(@TempDir Path dir) throws Exception {
    ManagedRedis redis = TestRedis.start(dir.resolve("data"), 0);
    try {
      String oldToken;
      try (TestServer first = TestServer.startOn(redis, Map.of())) {
        oldToken = first.adminToken();
      }
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"));
      Path keyFile = dir.resolve("relais-jwt.pem");
      Files.writeString(keyFile, pem(gen.generateKeyPair()));
      try (TestServer second = TestServer.startOn(redis, Map.of("RELAIS_JWT_KEY_FILE", keyFile.toString()))) {
        String newToken = second.adminToken();
        assertThat(kid(newToken)).isNotEqualTo(kid(oldToken));
        assertThat(second.op(oldToken, "user.me", new JsonObject()).getBoolean("ok")).as("old token still valid").isTrue();
        assertThat(second.op(newToken, "user.me", new JsonObject()).getBoolean("ok")).isTrue();
      }
    } finally {
      redis.stop();
    }
  }

  @Test
  @DisplayName("start-up fails when the configured key cannot be loaded")
  void badKeyFile(@TempDir Path dir) throws Exception {
    ManagedRedis redis = TestRedis.start(dir.resolve("data"), 0);
    try {
      Path keyFile = dir.resolve("broken.pem");
      Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
      RelaisConfig config = RelaisConfig.load(List.of(), Map.of("RELAIS_PORT", String.valueOf(TestServer.freePort()),
          "RELAIS_HOST", "127.0.0.1", "RELAIS_REDIS_URL", redis.url(), "RELAIS_JWT_KEY_FILE", keyFile.toString()));
      assertThatThrownBy(() -> TestServer.await(RelaisServer.start(config, redis.url())))
          .hasMessageContaining("JWT key file");
    } finally {
      redis.stop();
    }
  }
}
