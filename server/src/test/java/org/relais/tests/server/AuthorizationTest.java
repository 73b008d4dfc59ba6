package org.relais.tests.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AuthorizationTest {
  private static TestServer t;
  private static String admin;
  private static String wanep;
  private static String unwomen;
  private static JsonObject orgAdmin;
  private static JsonObject member;
  private static JsonObject otherMember;

  @BeforeAll
  static void start() {
    t = TestServer.start();
    admin = t.adminToken();
    wanep = t.createOrg(admin, "WANEP-Mali", "ML");
    unwomen = t.createOrg(admin, "UN Women", "US");
    orgAdmin = t.createUser(admin, wanep, "Aminata Traoré", "org-admin", "coordinator");
    member = t.createUser(admin, wanep, "Moussa Keïta");
    otherMember = t.createUser(admin, unwomen, "Sarah Johnson");
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  private static String token(JsonObject login) {
    return login.getString("accessToken");
  }

  private static String id(JsonObject login) {
    return login.getJsonObject("user").getString("id");
  }

  private static String code(JsonObject reply) {
    return reply.getBoolean("ok") ? "ok" : reply.getJsonObject("error").getString("code");
  }

  @Test
  @DisplayName("a member cannot call admin ops")
  void memberRefused() {
    String m = token(member);
    assertThat(code(t.op(m, "org.create", new JsonObject().put("name", "X").put("shortName", "X").put("country", "ML").put("kind", "other")))).isEqualTo("forbidden");
    assertThat(code(t.op(m, "org.update", new JsonObject().put("orgId", wanep).put("name", "Hacked")))).isEqualTo("forbidden");
    assertThat(code(t.op(m, "user.invite", new JsonObject().put("email", "x@test.example").put("displayName", "X").put("orgId", wanep)))).isEqualTo("forbidden");
    assertThat(code(t.op(m, "user.setRoles", new JsonObject().put("userId", id(member)).put("roles", new JsonArray().add("admin"))))).isEqualTo("forbidden");
    assertThat(code(t.op(m, "user.disable", new JsonObject().put("userId", id(otherMember))))).isEqualTo("forbidden");
    assertThat(t.okOp(admin, "org.get", new JsonObject().put("orgId", wanep)).getJsonObject("org").getString("name")).isEqualTo("WANEP-Mali");
  }

  @Test
  @DisplayName("an org-admin manages their own organisation, never another, and never grants admin")
  void orgAdminScope() {
    String oa = token(orgAdmin);
    assertThat(code(t.op(oa, "user.invite", new JsonObject().put("email", "new-wanep@test.example").put("displayName", "Awa Diallo").put("orgId", wanep)))).isEqualTo("ok");
    assertThat(code(t.op(oa, "user.invite", new JsonObject().put("email", "new-unw@test.example").put("displayName", "Jane Roe").put("orgId", unwomen)))).isEqualTo("forbidden");
    assertThat(code(t.op(oa, "user.setRoles", new JsonObject().put("userId", id(member)).put("roles", new JsonArray().add("coordinator"))))).isEqualTo("ok");
    assertThat(code(t.op(oa, "user.setRoles", new JsonObject().put("userId", id(member)).put("roles", new JsonArray().add("admin"))))).isEqualTo("forbidden");
    assertThat(code(t.op(oa, "user.setRoles", new JsonObject().put("userId", id(otherMember)).put("roles", new JsonArray().add("coordinator"))))).isEqualTo("forbidden");
    assertThat(code(t.op(oa, "user.disable", new JsonObject().put("userId", id(otherMember))))).isEqualTo("forbidden");
    assertThat(code(t.op(oa, "org.update", new JsonObject().put("orgId", wanep).put("name", "Renamed")))).isEqualTo("forbidden");
    assertThat(t.okOp(admin, "user.get", new JsonObject().put("userId", id(otherMember))).getJsonObject("user").getString("status")).isEqualTo("active");
  }

  @Test
  @DisplayName("re-inviting a pending account is managing it: an org-admin cannot take over an invited admin of another organisation")
  void reinviteIsNoBackdoor() {
    String secretariat = t.okOp(admin, "user.me", new JsonObject()).getJsonObject("user").getString("orgId");
    t.okOp(admin, "user.invite", new JsonObject().put("email", "ghost@test.example").put("displayName", "Ghost Admin")
        .put("orgId", secretariat).put("roles", new JsonArray().add("admin")));
    JsonObject takeover = t.op(token(orgAdmin), "user.invite", new JsonObject().put("email", "ghost@test.example")
        .put("displayName", "Ghost").put("orgId", wanep));
    assertThat(code(takeover)).isEqualTo("conflict");
    assertThat(takeover.encode()).doesNotContain("inviteToken");
  }

  @Test
  @DisplayName("disabling a user closes their sockets with 4010 and stops their tokens and logins; re-enabling restores login")
  void disable() {
    JsonObject victim = t.createUser(admin, wanep, "Fatouma Issoufou");
    try (WsClient c = t.wsHello(token(victim))) {
      assertThat(code(t.op(token(orgAdmin), "user.disable", new JsonObject().put("userId", id(victim))))).isEqualTo("ok");
      assertThat(c.awaitClose(5_000)).isEqualTo((short) 4010);
    }
    assertThat(code(t.op(token(victim), "user.me", new JsonObject()))).isEqualTo("unauthenticated");
    String email = victim.getJsonObject("user").getString("email");
    assertThat(t.post("/api/auth/login", new JsonObject().put("email", email).put("password", TestServer.PASSWORD).encode(), null).statusCode()).isEqualTo(403);
    assertThat(code(t.op(admin, "user.disable", new JsonObject().put("userId", id(victim)).put("disabled", false)))).isEqualTo("ok");
    assertThat(t.login(email, TestServer.PASSWORD).getString("accessToken")).isNotBlank();
  }

  @Test
  @DisplayName("a role change takes effect on open sockets at once")
  void rolesTakeEffectLive() throws Exception {
    JsonObject promoted = t.createUser(admin, unwomen, "Ingrid Larsen");
    try (WsClient c = t.wsHello(token(promoted))) {
      JsonObject create = new JsonObject().put("name", "ECOWAS").put("shortName", "ECOWAS").put("country", "NG").put("kind", "regional-organisation");
      assertThat(code(c.call("org.create", create))).isEqualTo("forbidden");
      assertThat(code(t.op(admin, "user.setRoles", new JsonObject().put("userId", id(promoted)).put("roles", new JsonArray().add("admin"))))).isEqualTo("ok");
      c.nextPush("user.updated", 5_000);
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
          .until(() -> code(c.call("org.create", create.copy().put("name", "ECOWAS " + System.nanoTime()))).equals("ok"));
    }
  }

  @Test
  @DisplayName("an admin cannot remove their own admin role nor disable themselves")
  void noSelfLockout() {
    String adminId = t.okOp(admin, "user.me", new JsonObject()).getJsonObject("user").getString("id");
    assertThat(code(t.op(admin, "user.setRoles", new JsonObject().put("userId", adminId).put("roles", new JsonArray().add("member"))))).isEqualTo("forbidden");
    assertThat(code(t.op(admin, "user.disable", new JsonObject().put("userId", adminId)))).isEqualTo("forbidden");
  }

  @Test
  @DisplayName("user.update changes only the caller's own profile and checks the time zone")
  void updateOwnProfile() {
    String m = token(member);
    JsonObject updated = t.okOp(m, "user.update", new JsonObject().put("displayName", "Moussa K.").put("timeZone", "Africa/Bamako")
        .put("workingHours", new JsonObject().put("days", new JsonArray().add(1).add(2).add(3).add(4)).put("start", "08:00").put("end", "16:30")));
    assertThat(updated.getJsonObject("user").getString("displayName")).isEqualTo("Moussa K.");
    assertThat(updated.getJsonObject("user").getJsonObject("workingHours").getString("start")).isEqualTo("08:00");
    assertThat(code(t.op(m, "user.update", new JsonObject().put("timeZone", "Mars/Olympus")))).isEqualTo("bad_request");
    assertThat(code(t.op(m, "user.update", new JsonObject().put("workingHours", new JsonObject().put("days", new JsonArray().add(1)).put("start", "18:00").put("end", "09:00"))))).isEqualTo("bad_request");
    assertThat(t.okOp(m, "user.search", new JsonObject().put("query", "moussa")).getJsonArray("users")).hasSize(1);
  }
}
