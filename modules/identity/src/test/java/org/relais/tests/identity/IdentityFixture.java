package org.relais.tests.identity;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.relais.core.EventSink;
import org.relais.core.Ids;
import org.relais.core.Principal;
import org.relais.core.Role;
import org.relais.identity.AuthService;
import org.relais.identity.IdentityService;
import org.relais.identity.Org;
import org.relais.identity.OrgKind;
import org.relais.identity.TokenSettings;
import org.relais.identity.Tokens;
import org.relais.identity.User;
import org.relais.identity.UserStatus;
import org.relais.identity.WorkingHours;
import org.relais.redis.ManagedRedis;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;
import org.relais.tests.redis.TestRedis;

import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The identity module on a real redis-server, without the server around it: tokens, the auth service and the
 * identity service, wired as the composition root wires them, with events dropped.
 */
final class IdentityFixture implements AutoCloseable {
  static final String PASSWORD = "focal-point-pass";

  final ManagedRedis redis;
  final Vertx vertx;
  final RedisDb db;
  final Tokens tokens;
  final AuthService auth;
  final IdentityService identity;

  private IdentityFixture(ManagedRedis redis, Vertx vertx, RedisDb db, Tokens tokens) {
    this.redis = redis;
    this.vertx = vertx;
    this.db = db;
    this.tokens = tokens;
    this.auth = AuthService.create(vertx, db, tokens, new DroppedEvents());
    this.identity = IdentityService.create(db, auth, new DroppedEvents(), null, 3_600);
  }

  static IdentityFixture start(TokenSettings settings) {
    ManagedRedis redis = TestRedis.start();
    Vertx vertx = Vertx.vertx();
    RedisDb db = RedisDb.create(vertx, RedisSettings.of(redis.url()), new SimpleMeterRegistry());
    return new IdentityFixture(redis, vertx, db, await(Tokens.create(vertx, db, settings)));
  }

  /** Settings as the server's defaults, with the given refresh lifetime, reuse grace and key reload period. */
  static TokenSettings settings(long refreshTtlSeconds, long refreshReuseGraceSeconds, long keyReloadSeconds) {
    return new TokenSettings("relais", "relais", 900, refreshTtlSeconds, 30, null, 3_600, refreshReuseGraceSeconds,
        keyReloadSeconds);
  }

  static TokenSettings defaults() {
    return settings(2_592_000, 0, 60);
  }

  /** Another node on the same Redis, with its own settings. */
  IdentityFixture node(TokenSettings settings) {
    return new IdentityFixture(redis, vertx, db, await(Tokens.create(vertx, db, settings)));
  }

  Org org(String name) {
    return await(identity.createOrgUnchecked(name, name, "ML", OrgKind.CIVIL_SOCIETY));
  }

  /** An active user with {@link #PASSWORD}. */
  User user(Org org, String displayName, Role... roles) {
    Set<Role> set = EnumSet.of(Role.MEMBER, roles);
    String now = Instant.now().toString();
    User user = new User(Ids.newId(), "u" + Ids.newId().toLowerCase() + "@test.example", displayName, "", org.id(),
        "ML", "fr", "Africa/Bamako", WorkingHours.DEFAULT, set, UserStatus.ACTIVE, null, now, now);
    return await(auth.createUserWithPassword(user, PASSWORD));
  }

  static Principal principal(User user) {
    return new Principal(user.id(), user.orgId(), user.roles(), Ids.newId(), user.locale());
  }

  static <T> T await(Future<T> future) {
    try {
      return future.await(20, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out", e);
    }
  }

  @Override
  public void close() {
    tokens.close();
    await(vertx.close());
    redis.stop();
  }

  /** Closes this node's tokens only (the Redis and Vert.x are shared with the first node). */
  void closeNode() {
    tokens.close();
  }

  private static final class DroppedEvents implements EventSink {
    @Override
    public Future<Void> toUsers(Collection<String> userIds, String ev, JsonObject data) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> userChanged(String userId) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> sessionsRevoked(String userId, String sessionId) {
      return Future.succeededFuture();
    }
  }
}
