package org.relais.identity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.relais.core.EventSink;
import org.relais.core.Ids;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.redis.LuaScript;
import org.relais.redis.RedisDb;
import org.relais.redis.Responses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

final class AuthServiceImpl implements AuthService {
  private static final Logger LOG = LoggerFactory.getLogger(AuthService.class);
  private static final LuaScript CREATE_SESSION = LuaScript.load(AuthServiceImpl.class, "identity_create_session");
  private static final LuaScript ROTATE = LuaScript.load(AuthServiceImpl.class, "identity_rotate_refresh");
  private static final LuaScript REVOKE = LuaScript.load(AuthServiceImpl.class, "identity_revoke_sessions");
  private static final LuaScript LOGIN_FAILURE = LuaScript.load(AuthServiceImpl.class, "identity_login_failure");
  private static final long FAILURE_WINDOW_SECONDS = 15 * 60;
  private static final int LOGINS_PER_IP_PER_MINUTE = 60;

  private final RedisDb db;
  private final IdentityStore store;
  private final Tokens tokens;
  private final Passwords passwords;
  private final EventSink events;

  AuthServiceImpl(Vertx vertx, RedisDb db, Tokens tokens, EventSink events) {
    this.db = db;
    this.store = new IdentityStore(db);
    this.tokens = tokens;
    this.passwords = new Passwords(vertx);
    this.events = events;
  }

  @Override
  public Future<JsonObject> login(String email, String password, String ip, String client) {
    String account = sha256(email.toLowerCase(Locale.ROOT));
    return checkIpBudget(ip)
        .compose(v -> checkNotLocked(account))
        .compose(v -> store.userByEmail(email))
        .compose(user -> passwords.verify(password, user.map(User::passwordHash).orElse(null))
            .compose(ok -> {
              if (!ok) {
                return recordFailure(account).compose(x -> Future.failedFuture(
                    RelaisException.unauthenticated("Wrong email or password")));
              }
              User u = user.get();
              if (!u.isActive()) {
                return Future.failedFuture(RelaisException.forbidden("This account is disabled"));
              }
              return db.send(Command.DEL, IdentityKeys.loginFailures(account))
                  .compose(x -> openSession(u, client));
            }))
        .onSuccess(r -> LOG.info("login user={} ip={}", r.getJsonObject("user").getString("id"), ip))
        .onFailure(e -> LOG.info("login failed ip={} reason={}", ip, e.getMessage()));
  }

  private Future<Void> checkIpBudget(String ip) {
    String key = IdentityKeys.loginIp(ip == null ? "unknown" : ip);
    return db.batch(List.of(Request.cmd(Command.INCR).arg(key), Request.cmd(Command.EXPIRE).arg(key).arg(60).arg("NX")))
        .compose(r -> r.get(0).toLong() > LOGINS_PER_IP_PER_MINUTE
            ? Future.failedFuture(RelaisException.rateLimited("Too many sign-in attempts from this address", 60_000))
            : Future.succeededFuture());
  }

  private Future<Void> checkNotLocked(String account) {
    return db.send(Command.HGET, IdentityKeys.loginFailures(account), "lockedUntil").compose(r -> {
      long until = r == null ? 0 : r.toLong();
      long now = System.currentTimeMillis();
      if (until > now) {
        return Future.failedFuture(RelaisException.rateLimited(
            "Too many failed sign-ins for this account; try again later", until - now));
      }
      return Future.succeededFuture();
    });
  }

  private Future<Void> recordFailure(String account) {
    return db.eval(LOGIN_FAILURE, List.of(IdentityKeys.loginFailures(account)),
        List.of(String.valueOf(System.currentTimeMillis()), String.valueOf(FAILURE_WINDOW_SECONDS))).mapEmpty();
  }

  private Future<JsonObject> openSession(User user, String client) {
    String sid = Ids.newId();
    String refresh = Ids.newSecret();
    String tokenKey = IdentityKeys.refreshToken(sha256(refresh));
    return db.eval(CREATE_SESSION,
            List.of(IdentityKeys.session(sid), IdentityKeys.sessionTokens(sid), tokenKey,
                IdentityKeys.userSessions(user.id())),
            List.of(sid, user.id(), String.valueOf(tokens.settings().refreshTtlSeconds()), Instant.now().toString(),
                client == null ? "" : truncate(client, 200)))
        .map(r -> tokenReply(user, sid, refresh));
  }

  private JsonObject tokenReply(User user, String sid, String refresh) {
    return new JsonObject()
        .put("accessToken", tokens.issue(user.id(), sid))
        .put("refreshToken", refresh)
        .put("expiresIn", tokens.settings().accessTtlSeconds())
        .put("user", user.toJson());
  }

