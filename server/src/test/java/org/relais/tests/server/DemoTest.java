package org.relais.tests.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DemoTest {

  @Test
  @DisplayName("the demo network: focal points in several countries and languages, with channels and messages to look at")
  void demo() {
    try (TestServer t = TestServer.start(Map.of("RELAIS_DEMO", "true"))) {
      JsonObject aminata = t.login("aminata@wanep-mali.example", "relais-demo-2026");
      assertThat(aminata.getJsonObject("user").getString("locale")).isEqualTo("fr");
      assertThat(aminata.getJsonObject("user").getString("timeZone")).isEqualTo("Africa/Bamako");
      JsonObject sarah = t.login("sarah@unwomen.example", "relais-demo-2026");
      assertThat(sarah.getJsonObject("user").getString("timeZone")).isEqualTo("America/New_York");
      String token = aminata.getString("accessToken");
      assertThat(t.okOp(token, "org.list", new JsonObject()).getJsonArray("orgs")).hasSizeGreaterThanOrEqualTo(6);
      JsonObject channels = t.okOp(token, "channel.list", new JsonObject());
      assertThat(channels.getJsonArray("channels")).extracting(c -> ((JsonObject) c).getString("kind"))
          .contains("network", "regional", "direct");
      assertThat(channels.getJsonArray("channels")).allSatisfy(c -> assertThat(((JsonObject) c).getJsonObject("lastMessage")).isNotNull());
    }
  }
}
