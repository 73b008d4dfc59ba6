package org.relais.tests.server;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayTest {
  private static TestServer t;
  private static String token;

  @BeforeAll
  static void start() {
    // Short enough for helloTimeout, long enough that a hello checked on a cold, loaded machine is in time.
    t = TestServer.start(Map.of("RELAIS_WS_HELLO_TIMEOUT_MS", "3000"));
    token = t.adminToken();
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  private static void assertUsable(WsClient c) {
    JsonObject pong = c.call("ping", null);
    assertThat(pong.getBoolean("ok")).as("socket still usable: %s", pong).isTrue();
  }

  private static String errorCode(JsonObject reply) {
    assertThat(reply.getBoolean("ok")).as(reply.encode()).isFalse();
    return reply.getJsonObject("error").getString("code");
  }

  @Test
  @DisplayName("hello returns the user, their organisation and the session; user.me then works")
  void hello() {
    try (WsClient c = t.ws()) {
      JsonObject reply = c.call("hello", new JsonObject().put("token", token));
      assertThat(reply.getBoolean("ok")).isTrue();
      JsonObject data = reply.getJsonObject("data");
      assertThat(data.getJsonObject("user").getString("email")).isEqualTo(TestServer.ADMIN_EMAIL);
      assertThat(data.getJsonObject("org").getString("name")).isEqualTo("Network secretariat");
      assertThat(data.getString("connectionId")).isNotBlank();
      assertThat(data.getLong("heartbeatSeconds")).isEqualTo(25);
      assertThat(c.call("user.me", new JsonObject()).getJsonObject("data").getJsonObject("user").getString("email"))
          .isEqualTo(TestServer.ADMIN_EMAIL);
    }
  }

  @Test
  @DisplayName("no hello within the deadline closes the socket with 4001")
  void helloTimeout() {
    try (WsClient c = t.ws()) {
      assertThat(c.awaitClose(8_000)).isEqualTo((short) 4001);
    }
  }

  @Test
  @DisplayName("ops before hello are refused with unauthenticated, and hello still works afterwards")
  void opsBeforeHello() {
    try (WsClient c = t.ws()) {
      assertThat(errorCode(c.call("user.me", new JsonObject()))).isEqualTo("unauthenticated");
      assertThat(errorCode(c.call("ping", null))).isEqualTo("unauthenticated");
      assertThat(c.call("hello", new JsonObject().put("token", token)).getBoolean("ok")).isTrue();
      assertThat(c.call("user.me", new JsonObject()).getBoolean("ok")).isTrue();
    }
  }

  @Test
  @DisplayName("a hello with a bad token gets unauthenticated and the socket is closed with 4001")
  void badHelloToken() {
    try (WsClient c = t.ws()) {
      assertThat(errorCode(c.call("hello", new JsonObject().put("token", "not.a.token")))).isEqualTo("unauthenticated");
      assertThat(c.awaitClose(5_000)).isEqualTo((short) 4001);
    }
  }

  @Test
  @DisplayName("each kind of bad input gets its typed error, answers the request id when it can, and leaves the socket usable")
  void badInputs() {
    try (WsClient c = t.wsHello(token)) {
      Map<String, String> cases = new java.util.LinkedHashMap<>();
      cases.put("{\"id\":\"m1\",\"op\":\"user.get\",", "bad_request");
      cases.put("not json at all", "bad_request");
      cases.put("[1,2,3]", "bad_request");
      cases.put("{\"id\":\"t1\",\"op\":\"user.get\",\"data\":{\"userId\":5}}", "bad_request");
      cases.put("{\"id\":\"t2\",\"op\":\"user.get\",\"data\":{}}", "bad_request");
      cases.put("{\"id\":\"t3\",\"op\":\"user.get\",\"data\":{\"userId\":\"x}:*\"}}", "bad_request");
      cases.put("{\"id\":\"t4\",\"op\":\"user.update\",\"data\":{\"isAdmin\":true}}", "bad_request");
      cases.put("{\"id\":\"t5\",\"op\":\"user.me\",\"data\":{},\"extra\":1}", "bad_request");
      cases.put("{\"id\":\"t6\",\"op\":\"user.me\",\"data\":[]}", "bad_request");
      cases.put("{\"id\":\"t7\",\"op\":42}", "bad_request");
      cases.put("{\"id\":\"t8\",\"op\":\"no.such.op\",\"data\":{}}", "unknown_op");
      cases.put("{\"id\":\"t9\",\"op\":\"user.search\",\"data\":{\"limit\":9007199254740993}}", "bad_request");
      cases.put("{\"id\":\"t10\",\"op\":\"user.search\",\"data\":{\"limit\":1.5}}", "bad_request");
      cases.put("{\"id\":\"t11\",\"op\":\"user.get\",\"data\":{\"userId\":\"A\",\"userId\":\"B\"}}", "bad_request");
      cases.put("{\"id\":\"t12\",\"op\":\"user.update\",\"data\":{\"displayName\":\"admin\\u202Eexe\"}}", "bad_request");
      cases.put("{\"id\":\"t13\",\"op\":\"user.me\",\"data\":" + "[".repeat(40) + "]".repeat(40) + "}", "too_large");
      cases.put("{\"id\":\"t14\",\"op\":\"user.search\",\"data\":{\"query\":\"" + "x".repeat(33_000) + "\"}}", "too_large");
      for (Map.Entry<String, String> bad : cases.entrySet()) {
        JsonObject reply = c.sendRaw(bad.getKey());
        assertThat(errorCode(reply)).as(bad.getKey().substring(0, Math.min(60, bad.getKey().length()))).isEqualTo(bad.getValue());
        assertUsable(c);
      }
      assertThat(c.sendRaw("{\"id\":\"t1\",\"op\":\"user.get\",\"data\":{\"userId\":5}}").getString("re")).isEqualTo("t1");
      assertThat(c.sendRaw("{\"id\":\"t14\",\"op\":\"user.search\",\"data\":{\"query\":\"" + "x".repeat(33_000) + "\"}}")
          .getString("re")).as("too_large still answers the id").isEqualTo("t14");
      assertThat(c.sendRaw("{\"id\":1.5,\"op\":\"ping\"}").getValue("re")).as("a decimal id is not an id").isNull();
      c.writeBinary(new byte[] {1, 2, 3});
      assertThat(errorCode(c.nextReply())).as("binary frame").isEqualTo("bad_request");
      assertUsable(c);
    }
  }

  @Test
  @DisplayName("a frame past the hard size limit closes the socket with 1009; the server keeps serving")
  void frameTooBig() throws Exception {
    try (RawWs raw = RawWs.connect(t.port)) {
      raw.sendText(new JsonObject().put("id", "h").put("op", "hello").put("data", new JsonObject().put("token", token)).encode());
      assertThat(raw.read().text()).contains("\"ok\":true");
      raw.sendText("{\"id\":\"big\",\"op\":\"ping\",\"data\":{\"x\":\"" + "y".repeat(70_000) + "\"}}");
      assertThat(raw.readUntilClosed()).isEqualTo(1009);
    }
    try (WsClient again = t.wsHello(token)) {
      assertUsable(again);
    }
  }

  @Test
  @DisplayName("a message sent in fragments that add up past the hard limit closes the socket with 1009")
  void fragmentedTooBig() throws Exception {
    try (RawWs raw = RawWs.connect(t.port)) {
      raw.sendText(new JsonObject().put("id", "h").put("op", "hello").put("data", new JsonObject().put("token", token)).encode());
      assertThat(raw.read().text()).contains("\"ok\":true");
      byte[] chunk = "x".repeat(20_000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      raw.sendFrame(RawWs.OP_TEXT, chunk, false, false);
      for (int i = 0; i < 4; i++) {
        raw.sendFrame(0, chunk, i == 3, false);
      }
      assertThat(raw.readUntilClosed()).isEqualTo(1009);
    }
  }

  @Test
  @DisplayName("permessage-deflate is not negotiated, and a compressed frame that would inflate to 64 MiB closes the socket")
  void compressionBomb() throws Exception {
    // Compressed before connecting: on a busy machine, deflating 64 MB can outlast the hello deadline.
    byte[] compressed = RawWs.deflateBomb();
    assertThat(compressed.length).isLessThan(65_536);
    try (RawWs raw = RawWs.connect(t.port, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")) {
      assertThat(raw.responseHead).startsWith("HTTP/1.1 101");
      assertThat(raw.responseHead.toLowerCase()).doesNotContain("sec-websocket-extensions");
      raw.sendFrame(RawWs.OP_TEXT, compressed, true, true);
      int code = raw.readUntilClosed();
      assertThat(code).as("closed with a protocol error or without a close frame").isIn(1002, -1);
    }
    try (WsClient again = t.wsHello(token)) {
      assertUsable(again);
    }
  }

  @Test
  @DisplayName("the Origin is checked at the handshake: a foreign, a look-alike and a null origin get 403; the server's own is accepted")
  void origin() {
    String own = "http://127.0.0.1:" + t.port;
    try (WsClient c = t.ws(own)) {
      assertThat(c.call("hello", new JsonObject().put("token", token)).getBoolean("ok")).isTrue();
    }
    for (String foreign : new String[] {"https://evil.example", "http://127.0.0.1:" + t.port + ".evil.example", "null",
        "http://127.0.0.1:" + (t.port + 1)}) {
      assertThatThrownBy(() -> t.ws(foreign)).as(foreign).hasMessageContaining("403");
    }
  }

  @Test
  @DisplayName("a socket whose token expires is closed with 4010 at that moment")
  void tokenExpiry() {
    JsonObject session = t.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    JsonObject claims = AuthTest.claimsOf(session.getString("accessToken"));
    String shortLived = new TokenForge(t).signWithServerKey(TokenForge.claims(claims.getString("sub"), claims.getString("sid"), 2));
    try (WsClient c = t.wsHello(shortLived)) {
      long start = System.currentTimeMillis();
      assertThat(c.awaitClose(6_000)).isEqualTo((short) 4010);
      assertThat(System.currentTimeMillis() - start).isBetween(500L, 4_000L);
    }
  }

  @Test
  @DisplayName("hello again with a fresh token extends the session past the first token's expiry")
  void rehelloExtends() throws Exception {
    JsonObject session = t.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    JsonObject claims = AuthTest.claimsOf(session.getString("accessToken"));
    String shortLived = new TokenForge(t).signWithServerKey(TokenForge.claims(claims.getString("sub"), claims.getString("sid"), 2));
    try (WsClient c = t.wsHello(shortLived)) {
      assertThat(c.call("hello", new JsonObject().put("token", session.getString("accessToken"))).getBoolean("ok")).isTrue();
      Thread.sleep(3_000);
      assertThat(c.isClosed()).isFalse();
      assertUsable(c);
    }
  }

  @Test
  @DisplayName("logout closes that session's sockets with 4010 at once, and only that session's")
  void logoutClosesSockets() {
    JsonObject a = t.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    JsonObject b = t.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    try (WsClient ca = t.wsHello(a.getString("accessToken")); WsClient cb = t.wsHello(b.getString("accessToken"))) {
      t.post("/api/auth/logout", new JsonObject().put("refreshToken", a.getString("refreshToken")).encode(), null);
      assertThat(ca.awaitClose(5_000)).isEqualTo((short) 4010);
      assertUsable(cb);
    }
  }

  @Test
  @DisplayName("user.update is pushed as user.updated to the user's other sessions")
  void userUpdatedPushed() {
    JsonObject a = t.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    try (WsClient phone = t.wsHello(a.getString("accessToken")); WsClient laptop = t.wsHello(t.adminToken())) {
      JsonObject reply = phone.call("user.update", new JsonObject().put("timeZone", "Africa/Bamako").put("locale", "fr"));
      assertThat(reply.getBoolean("ok")).as(reply.encode()).isTrue();
      JsonObject push = laptop.nextPush("user.updated", 5_000);
      assertThat(push.getJsonObject("data").getJsonObject("user").getString("timeZone")).isEqualTo("Africa/Bamako");
      assertThat(push.encode()).doesNotContain("passwordHash").doesNotContain("argon2");
    }
  }

  @Test
  @DisplayName("a socket that never answers pings is closed after the idle timeout")
  void idleTimeout() throws Exception {
    try (TestServer quick = TestServer.start(Map.of("RELAIS_WS_IDLE_TIMEOUT_SECONDS", "5", "RELAIS_WS_PING_INTERVAL_SECONDS", "1"));
         RawWs raw = RawWs.connect(quick.port)) {
      raw.sendText(new JsonObject().put("id", "h").put("op", "hello").put("data", new JsonObject().put("token", quick.adminToken())).encode());
      int pings = 0;
      long start = System.currentTimeMillis();
      while (true) {
        RawWs.Frame f = raw.read();
        if (f == null || f.opcode() == RawWs.OP_CLOSE) {
          assertThat(f == null ? -1 : f.closeCode()).isIn(1000, -1);
          break;
        }
        if (f.opcode() == RawWs.OP_PING) {
          pings++;
        }
      }
      // Pings every second, from the sweep's round after the socket went quiet: at least two in five seconds (three
      // when the rounds fall well; not always on a busy machine). Unanswered, they did not keep the socket open.
      assertThat(pings).as("server pinged while waiting").isGreaterThanOrEqualTo(2);
      assertThat(System.currentTimeMillis() - start).isBetween(4_000L, 9_000L);
    }
  }

  @Test
  @DisplayName("stopping the server closes sockets with 1001")
  void gracefulShutdown() {
    try (TestServer other = TestServer.start(); WsClient c = other.wsHello(other.adminToken())) {
      other.stopServer();
      assertThat(c.awaitClose(5_000)).isEqualTo((short) 1001);
    }
  }
}
