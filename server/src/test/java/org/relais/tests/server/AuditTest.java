package org.relais.tests.server;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit log, end to end: real admin and security actions over HTTP and the WebSocket on a real server and
 * Redis, then read back with audit.list as a network admin.
 */
class AuditTest {
  private static TestServer t;
  private static String admin;
  private static String adminId;
  private static String orgA;
  private static String orgB;
  /** Every secret the actions below handled: none may appear in the log. */
  private static final List<String> secrets = new ArrayList<>();
  private static JsonObject coordinatorA;
  private static JsonObject coordinatorB;
  private static JsonObject member;

  @BeforeAll
  static void start() {
    t = TestServer.start(Map.of("RELAIS_TRUSTED_PROXIES", "127.0.0.1"));
    JsonObject adminLogin = t.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    admin = adminLogin.getString("accessToken");
    adminId = adminLogin.getJsonObject("user").getString("id");
    secrets.addAll(List.of(TestServer.ADMIN_PASSWORD, TestServer.PASSWORD, admin, adminLogin.getString("refreshToken")));
    orgA = t.createOrg(admin, "WANEP-Sierra Leone", "SL");
    orgB = t.createOrg(admin, "FemWise-Africa", "ET");
    coordinatorA = t.createUser(admin, orgA, "Fatmata Sesay", "coordinator");
    coordinatorB = t.createUser(admin, orgB, "Selam Tesfaye", "coordinator");
    member = t.createUser(admin, orgA, "Ibrahim Kamara");
    for (JsonObject login : List.of(coordinatorA, coordinatorB, member)) {
      secrets.add(login.getString("accessToken"));
      secrets.add(login.getString("refreshToken"));
    }
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  private static String id(JsonObject login) {
    return login.getJsonObject("user").getString("id");
  }

  private static String email(JsonObject login) {
    return login.getJsonObject("user").getString("email");
  }

  private static JsonArray entries(JsonObject query) {
    return t.okOp(admin, "audit.list", query).getJsonArray("entries");
  }

  private static JsonObject latest(String action) {
    JsonArray found = entries(new JsonObject().put("action", action).put("limit", 1));
    assertThat(found).as("an entry " + action).isNotEmpty();
    return found.getJsonObject(0);
  }

  private static HttpResponse<Buffer> loginFrom(String address, String email, String password) {
    return TestServer.await(t.http.post("/api/auth/login").putHeader("Content-Type", "application/json")
        .putHeader("X-Forwarded-For", address)
        .sendBuffer(Buffer.buffer(new JsonObject().put("email", email).put("password", password).encode())));
  }

  @Test
  @DisplayName("sign-ins are recorded with who, from where (through a trusted proxy), the outcome and the node; "
      + "five failures lock the account and the lockout is recorded; no password anywhere")
  void signIns() {
    JsonObject person = t.createUser(admin, orgA, "Mariama Bangura");
    secrets.add(person.getString("accessToken"));
    assertThat(loginFrom("198.51.100.23", email(person), TestServer.PASSWORD).statusCode()).isEqualTo(200);
    JsonObject ok = latest("auth.login");
    assertThat(ok.getString("actor")).isEqualTo(id(person));
    assertThat(ok.getString("target")).isEqualTo(id(person));
    assertThat(ok.getString("org")).isEqualTo(orgA);
    assertThat(ok.getString("ip")).isEqualTo("198.51.100.23");
    assertThat(ok.getString("outcome")).isEqualTo("ok");
    assertThat(ok.getString("node")).endsWith(":" + t.port);
    assertThat(ok.getString("time")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

    for (int i = 0; i < 5; i++) {
      String wrong = "wrong-password-" + i;
      secrets.add(wrong);
      assertThat(loginFrom("198.51.100.24", email(person), wrong).statusCode()).isEqualTo(401);
    }
    assertThat(loginFrom("198.51.100.24", email(person), TestServer.PASSWORD).statusCode()).as("locked").isEqualTo(429);
    JsonArray failures = entries(new JsonObject().put("action", "auth.login").put("target", id(person)).put("limit", 10));
    assertThat(failures.stream().map(e -> ((JsonObject) e).getString("outcome")).toList())
        .containsExactly("unauthenticated", "unauthenticated", "unauthenticated", "unauthenticated", "unauthenticated",
            "ok");
    JsonObject lockout = latest("auth.lockout");
    assertThat(lockout.getJsonObject("details").getString("email")).isEqualTo(email(person));
    assertThat(lockout.getString("ip")).isEqualTo("198.51.100.24");

    String unknown = "nobody-" + System.nanoTime() + "@test.example";
    assertThat(loginFrom("198.51.100.25", unknown, "whatever-pass").statusCode()).isEqualTo(401);
    JsonObject stranger = latest("auth.login");
    assertThat(stranger.getString("outcome")).isEqualTo("unauthenticated");
    assertThat(stranger.containsKey("actor")).isFalse();
    assertThat(stranger.getJsonObject("details").getString("email")).isEqualTo(unknown);
  }

  @Test
  @DisplayName("administration is recorded: organisations, invitations and their acceptance, roles, disable and "
      + "enable, channel roles, partnership steps, feed rotation, refresh reuse and logout")
  void administration() {
    t.okOp(admin, "org.update", new JsonObject().put("orgId", orgB).put("shortName", "FemWise"));
    JsonObject orgUpdate = latest("org.update");
    assertThat(orgUpdate.getString("actor")).isEqualTo(adminId);
    assertThat(orgUpdate.getString("target")).isEqualTo(orgB);
    assertThat(orgUpdate.getJsonObject("details").getString("fields")).isEqualTo("shortName");
    assertThat(latest("org.create").getString("actor")).isEqualTo(adminId);

    JsonObject invite = entries(new JsonObject().put("action", "user.invite").put("target", id(member))).getJsonObject(0);
    assertThat(invite.getString("actor")).isEqualTo(adminId);
    assertThat(invite.getString("org")).isEqualTo(orgA);
    assertThat(entries(new JsonObject().put("action", "user.invite_accepted").put("actor", id(member)))).hasSize(1);

    JsonObject promoted = t.createUser(admin, orgA, "Aminata Kargbo");
    t.okOp(admin, "user.setRoles", new JsonObject().put("userId", id(promoted))
        .put("roles", new JsonArray().add("coordinator")));
    JsonObject roles = latest("user.roles");
    assertThat(roles.getString("target")).isEqualTo(id(promoted));
    assertThat(roles.getJsonObject("details").getMap()).containsEntry("before", "member")
        .containsEntry("after", "member,coordinator");

    JsonObject disposable = t.createUser(admin, orgA, "Kadiatu Koroma");
    t.okOp(admin, "user.disable", new JsonObject().put("userId", id(disposable)));
    t.okOp(admin, "user.disable", new JsonObject().put("userId", id(disposable)).put("disabled", false));
    assertThat(latest("user.disable").getString("target")).isEqualTo(id(disposable));
    assertThat(latest("user.enable").getString("target")).isEqualTo(id(disposable));

    String coordA = coordinatorA.getString("accessToken");
    String channel = t.okOp(coordA, "channel.create", new JsonObject().put("name", "Freetown desk").put("kind", "thematic")
        .put("visibility", "private").put("memberIds", new JsonArray().add(id(member)))).getJsonObject("channel").getString("id");
    try (WsClient ws = t.wsHello(coordA)) {
      JsonObject reply = ws.call("channel.setRole", new JsonObject().put("channelId", channel).put("userId", id(member))
          .put("role", "moderator"));
      assertThat(reply.getBoolean("ok")).as(reply.encode()).isTrue();
    }
    JsonObject channelRole = latest("channel.role");
    assertThat(channelRole.getString("actor")).isEqualTo(id(coordinatorA));
    assertThat(channelRole.getString("ip")).as("over the WebSocket too").isEqualTo("127.0.0.1");
    assertThat(channelRole.getJsonObject("details").getMap()).containsEntry("channelId", channel)
        .containsEntry("role", "moderator");

    String requestId = t.okOp(coordA, "partnership.request", new JsonObject().put("toOrgId", orgB)
            .put("purpose", "Joint early-warning training in Kenema").put("themes", new JsonArray().add("early-warning"))
            .put("focalPoints", new JsonObject().put("from", new JsonArray().add(id(coordinatorA)))))
        .getJsonObject("request").getString("id");
    t.okOp(coordinatorB.getString("accessToken"), "partnership.decline", new JsonObject().put("requestId", requestId));
    JsonObject declined = latest("partnership.decline");
    assertThat(declined.getString("target")).isEqualTo(requestId);
    assertThat(declined.getString("org")).isEqualTo(orgB);
    assertThat(declined.getJsonObject("details").getMap()).containsEntry("state", "declined")
        .containsEntry("fromOrgId", orgA).containsEntry("toOrgId", orgB);
    assertThat(latest("partnership.request").getString("actor")).isEqualTo(id(coordinatorA));
    assertThat(entries(new JsonObject().put("action", "partnership.").put("target", requestId))).hasSize(2);

    secrets.add(t.okOp(coordA, "calendar.feed", new JsonObject()).getString("secret"));
    secrets.add(t.okOp(coordA, "calendar.feed", new JsonObject().put("rotate", true)).getString("secret"));
    assertThat(latest("calendar.feed_rotate").getString("actor")).isEqualTo(id(coordinatorA));

    JsonObject session = t.login(email(coordinatorB), TestServer.PASSWORD);
    String refresh = session.getString("refreshToken");
    JsonObject rotated = t.post("/api/auth/refresh", new JsonObject().put("refreshToken", refresh).encode(), null)
        .bodyAsJsonObject();
    secrets.addAll(List.of(refresh, rotated.getString("refreshToken"), rotated.getString("accessToken"),
        session.getString("accessToken")));
    assertThat(t.post("/api/auth/refresh", new JsonObject().put("refreshToken", refresh).encode(), null).statusCode())
        .isEqualTo(401);
    JsonObject reuse = latest("auth.refresh_reuse");
    assertThat(reuse.getString("target")).isEqualTo(id(coordinatorB));
    assertThat(reuse.getString("outcome")).isEqualTo("revoked");

    JsonObject other = t.login(email(coordinatorB), TestServer.PASSWORD);
    secrets.addAll(List.of(other.getString("refreshToken"), other.getString("accessToken")));
    t.post("/api/auth/logout", new JsonObject().put("refreshToken", other.getString("refreshToken")).encode(), null);
    assertThat(latest("auth.logout").getString("actor")).isEqualTo(id(coordinatorB));

    assertThat(latest("key.rotate").getJsonObject("details").getString("source")).isEqualTo("generated");
  }

  @Test
  @DisplayName("the log holds no password, token or secret of anything done in this class")
  void noSecrets() {
    signIns();
    administration();
    JsonArray all = new JsonArray();
    String cursor = null;
    do {
      JsonObject query = new JsonObject().put("limit", 200);
      if (cursor != null) {
        query.put("cursor", cursor);
      }
      JsonObject page = t.okOp(admin, "audit.list", query);
      all.addAll(page.getJsonArray("entries"));
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    String text = all.encode();
    assertThat(all.size()).isGreaterThan(30);
    for (String secret : secrets) {
      assertThat(text).as("a secret of length " + secret.length()).doesNotContain(secret);
    }
    assertThat(text).doesNotContain("$argon2").doesNotContain("passwordHash").doesNotContain("inviteToken");
  }

  @Test
  @DisplayName("audit.list is for network admins only: a member and an org-admin get forbidden, on both transports")
  void adminsOnly() {
    JsonObject orgAdmin = t.createUser(admin, orgA, "Hawa Conteh", "org-admin");
    for (JsonObject who : List.of(member, orgAdmin)) {
      HttpResponse<Buffer> r = t.post("/api/ops/audit.list", "{}", who.getString("accessToken"));
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("forbidden");
      try (WsClient ws = t.wsHello(who.getString("accessToken"))) {
        assertThat(ws.call("audit.list", new JsonObject()).getJsonObject("error").getString("code")).isEqualTo("forbidden");
      }
    }
  }

  @Test
  @DisplayName("pages come newest first and follow each other without overlap; filters by actor and time apply")
  void pagingAndFilters() {
    JsonObject first = t.okOp(admin, "audit.list", new JsonObject().put("limit", 3));
    JsonArray page1 = first.getJsonArray("entries");
    assertThat(page1).hasSize(3);
    JsonArray page2 = t.okOp(admin, "audit.list", new JsonObject().put("limit", 3)
        .put("cursor", first.getString("nextCursor"))).getJsonArray("entries");
    List<String> ids = new ArrayList<>();
    page1.forEach(e -> ids.add(((JsonObject) e).getString("id")));
    page2.forEach(e -> ids.add(((JsonObject) e).getString("id")));
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(ids).isSortedAccordingTo((a, b) -> compareIds(b, a));

    JsonArray byAdmin = entries(new JsonObject().put("actor", adminId).put("limit", 200));
    assertThat(byAdmin).isNotEmpty().allMatch(e -> adminId.equals(((JsonObject) e).getString("actor")));
    assertThat(entries(new JsonObject().put("from", "2100-01-01T00:00:00Z"))).isEmpty();
    assertThat(entries(new JsonObject().put("to", "2000-01-01T00:00:00Z"))).isEmpty();
    assertThat(t.op(admin, "audit.list", new JsonObject().put("from", "yesterday")).getJsonObject("error")
        .getString("code")).isEqualTo("bad_request");
  }

  private static int compareIds(String a, String b) {
    String[] x = a.split("-");
    String[] y = b.split("-");
    int c = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
    return c != 0 ? c : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
  }
}
