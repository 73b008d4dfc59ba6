package org.relais.tests.server;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The security headers on every kind of HTTP answer, and HSTS only when the browser is known to use TLS: here, a
 * trusted proxy (127.0.0.1) saying {@code X-Forwarded-Proto: https}. The TLS server itself is in {@link TlsTest}.
 */
class SecurityHeadersTest {
  private static TestServer t;
  /** A client on another loopback address, which is not a trusted proxy. */
  private static WebClient untrusted;

  @BeforeAll
  static void start() {
    t = TestServer.start(Map.of("RELAIS_TRUSTED_PROXIES", "127.0.0.1"));
    untrusted = WebClient.create(t.clients, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(t.port)
        .setLocalAddress("127.0.0.2"));
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  private static HttpResponse<Buffer> request(WebClient client, HttpMethod method, String path, String proto) {
    var request = client.request(method, path);
    if (proto != null) {
      request.putHeader("X-Forwarded-Proto", proto);
    }
    return TestServer.await(method == HttpMethod.POST
        ? request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{}")) : request.send());
  }

  @Test
  @DisplayName("the page, the API, errors, health and a missing calendar feed all carry CSP (frame-ancestors), "
      + "nosniff, X-Frame-Options, Referrer-Policy and Permissions-Policy")
  void everyAnswerCarriesTheHeaders() {
    Map<String, HttpMethod> paths = Map.of("/", HttpMethod.GET, "/health/live", HttpMethod.GET,
        "/api/ops/user.me", HttpMethod.POST, "/api/nothing", HttpMethod.GET, "/ical/nope.ics", HttpMethod.GET,
        "/no-such-page", HttpMethod.GET, "/api/auth/login", HttpMethod.POST);
    paths.forEach((path, method) -> {
      HttpResponse<Buffer> r = request(t.http, method, path, null);
      String csp = r.getHeader("Content-Security-Policy");
      assertThat(csp).as(path).contains("default-src 'self'").contains("frame-ancestors 'none'")
          .contains("object-src 'none'").contains("base-uri 'none'").doesNotContain("unsafe-inline")
          .doesNotContain("unsafe-eval");
      assertThat(r.getHeader("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
      assertThat(r.getHeader("X-Frame-Options")).as(path).isEqualTo("DENY");
      assertThat(r.getHeader("Referrer-Policy")).as(path).isEqualTo("no-referrer");
      assertThat(r.getHeader("Permissions-Policy")).as(path).contains("camera=()");
      assertThat(r.getHeader("Strict-Transport-Security")).as(path + ": plain HTTP").isNull();
    });
  }

  @Test
  @DisplayName("HSTS is sent when a trusted proxy says the browser came over https, and not when anyone else says so")
  void hstsBehindATrustedProxy() {
    for (String path : List.of("/", "/health/live")) {
      assertThat(request(t.http, HttpMethod.GET, path, "https").getHeader("Strict-Transport-Security"))
          .as(path).isEqualTo("max-age=31536000; includeSubDomains");
      assertThat(request(t.http, HttpMethod.GET, path, "http").getHeader("Strict-Transport-Security")).isNull();
      HttpResponse<Buffer> forged = request(untrusted, HttpMethod.GET, path, "https");
      assertThat(forged.statusCode()).isEqualTo(200);
      assertThat(forged.getHeader("Strict-Transport-Security")).as("from an untrusted peer").isNull();
    }
  }
}