  @Override
  public Future<JsonObject> refresh(String refreshToken) {
    String next = Ids.newSecret();
    return db.eval(ROTATE,
            List.of(IdentityKeys.refreshToken(sha256(refreshToken)), IdentityKeys.refreshToken(sha256(next))),
            List.of(String.valueOf(tokens.settings().refreshTtlSeconds()), IdentityKeys.sessionPrefix(),
                IdentityKeys.userPrefix()))
        .compose(r -> {
          String outcome = r.get(0).toString();
          if (outcome.equals("reuse")) {
            String userId = r.get(1).toString();
            String sid = r.get(2).toString();
            LOG.warn("refresh token reused: session {} of user {} revoked", sid, userId);
            return events.sessionsRevoked(userId, sid).transform(x -> Future.failedFuture(
                RelaisException.unauthenticated("Refresh token already used; the session has been revoked")));
          }
          if (!outcome.equals("ok")) {
            return Future.failedFuture(RelaisException.unauthenticated("Invalid or expired refresh token"));
          }
          String userId = r.get(1).toString();
          String sid = r.get(2).toString();
          return store.user(userId).compose(user -> {
            if (user.isEmpty() || !user.get().isActive()) {
              return revokeSession(userId, sid).transform(x -> Future.failedFuture(
                  RelaisException.unauthenticated("This account is not active")));
            }
            return Future.succeededFuture(tokenReply(user.get(), sid, next));
          });
        });
  }

  @Override
  public Future<Void> logout(String refreshToken) {
    return db.send(Command.HGETALL, IdentityKeys.refreshToken(sha256(refreshToken))).compose(r -> {
      Map<String, String> token = Responses.toMap(r);
      if (token.isEmpty()) {
        return Future.succeededFuture();
      }
      return revokeSession(token.get("userId"), token.get("sid"));
    });
  }

  @Override
  public Future<Void> revokeSession(String userId, String sessionId) {
    return db.eval(REVOKE, List.of(IdentityKeys.userSessions(userId)),
            List.of(IdentityKeys.sessionPrefix(), userId, sessionId == null ? "" : sessionId))
        .compose(r -> events.sessionsRevoked(userId, sessionId));
  }

  @Override
  public Future<JsonObject> acceptInvite(String inviteToken, String password, String client) {
    try {
      Passwords.checkStrength(password);
    } catch (RelaisException e) {
      return Future.failedFuture(e);
    }
    String key = IdentityKeys.invite(sha256(inviteToken));
    RelaisException invalid = RelaisException.unauthenticated("Invalid or expired invitation");
    // Read, hash, then consume: a failure before the end (e.g. hashing refused under load) leaves the token usable.
    return db.send(Command.GET, key).compose(r -> {
      if (r == null) {
        return Future.failedFuture(invalid);
      }
      String userId = r.toString();
      return store.user(userId).compose(user -> {
        if (user.isEmpty() || user.get().status() != UserStatus.INVITED) {
          return Future.failedFuture(invalid);
        }
        return passwords.hash(password).compose(hash -> db.send(Command.GETDEL, key).compose(consumed -> {
          if (consumed == null || !userId.equals(consumed.toString())) {
            return Future.failedFuture(invalid);
          }
          User u = user.get();
          String now = Instant.now().toString();
          User active = new User(u.id(), u.email(), u.displayName(), u.title(), u.orgId(), u.country(), u.locale(),
              u.timeZone(), u.workingHours(), u.roles(), UserStatus.ACTIVE, hash, u.createdAt(), now);
          return store.updateUser(active, false, Map.of("passwordHash", hash, "status", UserStatus.ACTIVE.wire(),
                  "updatedAt", now))
              .compose(x -> events.userChanged(u.id()))
              .compose(x -> openSession(active, client));
        }));
      });
    });
  }

  @Override
  public Future<Principal> authenticate(String accessToken) {
    return authenticateWithExpiry(accessToken).map(Authenticated::principal);
  }

  @Override
  public Future<Authenticated> authenticateWithExpiry(String accessToken) {
    return tokens.verify(accessToken).compose(claims -> db.batch(List.of(
            Request.cmd(Command.HGETALL).arg(IdentityKeys.user(claims.userId())),
            Request.cmd(Command.EXISTS).arg(IdentityKeys.session(claims.sessionId()))))
        .compose(replies -> {
          Map<String, String> h = Responses.toMap(replies.get(0));
          Response sessionExists = replies.get(1);
          if (h.isEmpty() || sessionExists == null || sessionExists.toLong() == 0) {
            return Future.failedFuture(RelaisException.unauthenticated("Session revoked"));
          }
          User user = User.fromHash(h);
          if (!user.isActive()) {
            return Future.failedFuture(RelaisException.unauthenticated("This account is not active"));
          }
          return Future.succeededFuture(new Authenticated(
              new Principal(user.id(), user.orgId(), user.roles(), claims.sessionId(), user.locale()),
              claims.expiresAt()));
        }));
  }

  @Override
  public Future<User> createUserWithPassword(User user, String password) {
    try {
      Passwords.checkStrength(password);
    } catch (RelaisException e) {
      return Future.failedFuture(e);
    }
    return passwords.hash(password).compose(hash -> {
      User withHash = new User(user.id(), user.email(), user.displayName(), user.title(), user.orgId(), user.country(),
          user.locale(), user.timeZone(), user.workingHours(), user.roles(), UserStatus.ACTIVE, hash,
          user.createdAt(), user.updatedAt());
      return store.createUser(withHash).compose(created -> created.isPresent()
          ? Future.succeededFuture(withHash)
          : Future.failedFuture(RelaisException.conflict("A user with this email already exists")));
    });
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String truncate(String s, int max) {
    return s.length() > max ? s.substring(0, max) : s;
  }
}
