package org.relais.tests.server.security;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.relais.tests.server.RawWs;
import org.relais.tests.server.RedisDigest;
import org.relais.tests.server.SecretScanner;
import org.relais.tests.server.TestServer;
import org.relais.tests.server.TokenForge;
import org.relais.tests.server.WsClient;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hostile-input corpus: {@code src/test/resources/hostile/corpus.jsonl} (one case per line, see
 * docs/SECURITY-TESTS.md) and, below, the cases that need code (forged tokens, broken WebSocket frames, a deflate
 * bomb). Each case gets its exact error, leaves the connection usable where the protocol keeps it open (a ping
 * answers), the server alive, and Redis exactly as it was.
 */
class HostileInputTest {
  private static final String SENTINEL = "TOP-SECRET-SENTINEL-7f3a";
  private static final Pattern PLACEHOLDER = Pattern.compile("⟪(\\d+)×([^⟪⟫]*)⟫|⟪([A-Za-z]+)⟫");

  private static TestServer t;
  private static RedisDigest redis;
  private static Path root;
  private static final Map<String, String> values = new HashMap<>();
  private static Map<String, String> lastDigest;
  private static String callerId;
  private static String callerSession;

  @BeforeAll
  static void start() throws IOException {
    // A webroot with a secret next to it (and a hidden file in it) for the traversal cases.
    root = Files.createTempDirectory("relais-hostile");
    Path web = Files.createDirectories(root.resolve("web"));
    Files.createDirectories(web.resolve("assets"));
    Files.writeString(web.resolve("index.html"), "<!doctype html><title>Relais</title>");
    Files.writeString(web.resolve(".env"), SENTINEL);
    Files.writeString(root.resolve("secret.txt"), SENTINEL);
    t = TestServer.start(Map.of("RELAIS_WEBROOT", web.toString()));
    redis = new RedisDigest(t.redis.url());
    String admin = t.adminToken();
    String orgA = t.createOrg(admin, "WANEP-Mali", "ML");
    String orgB = t.createOrg(admin, "UN Women", "US");
    JsonObject caller = t.createUser(admin, orgA, "Moussa Keïta");
    JsonObject other = t.createUser(admin, orgB, "Sarah Johnson");
    String token = caller.getString("accessToken");
    callerId = caller.getJsonObject("user").getString("id");
    callerSession = claimsOf(token).getString("sid");
    String channelId = t.okOp(token, "channel.create", new JsonObject().put("name", "Médiation").put("kind", "regional")
        .put("visibility", "private")).getJsonObject("channel").getString("id");
    values.put("token", token);
    values.put("userId", callerId);
    values.put("otherUserId", other.getJsonObject("user").getString("id"));
    values.put("orgId", orgA);
    values.put("otherOrgId", orgB);
    values.put("channelId", channelId);
    values.put("missingId", "01M8128B0ZK9NFK9FBCMGEQ4EV");
    values.put("messageId", t.okOp(token, "message.send", new JsonObject().put("channelId", channelId).put("text", "Bonjour")
        .put("clientMsgId", "h1")).getJsonObject("message").getString("id"));
    values.put("eventId", t.okOp(token, "event.create", new JsonObject().put("title", "Atelier").put("start", "2027-03-02T09:00"))
        .getJsonObject("event").getString("id"));
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
    t.close();
  }

