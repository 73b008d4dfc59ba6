package org.relais.tests.identity;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.ErrorCode;
import org.relais.core.RelaisException;
import org.relais.core.Role;
import org.relais.identity.Org;
import org.relais.identity.User;
import org.relais.redis.Responses;

import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relais.tests.identity.IdentityFixture.await;
import static org.relais.tests.identity.IdentityFixture.principal;

class AuthServiceTest {
  private static IdentityFixture f;
  private static Org org;
  private static User admin;

  @BeforeAll
  static void start() {
    f = IdentityFixture.start(IdentityFixture.defaults());
    org = f.org("WANEP-Mali");
    admin = f.user(org, "Network Admin", Role.ADMIN);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static JsonObject login(IdentityFixture node, User user) {
    return await(node.auth.login(user.email(), IdentityFixture.PASSWORD, "192.0.2.10", "test"));
  }

  private static void refusedAs(Future<?> future, ErrorCode code, String message) {
    assertThatThrownBy(() -> await(future))
        .isInstanceOfSatisfying(RelaisException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(message);
  }

  private static String sessionId(JsonObject login) {
    String payload = login.getString("accessToken").split("\\.")[1];
    return new JsonObject(new String(Base64.getUrlDecoder().decode(payload))).getString("sid");
  }

  @Test
  @DisplayName("with a grace period, a refresh token presented again at once is refused and the session stays open")
  void reuseWithinGrace() {
    IdentityFixture node = f.node(IdentityFixture.settings(2_592_000, 10, 60));
    try {
      JsonObject first = login(node, f.user(org, "Awa Diallo"));
      JsonObject second = await(node.auth.refresh(first.getString("refreshToken")));

      refusedAs(node.auth.refresh(first.getString("refreshToken")), ErrorCode.UNAUTHENTICATED, "Invalid or expired");

      assertThat(await(node.auth.authenticate(second.getString("accessToken"))).sessionId()).isEqualTo(sessionId(first));
      JsonObject third = await(node.auth.refresh(second.getString("refreshToken")));
      assertThat(await(node.auth.authenticate(third.getString("accessToken"))).sessionId()).isEqualTo(sessionId(first));
    } finally {
      node.closeNode();
    }
  }

  @Test
  @DisplayName("with a grace period, a reuse after the replacing token was used still revokes the whole session")
  void reuseAfterSuccessorUsedRevokes() {
    IdentityFixture node = f.node(IdentityFixture.settings(2_592_000, 10, 60));
    try {
      JsonObject first = login(node, f.user(org, "Ibrahim Maïga"));
      JsonObject second = await(node.auth.refresh(first.getString("refreshToken")));
      JsonObject third = await(node.auth.refresh(second.getString("refreshToken")));

      refusedAs(node.auth.refresh(first.getString("refreshToken")), ErrorCode.UNAUTHENTICATED, "revoked");

      refusedAs(node.auth.refresh(third.getString("refreshToken")), ErrorCode.UNAUTHENTICATED, "Invalid or expired");
      refusedAs(node.auth.authenticate(third.getString("accessToken")), ErrorCode.UNAUTHENTICATED, "revoked");
    } finally {
      node.closeNode();
    }
  }

  @Test
  @DisplayName("with a grace period, a reuse after the grace period revokes the whole session")
  void reuseAfterGraceRevokes() throws Exception {
    IdentityFixture node = f.node(IdentityFixture.settings(2_592_000, 1, 60));
    try {
      JsonObject first = login(node, f.user(org, "Oumar Cissé"));
      JsonObject second = await(node.auth.refresh(first.getString("refreshToken")));
      Thread.sleep(1_100);

      refusedAs(node.auth.refresh(first.getString("refreshToken")), ErrorCode.UNAUTHENTICATED, "revoked");

      refusedAs(node.auth.authenticate(second.getString("accessToken")), ErrorCode.UNAUTHENTICATED, "revoked");
    } finally {
      node.closeNode();
    }
  }

  @Test
  @DisplayName("sign-in attempts from one IPv6 /64 share one budget; another /64 has its own")
  void ipv6BudgetPerSlash64() {
    String email = "nobody-v6@test.example";
    for (int i = 1; i <= 60; i++) {
      Future<JsonObject> attempt = f.auth.login(email, "wrong-password", "2001:db8:0:1::" + Integer.toHexString(i), "test");
      assertThatThrownBy(() -> await(attempt)).isInstanceOfSatisfying(RelaisException.class,
          e -> assertThat(e.getMessage()).doesNotContain("address"));
    }
    refusedAs(f.auth.login(email, "wrong-password", "2001:db8:0:1:ffff:ffff:ffff:ffff", "test"),
        ErrorCode.RATE_LIMITED, "from this address");
    refusedAs(f.auth.login("someone-else@test.example", "wrong-password", "2001:db8:0:2::1", "test"),
        ErrorCode.UNAUTHENTICATED, "Wrong email or password");
  }

  @Test
  @DisplayName("an admin who disables an invited user while their password is hashed wins: the account stays disabled")
  void disableDuringAcceptWins() throws Exception {
    String email = "racing-" + System.nanoTime() + "@test.example";
    JsonObject invite = await(f.identity.invite(principal(admin), new JsonObject().put("email", email)
        .put("displayName", "Fanta Camara").put("orgId", org.id())));
    String userId = invite.getJsonObject("user").getString("id");

    // Hold every thread of the password-hashing pool, so that the invitation's password waits to be hashed.
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    WorkerExecutor hashing = f.vertx.createSharedWorkerExecutor("relais-passwords", threads, 10, TimeUnit.SECONDS);
    CountDownLatch held = new CountDownLatch(threads);
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < threads; i++) {
      hashing.executeBlocking(() -> {
        held.countDown();
        return release.await(10, TimeUnit.SECONDS);
      }, false);
    }
    assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
    Future<JsonObject> accepting;
    try {
      accepting = f.auth.acceptInvite(invite.getString("inviteToken"), "a-good-password", "test");
      Thread.sleep(300);
      assertThat(accepting.isComplete()).as("waiting for the hash").isFalse();
      await(f.identity.setDisabled(principal(admin), userId, true));
    } finally {
      release.countDown();
    }

    refusedAs(accepting, ErrorCode.UNAUTHENTICATED, "Invalid or expired invitation");
    JsonObject user = await(f.identity.getUser(principal(admin), userId)).getJsonObject("user");
    assertThat(user.getString("status")).isEqualTo("disabled");
    refusedAs(f.auth.login(email, "a-good-password", "192.0.2.11", "test"), ErrorCode.UNAUTHENTICATED, "Wrong email");
  }

  @Test
  @DisplayName("opening a session forgets the user's sessions that have ended by themselves")
  void deadSessionsAreForgotten() throws Exception {
    IdentityFixture node = f.node(IdentityFixture.settings(1, 0, 60));
    try {
      User user = f.user(org, "Mariam Koné");
      login(node, user);
      Thread.sleep(1_100);
      JsonObject live = login(node, user);

      String sessions = "relais:{idn}:user:" + user.id() + ":sessions";
      assertThat(Responses.toList(await(f.db.send(Command.SMEMBERS, sessions)))).containsExactly(sessionId(live));
    } finally {
      node.closeNode();
    }
  }
}
