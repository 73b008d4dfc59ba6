package org.relais.tests.server;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.relais.redis.ManagedRedis;
import org.relais.server.RelaisConfig;
import org.relais.server.RelaisServer;
import org.relais.tests.redis.TestRedis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A whole Relais for a test: a real redis-server, the real server on a free loopback port, and a client-side
 * Vert.x for HTTP and WebSocket clients. Helpers speak the public protocol only.
 */
public final class TestServer implements AutoCloseable {
  public static final String ADMIN_EMAIL = "admin@test.example";
  public static final String ADMIN_PASSWORD = "admin-password-1";
  public static final String PASSWORD = "focal-point-pass";
  private static final AtomicInteger SEQ = new AtomicInteger();

  public final ManagedRedis redis;
  private final boolean ownsRedis;
  public RelaisServer server;
  public final int port;
  public final Vertx clients;
  public final WebClient http;
  private final Map<String, String> env;

  private TestServer(ManagedRedis redis, boolean ownsRedis, Map<String, String> overrides) {
    this(redis, redis.url(), ownsRedis, overrides);
  }

  private TestServer(ManagedRedis redis, String redisUrl, boolean ownsRedis, Map<String, String> overrides) {
    this.redis = redis;
    this.ownsRedis = ownsRedis;
    this.port = freePort();
    this.env = new HashMap<>();
    env.put("RELAIS_PORT", String.valueOf(port));
    env.put("RELAIS_HOST", "127.0.0.1");
    env.put("RELAIS_REDIS_URL", redisUrl);
    env.put("RELAIS_ADMIN_EMAIL", ADMIN_EMAIL);
    env.put("RELAIS_ADMIN_PASSWORD", ADMIN_PASSWORD);
    env.put("RELAIS_EVENT_LOOPS", "2");
    // Tests send hundreds of requests in a burst; the per-socket limit has its own test (RateLimitTest).
    env.put("RELAIS_WS_RATE_BURST", "100000");
    env.put("RELAIS_WS_RATE_PER_SECOND", "100000");
    // Likewise the budgets kept in Redis: checked on every call, never reached (SharedRateLimitTest tests them).
    for (String budget : List.of("SEND_PER_USER", "SEND_PER_IP", "REACT_PER_USER", "REACT_PER_IP", "EXPENSIVE_PER_USER",
        "EXPENSIVE_PER_IP", "HTTP_PER_USER", "HTTP_PER_IP", "AUTH_PER_IP")) {
      env.put("RELAIS_RATE_" + budget, "1000000");
    }
    env.putAll(overrides);
    this.clients = Vertx.vertx();
    this.http = WebClient.create(clients, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  public static TestServer start() {
    return start(Map.of());
  }

  public static TestServer start(Map<String, String> overrides) {
    TestServer t = new TestServer(TestRedis.start(), true, overrides);
    t.startServer();
    return t;
  }

  /** A server on a Redis the test owns (for restarts). */
  public static TestServer startOn(ManagedRedis redis, Map<String, String> overrides) {
    TestServer t = new TestServer(redis, false, overrides);
    t.startServer();
    return t;
  }

  /**
   * A server on a Redis the test runs itself, reached by {@code redisUrl} (with {@code RELAIS_REDIS_MODE} in
   * {@code overrides} for a cluster); {@link #redis} is then null.
   */
  public static TestServer startOnUrl(String redisUrl, Map<String, String> overrides) {
    TestServer t = new TestServer(null, redisUrl, false, overrides);
    t.startServer();
    return t;
  }

  /**
   * A server not started yet, on a Redis given by URL only (which may not be running yet): for start-up faults.
   * Start it with {@link #startAsync()}.
   */
  public static TestServer forUrl(String redisUrl, Map<String, String> overrides) {
    return new TestServer(null, redisUrl, false, overrides);
  }

  /** Starts the server without waiting for it (it waits for Redis itself). */
  public io.vertx.core.Future<RelaisServer> startAsync() {
    return RelaisServer.start(config(), env.get("RELAIS_REDIS_URL")).onSuccess(s -> server = s);
  }

  public RelaisConfig config() {
    return RelaisConfig.load(List.of(), env);
  }

  public void startServer() {
    server = await(RelaisServer.start(config(), env.get("RELAIS_REDIS_URL")));
    learnServerSecrets();
  }

  /** Teaches the secret scanner the server's own secrets, as stored in Redis: no payload may ever contain them. */
  private void learnServerSecrets() {
    String url = env.get("RELAIS_REDIS_URL");
    java.util.regex.Matcher password = java.util.regex.Pattern.compile("//[^:@/]*:([^@/]+)@").matcher(url);
    if (password.find()) {
      SecretScanner.learn(password.group(1));
    }
    RelaisConfig c = config();
    var settings = new org.relais.redis.RedisSettings(c.redisMode(), List.of(url.split(",")), c.redisMasterName(),
        c.redisTimeoutMs(), 2, 0, 1_000, false);
    try (RedisDigest redisView = new RedisDigest(settings)) {
      String vapid = redisView.get("relais:ntf:vapid");
      if (vapid != null) {
        SecretScanner.learn(new JsonObject(vapid).getString("private"));
      }
      for (String entry : redisView.hashValues("relais:{idn}:jwt:keys")) {
        JsonObject jwk = new JsonObject(entry).getJsonObject("jwk", new JsonObject());
        SecretScanner.learn(jwk.getString("d"));
        SecretScanner.learn(jwk.getString("k"));
      }
    }
  }

  public void stopServer() {
    await(server.stop());
  }

  public static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.await(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("timed out", e);
    }
  }

  /** A POST with a JSON body (raw text, so tests can send anything) and an optional bearer token. */
  public HttpResponse<Buffer> post(String path, String body, String token) {
    var request = http.request(HttpMethod.POST, path);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    request.putHeader("Content-Type", "application/json");
    SecretScanner.learnFromRequest(body);
    HttpResponse<Buffer> response = await(body == null ? request.send() : request.sendBuffer(Buffer.buffer(body)));
    scan(path, response);
    return response;
  }

  public HttpResponse<Buffer> get(String path) {
    HttpResponse<Buffer> response = await(http.get(path).send());
    scan(path, response);
    return response;
  }

  /** Every HTTP body a test receives through these helpers goes through the secret scanner. */
  private static void scan(String path, HttpResponse<Buffer> response) {
    String source = path.startsWith("/api/ops/") ? "op:" + path.substring("/api/ops/".length()) : "http:" + path;
    SecretScanner.check(source, response.bodyAsString());
  }

  /** {@code POST /api/ops/{op}}: the whole response body. */
  /**
   * The sum of the samples of one metric at {@code GET /metrics}: {@code name} with any labels, or, when {@code name}
   * holds a '{', the samples whose labels start so (e.g. {@code relais_x_count{command="get"}).
   */
  public double metric(String name) {
    double sum = 0;
    for (String line : get("/metrics").bodyAsString().split("\n")) {
      if (name.contains("{") ? line.startsWith(name) : line.startsWith(name + " ") || line.startsWith(name + "{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  public JsonObject op(String token, String op, JsonObject data) {
    return post("/api/ops/" + op, data.encode(), token).bodyAsJsonObject();
  }

  /** {@code POST /api/ops/{op}} that must succeed: its data. */
  public JsonObject okOp(String token, String op, JsonObject data) {
    JsonObject reply = op(token, op, data);
    if (!reply.getBoolean("ok", false)) {
      throw new AssertionError(op + " failed: " + reply.encode());
    }
    return reply.getJsonObject("data");
  }

  public JsonObject login(String email, String password) {
    HttpResponse<Buffer> r = post("/api/auth/login", new JsonObject().put("email", email).put("password", password).encode(), null);
    if (r.statusCode() != 200) {
      throw new AssertionError("login failed: " + r.statusCode() + " " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  public String adminToken() {
    return login(ADMIN_EMAIL, ADMIN_PASSWORD).getString("accessToken");
  }

  public String createOrg(String adminToken, String name, String country) {
    return okOp(adminToken, "org.create", new JsonObject().put("name", name)
        .put("shortName", name.length() > 24 ? name.substring(0, 24).strip() : name)
        .put("country", country).put("kind", "civil-society")).getJsonObject("org").getString("id");
  }

  /** Invites a person and accepts the invitation: the login reply of the new user. */
  public JsonObject createUser(String inviterToken, String orgId, String displayName, String... roles) {
    String email = "user" + SEQ.incrementAndGet() + "-" + System.nanoTime() + "@test.example";
    JsonObject invite = okOp(inviterToken, "user.invite", new JsonObject().put("email", email)
        .put("displayName", displayName).put("orgId", orgId).put("roles", new JsonArray(List.of((Object[]) roles))));
    HttpResponse<Buffer> r = post("/api/auth/accept-invite", new JsonObject()
        .put("token", invite.getString("inviteToken")).put("password", PASSWORD).encode(), null);
    if (r.statusCode() != 200) {
      throw new AssertionError("accept-invite failed: " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  public WsClient ws() {
    return WsClient.connect(clients, port, null);
  }

  public WsClient ws(String origin) {
    return WsClient.connect(clients, port, origin);
  }

  /** A socket that has said hello with {@code token}. */
  public WsClient wsHello(String token) {
    WsClient c = ws();
    JsonObject reply = c.call("hello", new JsonObject().put("token", token));
    if (!reply.getBoolean("ok", false)) {
      throw new AssertionError("hello failed: " + reply.encode());
    }
    return c;
  }

  @Override
  public void close() {
    try {
      if (server != null) {
        await(server.stop());
      }
    } catch (RuntimeException | AssertionError e) {
      // already stopped
    }
    await(clients.close());
    if (ownsRedis) {
      redis.stop();
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