  /** Expands {@code ⟪N×text⟫} (text N times, {@code §} numbering each copy) and {@code ⟪name⟫} (a fixture value). */
  static String expand(String template) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group(1) != null) {
        int n = Integer.parseInt(m.group(1));
        StringBuilder repeated = new StringBuilder();
        for (int i = 0; i < n; i++) {
          repeated.append(m.group(2).replace("§", String.valueOf(i)));
        }
        replacement = repeated.toString();
      } else {
        replacement = values.get(m.group(3));
        if (replacement == null) {
          throw new IllegalArgumentException("no value for ⟪" + m.group(3) + "⟫");
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  static Stream<Arguments> corpus() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    try (InputStream in = HostileInputTest.class.getResourceAsStream("/hostile/corpus.jsonl")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      for (String line : text.split("\n")) {
        if (!line.isBlank()) {
          JsonObject c = new JsonObject(line);
          cases.add(Arguments.of(Named.of(c.getString("via") + ": " + c.getString("name"), c)));
        }
      }
    }
    return cases.stream();
  }

  @Test
  @DisplayName("the corpus has at least 60 cases, each named once")
  void corpusSize() throws IOException {
    List<String> names = corpus().map(a -> ((Named<?>) a.get()[0]).getName()).toList();
    assertThat(names).hasSizeGreaterThanOrEqualTo(60).doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("an absolute webroot is served (the server used to refuse to start with one)")
  void absoluteWebroot() {
    var r = t.get("/index.html");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsString()).contains("<title>Relais</title>");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void hostileInput(JsonObject c) throws IOException {
    Map<String, String> before = before();
    switch (c.getString("via")) {
      case "ws" -> overWebSocket(c);
      case "http" -> overHttp(c);
      case "raw-http" -> rawHttp(c);
      default -> throw new IllegalArgumentException(c.encode());
    }
    assertAliveAndUnchanged(before);
  }

  private static void overWebSocket(JsonObject c) {
    try (WsClient ws = t.wsHello(values.get("token"))) {
      JsonObject reply = ws.sendRaw(expand(c.getString("frame")));
      assertThat(reply.getBoolean("ok")).as(reply.encode()).isFalse();
      assertThat(reply.getJsonObject("error").getString("code")).as(reply.encode()).isEqualTo(c.getString("expect"));
      assertUsable(ws);
    }
  }

  private static void overHttp(JsonObject c) {
    var request = t.http.request(HttpMethod.valueOf(c.getString("method")), c.getString("path"))
        .putHeader("Content-Type", "application/json");
    String auth = c.getString("auth");
    if (auth.equals("caller")) {
      request.putHeader("Authorization", "Bearer " + values.get("token"));
    } else if (!auth.equals("none")) {
      request.putHeader("Authorization", expand(auth));
    }
    String body = c.getString("body");
    HttpResponse<Buffer> r = TestServer.await(body == null ? request.send() : request.sendBuffer(Buffer.buffer(expand(body))));
    SecretScanner.check("http:" + c.getString("path"), r.bodyAsString());
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(c.getInteger("status"));
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo(c.getString("expect"));
  }

  /** A request line sent as is over a socket, so that no client normalises the path first. */
  private static void rawHttp(JsonObject c) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), t.port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + c.getString("target") + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      SecretScanner.check("http:" + c.getString("target"), response.substring(Math.max(0, response.indexOf("\r\n\r\n"))));
      assertThat(response).doesNotContain(SENTINEL);
      assertThat(response).as(response).startsWith("HTTP/1.1 " + c.getInteger("status") + " ");
    }
  }

  private static void assertUsable(WsClient ws) {
    JsonObject pong = ws.call("ping", null);
    assertThat(pong.getBoolean("ok")).as("socket still usable: %s", pong).isTrue();
  }

  /** The digest before a case: the one taken after the previous case, or a fresh one once Redis is quiet. */
  private static Map<String, String> before() {
    Map<String, String> previous = lastDigest;
    lastDigest = null;
    return previous != null ? previous : redis.settled(20, 300);
  }

  private static void assertAliveAndUnchanged(Map<String, String> before) {
    assertThat(t.get("/health/live").statusCode()).as("server alive").isEqualTo(200);
    Map<String, String> after = redis.settled(10, 40);
    assertThat(RedisDigest.diff(before, after)).as("Redis changed").isEmpty();
    lastDigest = after;
  }

  // ------------------------------------------------------------------ tokens

  static JsonObject claimsOf(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  private static JsonObject validClaims() {
    return TokenForge.claims(callerId, callerSession, 600);
  }

  static Stream<Arguments> badTokens() {
    TokenForge forge = new TokenForge(t);
    String real = values.get("token");
    String[] parts = real.split("\\.");
    List<Arguments> cases = new ArrayList<>();
    cases.add(token("signed with another key", forge.signWithOtherKey(validClaims())));
    cases.add(token("expired an hour ago", forge.signWithServerKey(TokenForge.claims(callerId, callerSession, -3600))));
    cases.add(token("alg none", TokenForge.unsigned(validClaims())));
    cases.add(token("alg none without the dot", TokenForge.unsigned(validClaims()).replaceAll("\\.$", "")));
    cases.add(token("a key id the server does not have", forge.signWithUnknownKid(validClaims())));
    cases.add(token("HS256 keyed with the public JWK", forge.hs256WithPublicKey(validClaims(), "jwk")));
    cases.add(token("HS256 keyed with the public key's PEM", forge.hs256WithPublicKey(validClaims(), "pem")));
    cases.add(token("HS256 keyed with the raw coordinates", forge.hs256WithPublicKey(validClaims(), "xy")));
    cases.add(token("a refresh-type token", forge.signWithServerKey(validClaims().put("tt", "refresh"))));
    cases.add(token("another audience", forge.signWithServerKey(validClaims().put("aud", "someone-else"))));
    cases.add(token("another issuer", forge.signWithServerKey(validClaims().put("iss", "evil"))));
    cases.add(token("no subject", forge.signWithServerKey(validClaims().put("sub", (String) null))));
    cases.add(token("a user that does not exist", forge.signWithServerKey(TokenForge.claims("01M8128B0ZK9NFK9FBCMGEQ4EV", callerSession, 600))));
    cases.add(token("a session that does not exist", forge.signWithServerKey(TokenForge.claims(callerId, "no-such-session", 600))));
    cases.add(token("issued in the future", forge.signWithServerKey(validClaims().put("iat", System.currentTimeMillis() / 1000 + 3600)
        .put("nbf", System.currentTimeMillis() / 1000 + 3600))));
    cases.add(token("payload swapped under a valid signature", parts[0] + "."
        + Base64.getUrlEncoder().withoutPadding().encodeToString(validClaims().put("sub", values.get("otherUserId")).encode()
        .getBytes(StandardCharsets.UTF_8)) + "." + parts[2]));
    cases.add(token("signature stripped", parts[0] + "." + parts[1] + "."));
    cases.add(token("not base64", "eyJ!!!.eyJ???.***"));
    return cases.stream();
  }

  private static Arguments token(String name, String token) {
    return Arguments.of(Named.of(name, token));
  }

  @ParameterizedTest(name = "token: {0}")
  @MethodSource("badTokens")
  @DisplayName("a bad token is refused over HTTP (401) and at hello (unauthenticated, then close 4001)")
  void badToken(String token) {
    Map<String, String> before = before();
    HttpResponse<Buffer> r = TestServer.await(t.http.post("/api/ops/user.me").putHeader("Authorization", "Bearer " + token)
        .sendBuffer(Buffer.buffer("{}")));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(401);
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unauthenticated");
    try (WsClient ws = t.ws()) {
      JsonObject reply = ws.call("hello", new JsonObject().put("token", token));
      assertThat(reply.getJsonObject("error").getString("code")).as(reply.encode()).isEqualTo("unauthenticated");
      assertThat(ws.awaitClose(5_000)).isEqualTo((short) 4001);
    }
    try (WsClient ws = t.wsHello(values.get("token"))) {
      assertUsable(ws);
    }
    assertAliveAndUnchanged(before);
  }

  // ------------------------------------------------------------------ transport

  /** A hello on a hand-written socket. */
  private static RawWs rawHello() throws IOException {
    RawWs raw = RawWs.connect(t.port);
    raw.sendText(new JsonObject().put("id", "h").put("op", "hello").put("data", new JsonObject().put("token", values.get("token"))).encode());
    assertThat(raw.read().text()).contains("\"ok\":true");
    return raw;
  }

  interface RawCase {
    void run(RawWs raw) throws IOException;
  }

  static Stream<Arguments> transportCases() {
    List<Arguments> cases = new ArrayList<>();
    cases.add(raw("a frame past the hard limit closes with 1009", raw -> {
      raw.sendText("{\"id\":\"big\",\"op\":\"ping\",\"data\":{\"x\":\"" + "y".repeat(70_000) + "\"}}");
      assertThat(raw.readUntilClosed()).isEqualTo(1009);
    }));
    cases.add(raw("fragments adding up past the hard limit close with 1009", raw -> {
      byte[] chunk = "x".repeat(20_000).getBytes(StandardCharsets.US_ASCII);
      raw.sendFrame(RawWs.OP_TEXT, chunk, false, false);
      for (int i = 0; i < 4; i++) {
        raw.sendFrame(0, chunk, i == 3, false);
      }
      assertThat(raw.readUntilClosed()).isEqualTo(1009);
    }));
    cases.add(raw("invalid UTF-8 in a text frame closes with 1007", raw -> {
      raw.sendFrame(RawWs.OP_TEXT, new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}, true, false);
      assertThat(raw.readUntilClosed()).isEqualTo(1007);
    }));
    cases.add(raw("an overlong UTF-8 NUL in a text frame closes with 1007", raw -> {
      raw.sendFrame(RawWs.OP_TEXT, new byte[] {'"', (byte) 0xC0, (byte) 0x80, '"'}, true, false);
      assertThat(raw.readUntilClosed()).isEqualTo(1007);
    }));
    cases.add(raw("a UTF-8 encoded surrogate in a text frame closes with 1007", raw -> {
      raw.sendFrame(RawWs.OP_TEXT, new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, true, false);
      assertThat(raw.readUntilClosed()).isEqualTo(1007);
    }));
    cases.add(raw("a compressed frame inflating to 64 MiB (not negotiated) closes the socket", raw -> {
      raw.sendFrame(RawWs.OP_TEXT, RawWs.deflateBomb(), true, true);
      assertThat(raw.readUntilClosed()).isIn(1002, -1);
    }));
    cases.add(raw("a continuation frame with nothing to continue closes with 1002", raw -> {
      raw.sendFrame(0, "x".getBytes(StandardCharsets.US_ASCII), true, false);
      assertThat(raw.readUntilClosed()).isIn(1002, -1);
    }));
    cases.add(raw("a reserved opcode closes with 1002", raw -> {
      raw.sendFrame(3, "x".getBytes(StandardCharsets.US_ASCII), true, false);
      assertThat(raw.readUntilClosed()).isIn(1002, -1);
    }));
    cases.add(raw("a ping of 200 bytes (control frames stop at 125) closes with 1002", raw -> {
      raw.sendFrame(RawWs.OP_PING, new byte[200], true, false);
      assertThat(raw.readUntilClosed()).isIn(1002, -1);
    }));
    cases.add(raw("a fragmented ping closes with 1002", raw -> {
      raw.sendFrame(RawWs.OP_PING, new byte[4], false, false);
      assertThat(raw.readUntilClosed()).isIn(1002, -1);
    }));
    return cases.stream();
  }

  private static Arguments raw(String name, RawCase body) {
    return Arguments.of(Named.of(name, body));
  }

  @ParameterizedTest(name = "transport: {0}")
  @MethodSource("transportCases")
  @DisplayName("broken WebSocket frames close that socket with the right code; the server and Redis are unharmed")
  void transport(RawCase body) throws IOException {
    Map<String, String> before = before();
    try (RawWs raw = rawHello()) {
      body.run(raw);
    }
    try (WsClient again = t.wsHello(values.get("token"))) {
      assertUsable(again);
    }
    assertAliveAndUnchanged(before);
  }

  @Test
  @DisplayName("transport: a binary frame and a request past the soft limit get their errors and the socket stays usable")
  void softErrorsKeepTheSocket() {
    Map<String, String> before = before();
    try (WsClient ws = t.wsHello(values.get("token"))) {
      ws.writeBinary(new byte[] {0, 1, 2});
      assertThat(ws.nextReply().getJsonObject("error").getString("code")).isEqualTo("bad_request");
      assertUsable(ws);
      JsonObject big = ws.sendRaw("{\"id\":\"big\",\"op\":\"user.search\",\"data\":{\"query\":\"" + "x".repeat(40_000) + "\"}}");
      assertThat(big.getJsonObject("error").getString("code")).isEqualTo("too_large");
      assertThat(big.getString("re")).isEqualTo("big");
      assertUsable(ws);
      try (WsClient fresh = t.ws()) {
        JsonObject early = fresh.call("user.me", new JsonObject());
        assertThat(early.getJsonObject("error").getString("code")).as("an op before hello").isEqualTo("unauthenticated");
        assertThat(fresh.call("hello", new JsonObject().put("token", values.get("token"))).getBoolean("ok")).isTrue();
        assertUsable(fresh);
      }
    }
    assertAliveAndUnchanged(before);
  }

  // ------------------------------------------------------------------ what reaches the ICS feed

  @Test
  @DisplayName("line breaks in an event's description, and in an imported event's fields, cannot add lines to the ICS feed")
  void icsFeedInjection() {
    String token = values.get("token");
    String injected = "Ordre du jour\nEND:VEVENT\nBEGIN:VEVENT\nUID:injected\nSUMMARY:Injected";
    t.okOp(token, "event.create", new JsonObject().put("title", "Atelier, Mopti; salle \"B\"").put("start", "2027-04-02T09:00")
        .put("description", injected));
    t.okOp(token, "event.import", new JsonObject().put("ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\n"
        + "UID:import-1@test.example\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270405T090000Z\r\nDTEND:20270405T100000Z\r\n"
        + "SUMMARY:Importé\\nEND:VEVENT\\nBEGIN:VEVENT\\nSUMMARY:Injected2\r\n"
        + "LOCATION:Bamako\\r\\nATTENDEE:mailto:x@evil.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"));
    String url = t.okOp(token, "calendar.feed", new JsonObject()).getString("url");
    String feed = t.get(url).bodyAsString();
    List<String> lines = List.of(feed.split("\r\n"));
    assertThat(lines).filteredOn(l -> l.equals("BEGIN:VEVENT")).hasSizeGreaterThanOrEqualTo(3);
    assertThat(lines).noneMatch(l -> l.startsWith("UID:injected") || l.startsWith("SUMMARY:Injected")
        || l.startsWith("ATTENDEE:mailto:x@evil.example"));
    assertThat(feed).doesNotContain("\n\n").doesNotContain("\r\r");
    long vevents = lines.stream().filter(l -> l.equals("BEGIN:VEVENT")).count();
    long ends = lines.stream().filter(l -> l.equals("END:VEVENT")).count();
    assertThat(ends).isEqualTo(vevents);
    lastDigest = null;
  }
}
