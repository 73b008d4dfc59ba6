package org.relais.tests.server;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's promise, end to end: the packaged jar, started with no configuration but a port, starts its own
 * redis-server with data on disk, prints the admin's password once, stops cleanly on SIGTERM (Redis too), and
 * starts again with everything kept.
 */
class ZeroConfigIT {
  private Vertx vertx;
  private WebClient http;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    http = WebClient.create(vertx);
  }

  @AfterEach
  void tearDown() {
    TestServer.await(vertx.close());
  }

  private Process start(Path cwd, int port, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", System.getProperty("relais.jar")));
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("RELAIS_"));
    pb.environment().put("RELAIS_PORT", String.valueOf(port));
    return pb.start();
  }

  private static String awaitLog(Path log, Pattern pattern, Process process) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      Matcher m = pattern.matcher(text);
      if (m.find()) {
        return m.groupCount() > 0 ? m.group(1) : m.group();
      }
      if (!process.isAlive()) {
        throw new AssertionError("relais exited with " + process.exitValue() + ":\n" + text);
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not in the log within 60 s: " + pattern + "\n" + Files.readString(log));
  }

  private HttpResponse<Buffer> post(int port, String path, JsonObject body, String token) {
    var request = http.post(port, "127.0.0.1", path);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return TestServer.await(request.sendJsonObject(body));
  }

  @Test
  @DisplayName("java -jar relais.jar with zero configuration: own Redis with data on disk, clean stop, data kept on restart")
  void zeroConfig(@TempDir Path cwd) throws Exception {
    int port = TestServer.freePort();
    Path log = cwd.resolve("relais.log");
    Process first = start(cwd, port, log);
    String password;
    String orgId;
    long redisPid;
    try {
      String redisLine = awaitLog(log, Pattern.compile("Redis: (.+)"), first);
      assertThat(redisLine).contains("redis-server").contains(cwd.resolve("data").toString()).contains("append-only").contains("fsync always");
      password = awaitLog(log, Pattern.compile("password: (\\S+)"), first);
      awaitLog(log, Pattern.compile("Relais listening"), first);
      redisPid = Long.parseLong(Files.readString(cwd.resolve("data/redis.pid")).trim());

      HttpResponse<Buffer> login = post(port, "/api/auth/login",
          new JsonObject().put("email", "admin@relais.local").put("password", password), null);
      assertThat(login.statusCode()).as(login.bodyAsString()).isEqualTo(200);
      String token = login.bodyAsJsonObject().getString("accessToken");
      JsonObject created = post(port, "/api/ops/org.create", new JsonObject().put("name", "WANEP-Mali")
          .put("shortName", "WANEP-Mali").put("country", "ML").put("kind", "civil-society"), token).bodyAsJsonObject();
      orgId = created.getJsonObject("data").getJsonObject("org").getString("id");
    } finally {
      first.destroy();
    }
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    Optional<ProcessHandle> redis = ProcessHandle.of(redisPid);
    assertThat(redis.map(ProcessHandle::isAlive).orElse(false)).as("its redis-server stopped too").isFalse();
    assertThat(Files.readString(log)).contains("Redis stopped; data kept");

    Process second = start(cwd, port, log);
    try {
      awaitLog(log, Pattern.compile("(?s)Redis stopped.*Relais listening"), second);
      HttpResponse<Buffer> login = post(port, "/api/auth/login",
          new JsonObject().put("email", "admin@relais.local").put("password", password), null);
      assertThat(login.statusCode()).as("the admin created on the first start can sign in").isEqualTo(200);
      JsonObject org = post(port, "/api/ops/org.get", new JsonObject().put("orgId", orgId),
          login.bodyAsJsonObject().getString("accessToken")).bodyAsJsonObject();
      assertThat(org.getJsonObject("data").getJsonObject("org").getString("name")).isEqualTo("WANEP-Mali");
      assertThat(Files.readString(log).split("password: ", -1)).as("the password is printed once only").hasSize(2);
    } finally {
      second.destroy();
      second.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
