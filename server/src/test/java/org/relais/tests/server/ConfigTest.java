package org.relais.tests.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relais.server.RelaisConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTest {

  @Test
  @DisplayName("with nothing set, every key has its documented default")
  void defaults() {
    RelaisConfig c = RelaisConfig.load(List.of(), Map.of());
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.redisUrl()).isNull();
    assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
    assertThat(c.demo()).isFalse();
    assertThat(c.allowedOrigins()).isEmpty();
    assertThat(c.accessTokenTtlSeconds()).isEqualTo(900);
    assertThat(c.wsMaxFrameBytes()).isEqualTo(65_536);
    for (RelaisConfig.Key key : RelaisConfig.KEYS) {
      assertThat(key.env()).startsWith("RELAIS_").doesNotContain("__");
    }
  }

  @Test
  @DisplayName("the file is read and the environment wins over it; --demo switches the demo on")
  void fileThenEnv(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("relais.json");
    Files.writeString(file, "{\"port\": 9090, \"allowedOrigins\": [\"https://relais.example.org\"], \"demo\": false}");
    RelaisConfig c = RelaisConfig.load(List.of("--config", file.toString(), "--demo"), Map.of("RELAIS_PORT", "9191"));
    assertThat(c.port()).isEqualTo(9191);
    assertThat(c.allowedOrigins()).containsExactly("https://relais.example.org");
    assertThat(c.demo()).isTrue();
  }

  @Test
  @DisplayName("a bad value stops start-up with a message naming the key and what it expects")
  void badValues(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> RelaisConfig.load(List.of(), Map.of("RELAIS_PORT", "eighty")))
        .isInstanceOf(RelaisConfig.ConfigException.class)
        .hasMessageContaining("RELAIS_PORT").hasMessageContaining("whole number from 0 to 65535");
    assertThatThrownBy(() -> RelaisConfig.load(List.of(), Map.of("RELAIS_REDIS_URL", "localhost:6379")))
        .hasMessageContaining("RELAIS_REDIS_URL").hasMessageContaining("redis://");
    assertThatThrownBy(() -> RelaisConfig.load(List.of(), Map.of("RELAIS_DEMO", "maybe")))
        .hasMessageContaining("RELAIS_DEMO").hasMessageContaining("true or false");
    assertThatThrownBy(() -> RelaisConfig.load(List.of(), Map.of("RELAIS_ADMIN_PASSWORD", "short")))
        .hasMessageContaining("RELAIS_ADMIN_PASSWORD").hasMessageContaining("at least 8");
    assertThatThrownBy(() -> RelaisConfig.load(List.of(), Map.of("RELAIS_ALLOWED_ORIGINS", "evil")))
        .hasMessageContaining("RELAIS_ALLOWED_ORIGINS");
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"prot\": 80}");
    assertThatThrownBy(() -> RelaisConfig.load(List.of("--config", file.toString()), Map.of()))
        .hasMessageContaining("Unknown configuration key 'prot'");
    Files.writeString(file, "{\"port\": \"x\"}");
    assertThatThrownBy(() -> RelaisConfig.load(List.of("--config", file.toString()), Map.of()))
        .hasMessageContaining("port in " + file);
    assertThatThrownBy(() -> RelaisConfig.load(List.of("--bogus"), Map.of())).hasMessageContaining("--bogus");
  }

  @Test
  @DisplayName("TLS needs both a readable certificate and key; a costly-ops budget must let the costliest op through")
  void securitySettings(@TempDir Path dir) throws Exception {
    Path cert = Files.writeString(dir.resolve("c.pem"), "x");
    assertThatThrownBy(() -> RelaisConfig.load(List.of(), Map.of("RELAIS_TLS_CERT_FILE", cert.toString())))
        .hasMessageContaining("tlsCertFile and tlsKeyFile go together");
    assertThatThrownBy(() -> RelaisConfig.load(List.of(), Map.of("RELAIS_TLS_CERT_FILE", cert.toString(),
        "RELAIS_TLS_KEY_FILE", dir.resolve("missing.pem").toString())))
        .hasMessageContaining("RELAIS_TLS_KEY_FILE").hasMessageContaining("a readable file");
    assertThatThrownBy(() -> RelaisConfig.load(List.of(), Map.of("RELAIS_RATE_EXPENSIVE_PER_USER", "4")))
        .hasMessageContaining("RELAIS_RATE_EXPENSIVE_PER_USER").hasMessageContaining("0 or a whole number from 10");
    RelaisConfig c = RelaisConfig.load(List.of(), Map.of("RELAIS_RATE_SEND_PER_USER", "0"));
    assertThat(c.rateSendPerUser()).isZero();
    assertThat(c.rateExpensivePerUser()).isEqualTo(300);
    assertThat(c.auditRetentionDays()).isEqualTo(365);
    assertThat(c.tlsCertFile()).isNull();
  }

  @Test
  @DisplayName("README.md documents every configuration key with its environment name and default")
  void readmeListsEveryKey() throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    for (RelaisConfig.Key key : RelaisConfig.KEYS) {
      assertThat(readme).as(key.name()).contains("| `" + key.env() + "` | `" + key.name() + "` |");
      if (key.defaultValue() != null && !key.defaultValue().isEmpty()) {
        assertThat(readme).as(key.name()).contains("`" + key.defaultValue() + "`");
      }
    }
  }
}
