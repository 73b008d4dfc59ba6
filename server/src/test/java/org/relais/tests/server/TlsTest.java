package org.relais.tests.server;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Native TLS: a self-signed certificate made by the JDK's keytool in the test, written as PEM, given to the server
 * with tlsCertFile/tlsKeyFile; real HTTPS and WSS clients that trust only that certificate.
 */
class TlsTest {
  @TempDir
  static Path dir;
  private static TestServer t;
  private static Path cert;
  private static WebClient https;

  @BeforeAll
  static void start() throws Exception {
    cert = dir.resolve("relais.crt");
    Path key = dir.resolve("relais.key");
    selfSigned(dir.resolve("relais.p12"), cert, key);
    t = TestServer.start(Map.of("RELAIS_TLS_CERT_FILE", cert.toString(), "RELAIS_TLS_KEY_FILE", key.toString()));
    https = WebClient.create(t.clients, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(t.port)
        .setSsl(true).setTrustOptions(new PemTrustOptions().addCertPath(cert.toString())));
  }

  @AfterAll
  static void stop() {
    if (t != null) {
      t.close();
    }
  }

  /** keytool makes an RSA key and a certificate for 127.0.0.1 and localhost; both are written out as PEM. */
  static void selfSigned(Path p12, Path certPem, Path keyPem) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "relais", "-keyalg", "RSA", "-keysize", "2048",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      store.load(in, "changeit".toCharArray());
    }
    Key key = store.getKey("relais", "changeit".toCharArray());
    Files.writeString(certPem, pem("CERTIFICATE", store.getCertificate("relais").getEncoded()));
    Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  @Test
  @DisplayName("HTTPS answers with the configured certificate, sends HSTS and the other security headers, and signs in")
  void https() {
    HttpResponse<Buffer> health = TestServer.await(https.get("/health/ready").send());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.getHeader("Strict-Transport-Security")).isEqualTo("max-age=31536000; includeSubDomains");
    assertThat(health.getHeader("Content-Security-Policy")).contains("frame-ancestors 'none'");
    assertThat(health.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");

    HttpResponse<Buffer> login = TestServer.await(https.post("/api/auth/login").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(new JsonObject().put("email", TestServer.ADMIN_EMAIL)
            .put("password", TestServer.ADMIN_PASSWORD).encode())));
    assertThat(login.statusCode()).isEqualTo(200);
    String token = login.bodyAsJsonObject().getString("accessToken");
    HttpResponse<Buffer> me = TestServer.await(https.post("/api/ops/user.me").putHeader("Authorization", "Bearer " + token)
        .send());
    assertThat(me.bodyAsJsonObject().getJsonObject("data").getJsonObject("user").getString("email"))
        .isEqualTo(TestServer.ADMIN_EMAIL);
  }

  @Test
  @DisplayName("WSS on the same port: hello and an op over TLS")
  void wss() throws Exception {
    String token = TestServer.await(https.post("/api/auth/login").putHeader("Content-Type", "application/json")
            .sendBuffer(Buffer.buffer(new JsonObject().put("email", TestServer.ADMIN_EMAIL)
                .put("password", TestServer.ADMIN_PASSWORD).encode())))
        .bodyAsJsonObject().getString("accessToken");
    WebSocket ws = TestServer.await(t.clients.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
            .setTrustOptions(new PemTrustOptions().addCertPath(cert.toString())))
        .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(t.port).setURI("/ws").setSsl(true)));
    CompletableFuture<JsonObject> hello = new CompletableFuture<>();
    CompletableFuture<JsonObject> me = new CompletableFuture<>();
    ws.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      if ("1".equals(frame.getString("re"))) {
        hello.complete(frame);
      } else if ("2".equals(frame.getString("re"))) {
        me.complete(frame);
      }
    });
    ws.writeTextMessage(new JsonObject().put("id", "1").put("op", "hello").put("data", new JsonObject().put("token", token)).encode());
    assertThat(hello.get(10, TimeUnit.SECONDS).getBoolean("ok")).isTrue();
    ws.writeTextMessage(new JsonObject().put("id", "2").put("op", "user.me").encode());
    JsonObject reply = me.get(10, TimeUnit.SECONDS);
    assertThat(reply.getBoolean("ok")).as(reply.encode()).isTrue();
    assertThat(ws.isSsl()).isTrue();
    TestServer.await(ws.close());
  }

  @Test
  @DisplayName("a client that does not trust the certificate is refused the handshake, and plain HTTP gets no answer")
  void untrustedAndPlain() {
    WebClient stranger = WebClient.create(t.clients, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(t.port).setSsl(true));
    assertThatThrownBy(() -> TestServer.await(stranger.get("/health/live").send())).as("an untrusted certificate")
        .isInstanceOf(Exception.class);
    assertThatThrownBy(() -> TestServer.await(t.http.get("/health/live").send())).as("plain HTTP on the TLS port")
        .isInstanceOf(Exception.class);
  }
}
