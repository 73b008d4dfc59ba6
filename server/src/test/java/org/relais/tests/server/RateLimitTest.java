package org.relais.tests.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitTest {
  private static TestServer t;

  @BeforeAll
  static void start() {
    t = TestServer.start(Map.of("RELAIS_WS_RATE_BURST", "5", "RELAIS_WS_RATE_PER_SECOND", "2"));
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  @Test
  @DisplayName("past its burst a socket gets rate_limited with a retry delay, and recovers when it slows down")
  void burstThenRecover() throws Exception {
    try (WsClient c = t.wsHello(t.adminToken())) {
      int limited = 0;
      JsonObject last = null;
      // Sent at once, then read: eight one after another could take long enough on a loaded machine to refill.
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        ids.add(c.callNoWait("ping", null));
      }
      for (String id : ids) {
        JsonObject r = c.replyTo(id);
        if (!r.getBoolean("ok")) {
          limited++;
          last = r;
        }
      }
      assertThat(limited).isGreaterThanOrEqualTo(2);
      assertThat(last.getJsonObject("error").getString("code")).isEqualTo("rate_limited");
      assertThat(last.getJsonObject("error").getLong("retryAfterMs")).isPositive();
      Thread.sleep(1_500);
      assertThat(c.call("ping", null).getBoolean("ok")).isTrue();
    }
  }

  @Test
  @DisplayName("a socket that keeps hammering after being limited is closed with 4008")
  void abuseCloses() {
    try (WsClient c = t.wsHello(t.adminToken())) {
      String frame = new JsonObject().put("id", "x").put("op", "ping").encode();
      for (int i = 0; i < 200 && !c.isClosed(); i++) {
        c.sendRawNoWait(frame);
      }
      assertThat(c.awaitClose(5_000)).isEqualTo((short) 4008);
    }
  }
}
