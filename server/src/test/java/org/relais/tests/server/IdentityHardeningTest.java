package org.relais.tests.server;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relais.redis.ManagedRedis;
import org.relais.tests.redis.TestRedis;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class IdentityHardeningTest {
  private static TestServer t;
  private static JsonObject adminLogin;
  private static String admin;
  private static String orgId;

  @BeforeAll
  static void start() {
    t = TestServer.start();
    adminLogin = t.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    admin = adminLogin.getString("accessToken");
    orgId = t.createOrg(admin, "WANEP-Niger", "NE");
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  private static String code(JsonObject reply) {
    return reply.getBoolean("ok") ? "ok" : reply.getJsonObject("error").getString("code");
  }

  private static String id(JsonObject login) {
    return login.getJsonObject("user").getString("id");
  }

  private static HttpResponse<Buffer> post(String path, JsonObject body) {
    return t.post(path, body.encode(), null);
  }

  private static String status(String userId) {
    return t.okOp(admin, "user.get", new JsonObject().put("userId", userId)).getJsonObject("user").getString("status");
  }

  @Test
  @DisplayName("a token signed with the server's own key but living longer than an access token may is refused")
  void tokenLifetimeIsCapped() {
    String userId = id(adminLogin);
    String sid = AuthTest.claimsOf(admin).getString("sid");
    TokenForge forge = new TokenForge(t);
    String normal = forge.signWithServerKey(TokenForge.claims(userId, sid, 600));
    JsonObject year2100 = TokenForge.claims(userId, sid, 0).put("exp", 4_102_444_800L);

    assertThat(code(t.op(normal, "user.me", new JsonObject()))).as("control: within the lifetime").isEqualTo("ok");
    HttpResponse<Buffer> r = t.post("/api/ops/user.me", "{}", forge.signWithServerKey(year2100));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unauthenticated");
  }

  @Test
  @DisplayName("the managed Redis keeps its data directory to its owner: created 0700, and an existing one tightened")
  void dataDirectoryIsOwnerOnly(@TempDir Path dir) throws Exception {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path existing = Files.createDirectory(dir.resolve("existing"));
    Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path fresh = dir.resolve("parent").resolve("fresh");

    for (Path data : List.of(existing, fresh)) {
      ManagedRedis redis = TestRedis.start(data, 0);
      try {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).as(data.toString())
            .isEqualTo("rwx------");
      } finally {
        redis.stop();
      }
    }
  }

  @Test
  @DisplayName("40 wrong passwords sent at once for one account: 5 are checked, the other 35 are refused as rate_limited")
  void parallelGuessesAreCounted() {
    String email = t.createUser(admin, orgId, "Hadiza Moussa").getJsonObject("user").getString("email");
    WebClient parallel = WebClient.create(t.clients, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(t.port), new PoolOptions().setHttp1MaxSize(50));
    List<Future<HttpResponse<Buffer>>> guesses = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      guesses.add(parallel.post("/api/auth/login").putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(new JsonObject().put("email", email).put("password", "guess-" + i).encode())));
    }
    TestServer.await(Future.join(guesses));
    Map<Integer, Long> byStatus = guesses.stream()
        .collect(Collectors.groupingBy(g -> g.result().statusCode(), Collectors.counting()));

    assertThat(byStatus).isEqualTo(Map.of(401, 5L, 429, 35L));
    assertThat(post("/api/auth/login", new JsonObject().put("email", email).put("password", TestServer.PASSWORD))
        .statusCode()).as("the right password, while locked").isEqualTo(429);
    parallel.close();
  }

  @Test
  @DisplayName("an org-admin cannot re-enable a user a network admin disabled, not even by disabling them again first")
  void adminDisableIsFinalForOrgAdmins() {
    String orgAdmin = t.createUser(admin, orgId, "Issa Boubacar", "org-admin").getString("accessToken");
    String member = id(t.createUser(admin, orgId, "Mariama Sani"));
    JsonObject disable = new JsonObject().put("userId", member);
    JsonObject enable = disable.copy().put("disabled", false);

    assertThat(code(t.op(orgAdmin, "user.disable", disable))).as("control: an org-admin disables").isEqualTo("ok");
    assertThat(code(t.op(orgAdmin, "user.disable", enable))).as("and re-enables their own decision").isEqualTo("ok");

    assertThat(code(t.op(admin, "user.disable", disable))).isEqualTo("ok");
    assertThat(code(t.op(orgAdmin, "user.disable", enable))).isEqualTo("forbidden");
    assertThat(code(t.op(orgAdmin, "user.disable", disable))).isEqualTo("ok");
    assertThat(code(t.op(orgAdmin, "user.disable", enable))).isEqualTo("forbidden");
    assertThat(status(member)).isEqualTo("disabled");

    assertThat(code(t.op(admin, "user.disable", enable))).isEqualTo("ok");
    assertThat(status(member)).isEqualTo("active");
  }

  @Test
  @DisplayName("an email with an invisible or bidi character is refused with bad_request, at invitation and at login")
  void invisibleCharactersInEmails() {
    JsonObject invite = t.op(admin, "user.invite", new JsonObject().put("email", "sarah\u200b@x.example")
        .put("displayName", "Sarah Johnson").put("orgId", orgId));
    assertThat(code(invite)).isEqualTo("bad_request");

    HttpResponse<Buffer> login = post("/api/auth/login", new JsonObject().put("email", "ad\u202Emin@relais.local")
        .put("password", "whatever-1"));
    assertThat(login.statusCode()).isEqualTo(400);
    assertThat(login.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("bad_request");
  }

  @Test
  @DisplayName("disabling an invited user deletes the invitation: re-enabled, the old link stays dead and a new one works")
  void disablingDeletesInvitation() {
    JsonObject data = new JsonObject().put("email", "pending-" + System.nanoTime() + "@test.example")
        .put("displayName", "Abdou Garba").put("orgId", orgId);
    JsonObject invite = t.okOp(admin, "user.invite", data);
    String userId = invite.getJsonObject("user").getString("id");
    assertThat(code(t.op(admin, "user.disable", new JsonObject().put("userId", userId)))).isEqualTo("ok");
    assertThat(code(t.op(admin, "user.disable", new JsonObject().put("userId", userId).put("disabled", false))))
        .isEqualTo("ok");
    assertThat(status(userId)).isEqualTo("invited");

    Function<String, Integer> accept = token -> post("/api/auth/accept-invite",
        new JsonObject().put("token", token).put("password", "a-good-password")).statusCode();
    assertThat(accept.apply(invite.getString("inviteToken"))).isEqualTo(401);
    assertThat(accept.apply(t.okOp(admin, "user.invite", data).getString("inviteToken"))).isEqualTo(200);
  }
}
