package org.relais.identity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.relais.core.Addresses;
import org.relais.core.AuditEntry;
import org.relais.core.AuditSink;
import org.relais.core.EventSink;
import org.relais.core.Ids;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.redis.LuaScript;
import org.relais.redis.RedisDb;
import org.relais.redis.Responses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

final class AuthServiceImpl implements AuthService {
  private static final Logger LOG = LoggerFactory.getLogger(AuthService.class);
  private static final LuaScript CREATE_SESSION = LuaScript.load(AuthServiceImpl.class, "identity_create_session");
  private static final LuaScript ROTATE = LuaScript.load(AuthServiceImpl.class, "identity_rotate_refresh");
  private static final LuaScript REVOKE = LuaScript.load(AuthServiceImpl.class, "identity_revoke_sessions");
  private static final LuaScript LOGIN_ATTEMPT = LuaScript.load(AuthServiceImpl.class, "identity_login_attempt");
  private static final LuaScript ACCEPT_INVITE = LuaScript.load(AuthServiceImpl.class, "identity_accept_invite");
  private static final long ATTEMPT_WINDOW_SECONDS = 15 * 60;
  private static final int LOGINS_PER_IP_PER_MINUTE = 60;

  private final RedisDb db;
  private final IdentityStore store;
  private final Tokens tokens;
  private final Passwords passwords;
  private final EventSink events;
  private volatile AuditSink audit = AuditSink.NONE;

  AuthServiceImpl(Vertx vertx, RedisDb db, Tokens tokens, EventSink events) {
    this.db = db;
    this.store = new IdentityStore(db);
    this.tokens = tokens;
    this.passwords = new Passwords(vertx);
    this.events = events;
  }

  @Override
  public void auditTo(AuditSink sink) {
    this.audit = sink;
  }

  /**
   * Records every sign-in that reached its password check, successful or not, and each lockout. Attempts refused
   * before it (the address's budget spent, the account locked) are not recorded one by one: they are counted in
   * metrics, so that a flood cannot push real entries out of the log.
   */
  @Override
  public Future<JsonObject> login(String email, String password, String ip, String client) {
    String account = Ids.sha256Hex(email.toLowerCase(Locale.ROOT));
    AuditEntry attempt = new AuditEntry("auth.login", null, null, null, ip, "ok", Map.of());
    return checkIpBudget(ip)
        .compose(v -> admitAttempt(account, email, ip))
        .compose(v -> store.userByEmail(email))
        .compose(user -> passwords.verify(password, user.map(User::passwordHash).orElse(null))
            .compose(ok -> {
              // Only a right password makes the account's owner the actor; a failure names it as the target.
              AuditEntry tried = user.map(u -> attempt.withTarget(u.id(), u.orgId()))
                  .orElse(attempt.with("email", email));
              if (!ok) {
                return audit.record(tried.withOutcome("unauthenticated")).transform(x ->
                    Future.failedFuture(RelaisException.unauthenticated("Wrong email or password")));
              }
              User u = user.get();
              return db.send(Command.DEL, IdentityKeys.loginAttempts(account)).compose(x -> u.isActive()
                  ? openSession(u, client).compose(r -> audit.record(tried.withActor(u.id())).map(r))
                  : audit.record(tried.withActor(u.id()).withOutcome("forbidden")).transform(y ->
                      Future.failedFuture(RelaisException.forbidden("This account is disabled"))));
            }))
        .onSuccess(r -> LOG.info("login user={} ip={}", r.getJsonObject("user").getString("id"), ip))
        .onFailure(e -> LOG.info("login failed ip={} reason={}", ip, e.getMessage()));
  }

  private Future<Void> checkIpBudget(String ip) {
    String key = IdentityKeys.loginIp(Addresses.budgetKey(ip));
    return db.batch(List.of(Request.cmd(Command.INCR).arg(key), Request.cmd(Command.EXPIRE).arg(key).arg(60).arg("NX")))
        .compose(r -> r.get(0).toLong() > LOGINS_PER_IP_PER_MINUTE
            ? Future.failedFuture(RelaisException.rateLimited("Too many sign-in attempts from this address", 60_000))
            : Future.succeededFuture());
  }

  /**
   * Counts the attempt before the password is checked; fails with {@code rate_limited} while the account is locked.
   * The attempt that locks the account is recorded as {@code auth.lockout}.
   */
  private Future<Void> admitAttempt(String account, String email, String ip) {
    long now = System.currentTimeMillis();
    return db.eval(LOGIN_ATTEMPT, List.of(IdentityKeys.loginAttempts(account)),
        List.of(String.valueOf(now), String.valueOf(ATTEMPT_WINDOW_SECONDS))).compose(r -> {
          long until = r.get(0).toLong();
          long lockedNow = r.get(1).toLong();
          if (until > now) {
            return Future.failedFuture(RelaisException.rateLimited(
                "Too many failed sign-ins for this account; try again later", until - now));
          }
          if (lockedNow > 0) {
            return audit.record(new AuditEntry("auth.lockout", null, null, null, ip, "ok", Map.of())
                .with("email", email).with("lockedForMs", String.valueOf(lockedNow - now)));
          }
          return Future.succeededFuture();
        });
  }

