package org.relais.tests.server;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HttpTest {
  private static TestServer t;

  @BeforeAll
  static void start() {
    t = TestServer.start();
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  @Test
  @DisplayName("the landing page is served with the security headers")
  void landingPage() {
    HttpResponse<Buffer> r = t.get("/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("Content-Type")).startsWith("text/html");
    assertThat(r.bodyAsString()).contains("Relais");
    assertThat(r.getHeader("Content-Security-Policy")).contains("default-src 'self'").contains("frame-ancestors 'none'");
    assertThat(r.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(r.getHeader("X-Frame-Options")).isEqualTo("DENY");
    assertThat(r.getHeader("Strict-Transport-Security")).as("no HSTS on plain HTTP").isNull();
  }

  @Test
  @DisplayName("hidden files and path tricks are not served")
  void noTraversal() {
    for (String path : new String[] {"/.git/config", "/.env", "/%2e%2e/pom.xml", "/..%2f..%2fpom.xml", "/%5c..%5cpom.xml"}) {
      HttpResponse<Buffer> r = t.get(path);
      assertThat(r.statusCode()).as(path).isIn(400, 404);
      assertThat(r.bodyAsString()).as(path).doesNotContain("<project");
    }
  }

  @Test
  @DisplayName("health: live is up; ready reports Redis")
  void health() {
    assertThat(t.get("/health/live").bodyAsJsonObject().getString("status")).isEqualTo("UP");
    HttpResponse<Buffer> ready = t.get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getString("redis")).isEqualTo("UP");
  }

  @Test
  @DisplayName("metrics in Prometheus format: open connections, ops by name and outcome, op latency, Redis latency")
  void metrics() {
    String token = t.adminToken();
    t.op(token, "user.me", new io.vertx.core.json.JsonObject());
    t.op(token, "org.get", new io.vertx.core.json.JsonObject().put("orgId", "01ARZ3NDEKTSV4RRFFQ69G5FAV"));
    try (WsClient c = t.wsHello(token)) {
      String metrics = t.get("/metrics").bodyAsString();
      assertThat(metrics).contains("relais_ws_connections 1.0");
      assertThat(metrics).contains("relais_ops_total{op=\"user.me\",outcome=\"ok\"}");
      assertThat(metrics).contains("relais_ops_total{op=\"org.get\",outcome=\"not_found\"}");
      assertThat(metrics).contains("relais_op_seconds_bucket{op=\"user.me\"");
      assertThat(metrics).contains("relais_redis_command_seconds_bucket{command=\"hgetall\"");
      assertThat(metrics).doesNotContain(token);
    }
  }
}
