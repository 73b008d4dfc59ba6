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
  @DisplayName("the client is served from memory: gzip when asked, versioned files cached for a year, 304 on a known ETag")
  void clientAssets() {
    HttpResponse<Buffer> index = t.get("/");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("/v/([0-9a-f]{12})/app/main\\.js").matcher(index.bodyAsString());
    assertThat(m.find()).isTrue();
    String version = m.group(1);
    assertThat(index.bodyAsString()).doesNotContain("__RELAIS_V__");

    HttpResponse<Buffer> plain = t.get("/v/" + version + "/vendor/preact.mjs");
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(plain.getHeader("Content-Encoding")).isNull();
    assertThat(plain.getHeader("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
    HttpResponse<Buffer> zipped = TestServer.await(t.http.get("/v/" + version + "/vendor/preact.mjs")
        .putHeader("Accept-Encoding", "gzip, br").send());
    assertThat(zipped.getHeader("Content-Encoding")).isEqualTo("gzip");
    assertThat(zipped.getHeader("Vary")).isEqualTo("Accept-Encoding");
    assertThat(zipped.body().length()).isLessThan(plain.body().length());
    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body().getBytes()))) {
      assertThat(in.readAllBytes()).isEqualTo(plain.body().getBytes());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }

    HttpResponse<Buffer> stale = t.get("/v/000000000000/vendor/preact.mjs");
    assertThat(stale.statusCode()).as("an older version's file is served, not kept").isEqualTo(200);
    assertThat(stale.getHeader("Cache-Control")).isEqualTo("no-cache");

    HttpResponse<Buffer> again = TestServer.await(t.http.get("/v/" + version + "/vendor/preact.mjs")
        .putHeader("If-None-Match", plain.getHeader("ETag")).send());
    assertThat(again.statusCode()).isEqualTo(304);

    HttpResponse<Buffer> sw = t.get("/sw.js");
    assertThat(sw.getHeader("Cache-Control")).isEqualTo("no-cache");
    assertThat(sw.getHeader("Service-Worker-Allowed")).isEqualTo("/");
    assertThat(sw.bodyAsString()).contains("/v/" + version + "/app/main.js").doesNotContain("__RELAIS_SHELL__");
    assertThat(t.get("/v/" + version + "/app/nothing.js").statusCode()).isEqualTo(404);
    assertThat(TestServer.await(t.http.post("/v/" + version + "/app/main.js").send()).statusCode()).isEqualTo(404);
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

  @Test
  @DisplayName("metrics are refused through a proxy unless a network admin asks")
  void metricsProtected() {
    var viaProxy = TestServer.await(t.http.get("/metrics").putHeader("X-Forwarded-For", "203.0.113.7").send());
    assertThat(viaProxy.statusCode()).isEqualTo(403);
    var asAdmin = TestServer.await(t.http.get("/metrics").putHeader("X-Forwarded-For", "203.0.113.7")
        .putHeader("Authorization", "Bearer " + t.adminToken()).send());
    assertThat(asAdmin.statusCode()).isEqualTo(200);
    String org = t.createOrg(t.adminToken(), "Org " + System.nanoTime(), "ML");
    String member = t.createUser(t.adminToken(), org, "Member").getString("accessToken");
    var asMember = TestServer.await(t.http.get("/metrics").putHeader("X-Forwarded-For", "203.0.113.7")
        .putHeader("Authorization", "Bearer " + member).send());
    assertThat(asMember.statusCode()).isEqualTo(403);
  }

  @Test
  @DisplayName("behind a trusted proxy, the per-address sign-in budget counts the client's address, not the proxy's")
  void trustedProxy() {
    try (TestServer proxied = TestServer.start(java.util.Map.of("RELAIS_TRUSTED_PROXIES", "127.0.0.1"))) {
      int limited = 0;
      for (int i = 0; i < 61; i++) {
        var r = TestServer.await(proxied.http.post("/api/auth/login").putHeader("X-Forwarded-For", "198.51.100.1")
            .sendJsonObject(new io.vertx.core.json.JsonObject().put("email", "nobody" + i + "@test.example").put("password", "wrong-password")));
        if (r.statusCode() == 429) {
          limited++;
        }
      }
      assertThat(limited).as("the 61st attempt from one client address is limited").isEqualTo(1);
      var other = TestServer.await(proxied.http.post("/api/auth/login").putHeader("X-Forwarded-For", "198.51.100.2")
          .sendJsonObject(new io.vertx.core.json.JsonObject().put("email", "nobody@test.example").put("password", "wrong-password")));
      assertThat(other.statusCode()).as("another client behind the same proxy is not").isEqualTo(401);
      var forged = TestServer.await(proxied.http.post("/api/auth/login").putHeader("X-Forwarded-For", "198.51.100.3, 198.51.100.1")
          .sendJsonObject(new io.vertx.core.json.JsonObject().put("email", "nobody@test.example").put("password", "wrong-password")));
      assertThat(forged.statusCode()).as("a forged left-most hop does not escape the budget").isEqualTo(429);
    }
  }
}