  private Future<JsonObject> openSession(User user, String client) {
    String sid = Ids.newId();
    String refresh = Ids.newSecret();
    String tokenKey = IdentityKeys.refreshToken(Ids.sha256Hex(refresh));
    return db.eval(CREATE_SESSION,
            List.of(IdentityKeys.session(sid), IdentityKeys.sessionTokens(sid), tokenKey,
                IdentityKeys.userSessions(user.id())),
            List.of(sid, user.id(), String.valueOf(tokens.settings().refreshTtlSeconds()), Instant.now().toString(),
                client == null ? "" : truncate(client, 200), IdentityKeys.sessionPrefix()))
        .compose(r -> tokenReply(user, sid, refresh));
  }

  private Future<JsonObject> tokenReply(User user, String sid, String refresh) {
    return tokens.issueAsync(user.id(), sid).map(accessToken -> new JsonObject()
        .put("accessToken", accessToken)
        .put("refreshToken", refresh)
        .put("expiresIn", tokens.settings().accessTtlSeconds())
        .put("user", user.toJson()));
  }

  @Override
  public Future<JsonObject> refresh(String refreshToken, String address) {
    String next = Ids.newSecret();
    return db.eval(ROTATE,
            List.of(IdentityKeys.refreshToken(Ids.sha256Hex(refreshToken)), IdentityKeys.refreshToken(Ids.sha256Hex(next))),
            List.of(String.valueOf(tokens.settings().refreshTtlSeconds()), IdentityKeys.sessionPrefix(),
                IdentityKeys.userPrefix(), String.valueOf(System.currentTimeMillis()),
                String.valueOf(tokens.settings().refreshReuseGraceSeconds() * 1000)))
        .compose(r -> {
          String outcome = r.get(0).toString();
          if (outcome.equals("reuse")) {
            String userId = r.get(1).toString();
            String sid = r.get(2).toString();
            LOG.warn("refresh token reused: session {} of user {} revoked", sid, userId);
            return events.sessionsRevoked(userId, sid)
                .transform(x -> audit.record(new AuditEntry("auth.refresh_reuse", userId, userId, null, address,
                    "revoked", Map.of())))
                .transform(x -> Future.failedFuture(
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
            return tokenReply(user.get(), sid, next);
          });
        });
  }

  @Override
  public Future<Void> logout(String refreshToken, String address) {
    return db.send(Command.HGETALL, IdentityKeys.refreshToken(Ids.sha256Hex(refreshToken))).compose(r -> {
      Map<String, String> token = Responses.toMap(r);
      if (token.isEmpty()) {
        return Future.succeededFuture();
      }
      String userId = token.get("userId");
      return revokeSession(userId, token.get("sid"))
          .compose(v -> audit.record(new AuditEntry("auth.logout", userId, userId, null, address, "ok", Map.of())));
    });
  }

  @Override
  public Future<Void> revokeSession(String userId, String sessionId) {
    return db.eval(REVOKE, List.of(IdentityKeys.userSessions(userId)),
            List.of(IdentityKeys.sessionPrefix(), userId, sessionId == null ? "" : sessionId))
        .compose(r -> events.sessionsRevoked(userId, sessionId));
  }

  @Override
  public Future<JsonObject> acceptInvite(String inviteToken, String password, String client, String address) {
    try {
      Passwords.checkStrength(password);
    } catch (RelaisException e) {
      return Future.failedFuture(e);
    }
    String key = IdentityKeys.invite(Ids.sha256Hex(inviteToken));
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
        return passwords.hash(password)
            .compose(hash -> activate(key, userId, hash))
            .compose(activated -> activated ? store.user(userId) : Future.failedFuture(invalid))
            .compose(active -> active.map(Future::succeededFuture).orElseGet(() -> Future.failedFuture(invalid)))
            .compose(active -> events.userChanged(userId).map(active))
            .compose(active -> audit.record(new AuditEntry("user.invite_accepted", userId, userId, active.orgId(),
                address, "ok", Map.of())).map(active))
            .compose(active -> openSession(active, client));
      });
    });
  }

  /**
   * Consumes the invitation and sets the password, in one step, only if the invitation still names the user and
   * the user is still invited (not disabled, not activated, while the password was being hashed).
   */
  private Future<Boolean> activate(String inviteKey, String userId, String hash) {
    return db.eval(ACCEPT_INVITE, List.of(inviteKey, IdentityKeys.user(userId)),
        List.of(userId, hash, Instant.now().toString())).map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<Principal> authenticate(String accessToken) {
    return authenticateWithExpiry(accessToken).map(Authenticated::principal);
  }

  @Override
  public Future<Authenticated> authenticateWithExpiry(String accessToken) {
    return tokens.verifyEntry(accessToken).compose(this::resolve);
  }

  @Override
  public Future<Authenticated> reauthenticate(Recheck recheck) {
    if (!(recheck instanceof VerifiedTokens.Entry entry)) {
      return Future.failedFuture(RelaisException.unauthenticated("Invalid token"));
    }
    return tokens.recheck(entry).compose(claims -> resolve(entry));
  }

  /** The session still open and the user active: the principal of a verified token. */
  private Future<Authenticated> resolve(VerifiedTokens.Entry entry) {
    AccessClaims claims = entry.claims();
    return db.batch(List.of(
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
              claims.expiresAt(), entry.kid() != null ? entry : null));
        });
  }

  @Override
  public Future<Boolean> sessionActive(String sessionId) {
    return db.send(Command.EXISTS, IdentityKeys.session(sessionId)).map(r -> r != null && r.toLong() == 1);
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


  private static String truncate(String s, int max) {
    return s.length() > max ? s.substring(0, max) : s;
  }
}
