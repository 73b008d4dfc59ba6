package org.relais.tests.server;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AuthTest {
  private static TestServer t;
  private static String orgId;

  @BeforeAll
  static void start() {
    t = TestServer.start();
    orgId = t.createOrg(t.adminToken(), "WANEP-Mali", "ML");
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  private HttpResponse<Buffer> post(String path, JsonObject body) {
    return t.post(path, body.encode(), null);
  }

  @Test
  @DisplayName("login returns an access token, a refresh token, its lifetime and the user — never the password hash")
  void login() {
    JsonObject r = t.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    assertThat(r.getString("accessToken")).contains(".");
    assertThat(r.getString("refreshToken")).isNotBlank();
    assertThat(r.getLong("expiresIn")).isEqualTo(900);
    assertThat(r.getJsonObject("user").getString("email")).isEqualTo(TestServer.ADMIN_EMAIL);
    assertThat(r.encode()).doesNotContain("argon2").doesNotContain("passwordHash");
    JsonObject header = new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(
        r.getString("accessToken").split("\\.")[0])));
    assertThat(header.getString("alg")).isEqualTo("ES256");
    assertThat(header.getString("kid")).isNotBlank();
  }

  @Test
  @DisplayName("the email is case-insensitive at login")
  void emailCaseInsensitive() {
    assertThat(t.login(TestServer.ADMIN_EMAIL.toUpperCase(), TestServer.ADMIN_PASSWORD).getString("accessToken")).isNotBlank();
  }

  @Test
  @DisplayName("a wrong password and an unknown email fail alike with unauthenticated")
  void wrongPassword() {
    HttpResponse<Buffer> wrong = post("/api/auth/login", new JsonObject().put("email", TestServer.ADMIN_EMAIL).put("password", "nope-nope"));
    HttpResponse<Buffer> unknown = post("/api/auth/login", new JsonObject().put("email", "nobody@test.example").put("password", "nope-nope"));
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(wrong.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unauthenticated");
    assertThat(wrong.bodyAsJsonObject().getJsonObject("error").getString("message"))
        .isEqualTo(unknown.bodyAsJsonObject().getJsonObject("error").getString("message"));
  }

  @Test
  @DisplayName("repeated failures lock the account for a while, even for the right password")
  void lockout() {
    JsonObject user = t.createUser(t.adminToken(), orgId, "Moussa Keïta");
    String email = user.getJsonObject("user").getString("email");
    for (int i = 0; i < 5; i++) {
      assertThat(post("/api/auth/login", new JsonObject().put("email", email).put("password", "wrong-" + i)).statusCode()).isEqualTo(401);
    }
    HttpResponse<Buffer> locked = post("/api/auth/login", new JsonObject().put("email", email).put("password", TestServer.PASSWORD));
    assertThat(locked.statusCode()).isEqualTo(429);
    assertThat(locked.getHeader("Retry-After")).isNotNull();
    assertThat(locked.bodyAsJsonObject().getJsonObject("error").getLong("retryAfterMs")).isPositive();
  }

  @Test
  @DisplayName("refresh rotates the refresh token; the new pair works")
  void refreshRotates() {
    JsonObject first = t.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    HttpResponse<Buffer> r = post("/api/auth/refresh", new JsonObject().put("refreshToken", first.getString("refreshToken")));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject second = r.bodyAsJsonObject();
    assertThat(second.getString("refreshToken")).isNotEqualTo(first.getString("refreshToken"));
    assertThat(second.getJsonObject("user").getString("email")).isEqualTo(TestServer.ADMIN_EMAIL);
    assertThat(t.op(second.getString("accessToken"), "user.me", new JsonObject()).getBoolean("ok")).isTrue();
  }

  @Test
  @DisplayName("presenting a used refresh token revokes the whole family: the newest refresh and access tokens die too")
  void reuseRevokesFamily() {
    JsonObject first = t.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    JsonObject second = post("/api/auth/refresh", new JsonObject().put("refreshToken", first.getString("refreshToken"))).bodyAsJsonObject();

    HttpResponse<Buffer> reuse = post("/api/auth/refresh", new JsonObject().put("refreshToken", first.getString("refreshToken")));
    assertThat(reuse.statusCode()).isEqualTo(401);

    assertThat(post("/api/auth/refresh", new JsonObject().put("refreshToken", second.getString("refreshToken"))).statusCode()).isEqualTo(401);
    JsonObject me = t.op(second.getString("accessToken"), "user.me", new JsonObject());
    assertThat(me.getJsonObject("error").getString("code")).isEqualTo("unauthenticated");
  }

  @Test
  @DisplayName("logout revokes the session: its refresh token and its access tokens stop working")
  void logout() {
    JsonObject session = t.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    assertThat(post("/api/auth/logout", new JsonObject().put("refreshToken", session.getString("refreshToken"))).statusCode()).isEqualTo(200);
    assertThat(post("/api/auth/refresh", new JsonObject().put("refreshToken", session.getString("refreshToken"))).statusCode()).isEqualTo(401);
    assertThat(t.op(session.getString("accessToken"), "user.me", new JsonObject()).getJsonObject("error").getString("code"))
        .isEqualTo("unauthenticated");
  }

  @Test
  @DisplayName("expired, foreign-key, unsigned, wrong-audience and wrong-issuer tokens are each rejected")
  void badTokens() {
    JsonObject session = t.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    JsonObject user = session.getJsonObject("user");
    String sid = claimsOf(session.getString("accessToken")).getString("sid");
    TokenForge forge = new TokenForge(t);

    String valid = forge.signWithServerKey(TokenForge.claims(user.getString("id"), sid, 300));
    assertThat(t.op(valid, "user.me", new JsonObject()).getBoolean("ok")).as("control: a well-formed token").isTrue();

    String expired = forge.signWithServerKey(TokenForge.claims(user.getString("id"), sid, -120));
    String otherKey = forge.signWithOtherKey(TokenForge.claims(user.getString("id"), sid, 300));
    String none = TokenForge.unsigned(TokenForge.claims(user.getString("id"), sid, 300));
    String wrongAud = forge.signWithServerKey(TokenForge.claims(user.getString("id"), sid, 300).put("aud", "someone-else"));
    String wrongIss = forge.signWithServerKey(TokenForge.claims(user.getString("id"), sid, 300).put("iss", "evil"));
    JsonObject noExpClaims = TokenForge.claims(user.getString("id"), sid, 300);
    noExpClaims.remove("exp");
    String noExp = forge.signWithServerKey(noExpClaims);
    for (String bad : new String[] {expired, otherKey, none, wrongAud, wrongIss, noExp, "garbage", "a.b.c"}) {
      HttpResponse<Buffer> r = t.post("/api/ops/user.me", "{}", bad);
      assertThat(r.statusCode()).as(bad).isEqualTo(401);
      assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unauthenticated");
    }
  }

  @Test
  @DisplayName("accept-invite sets the password once: the token cannot be used twice")
  void acceptInviteOnce() {
    String admin = t.adminToken();
    JsonObject invite = t.okOp(admin, "user.invite", new JsonObject().put("email", "once@test.example")
        .put("displayName", "Fatouma Issoufou").put("orgId", orgId));
    assertThat(invite.getString("inviteToken")).isNotBlank();
    assertThat(invite.getJsonObject("user").getString("status")).isEqualTo("invited");
    JsonObject body = new JsonObject().put("token", invite.getString("inviteToken")).put("password", "a-good-password");
    assertThat(post("/api/auth/accept-invite", body).statusCode()).isEqualTo(200);
    assertThat(post("/api/auth/accept-invite", body.put("password", "another-password")).statusCode()).isEqualTo(401);
    assertThat(t.login("once@test.example", "a-good-password").getJsonObject("user").getString("status")).isEqualTo("active");
  }

  @Test
  @DisplayName("an invited user cannot log in before accepting; a too-short password is refused at acceptance")
  void invitedCannotLogin() {
    JsonObject invite = t.okOp(t.adminToken(), "user.invite", new JsonObject().put("email", "pending@test.example")
        .put("displayName", "Pending Person").put("orgId", orgId));
    assertThat(post("/api/auth/login", new JsonObject().put("email", "pending@test.example").put("password", "whatever-1")).statusCode()).isEqualTo(401);
    HttpResponse<Buffer> weak = post("/api/auth/accept-invite", new JsonObject().put("token", invite.getString("inviteToken")).put("password", "short"));
    assertThat(weak.statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName("inviting the same person again replaces the invitation: only the newest token works")
  void reinviteReplaces() {
    String admin = t.adminToken();
    JsonObject invite = new JsonObject().put("email", "twice@test.example").put("displayName", "Awa Diallo").put("orgId", orgId);
    String first = t.okOp(admin, "user.invite", invite).getString("inviteToken");
    String second = t.okOp(admin, "user.invite", invite).getString("inviteToken");
    assertThat(post("/api/auth/accept-invite", new JsonObject().put("token", first).put("password", "a-good-password")).statusCode()).isEqualTo(401);
    assertThat(post("/api/auth/accept-invite", new JsonObject().put("token", second).put("password", "a-good-password")).statusCode()).isEqualTo(200);
    assertThat(t.op(admin, "user.invite", invite).getJsonObject("error").getString("code")).as("now active: conflict").isEqualTo("conflict");
  }

  static JsonObject claimsOf(String jwt) {
    return new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[1])));
  }
}
