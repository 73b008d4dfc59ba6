package org.relais.identity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.relais.core.EventSink;
import org.relais.core.Principal;
import org.relais.redis.RedisDb;

/**
 * Sign-in and sessions. A login opens a session (a refresh-token family); each refresh rotates its refresh token,
 * and presenting a used one revokes the whole session. The results of login, refresh and accept-invite share one
 * shape: {@code {"accessToken", "refreshToken", "expiresIn", "user"}}.
 */
public interface AuthService {

  static AuthService create(Vertx vertx, RedisDb db, Tokens tokens, EventSink events) {
    return new AuthServiceImpl(vertx, db, tokens, events);
  }

  /**
   * Checks a password and opens a session. Every attempt for one email is counted before its password is checked,
   * atomically, so parallel guesses cannot outrun the count: from the 5th attempt in 15 minutes without a success
   * the email is locked for a growing time (30 s, doubling up to 15 min), and attempts meanwhile fail with
   * {@code rate_limited} and {@code retryAfterMs}. A right password clears the count. Each address (IPv6: each
   * /64) has a budget of attempts per minute. Unknown emails and wrong passwords fail alike with
   * {@code unauthenticated}; a disabled account fails with {@code forbidden} once the password is right.
   */
  Future<JsonObject> login(String email, String password, String ip, String client);

  /**
   * Rotates a refresh token. A token used twice revokes its session and fails with {@code unauthenticated} —
   * except within {@link TokenSettings#refreshReuseGraceSeconds()} of its first use while its successor is still
   * unused, when it fails with {@code unauthenticated} and the session stays open.
   */
  default Future<JsonObject> refresh(String refreshToken) {
    return refresh(refreshToken, null);
  }

  /** {@link #refresh(String)} from a client address (recorded in the audit log when the token is reused). */
  Future<JsonObject> refresh(String refreshToken, String address);

  /** Revokes the session of a refresh token; unknown tokens succeed quietly (logout is idempotent). */
  default Future<Void> logout(String refreshToken) {
    return logout(refreshToken, null);
  }

  /** {@link #logout(String)} from a client address (recorded in the audit log). */
  Future<Void> logout(String refreshToken, String address);

  /** Revokes one session of a user. */
  Future<Void> revokeSession(String userId, String sessionId);

  /**
   * Sets the password of an invited user from their one-time invitation token and opens a session. Fails with
   * {@code unauthenticated} when the token is unknown, replaced or used, or when the user is no longer invited —
   * also when an administrator disabled the account while the password was being hashed.
   */
  default Future<JsonObject> acceptInvite(String inviteToken, String password, String client) {
    return acceptInvite(inviteToken, password, client, null);
  }

  /** {@link #acceptInvite(String, String, String)} from a client address (recorded in the audit log). */
  Future<JsonObject> acceptInvite(String inviteToken, String password, String client, String address);

  /**
   * Where sign-ins (successful or not), lockouts, reuse of refresh tokens, logouts and accepted invitations are
   * recorded (set once at start-up; nowhere by default). Passwords and tokens are never recorded.
   */
  void auditTo(org.relais.core.AuditSink sink);

  /**
   * Resolves an access token into a principal: a valid signature and claims, a session still open, and an
   * active user. Fails with {@code unauthenticated} otherwise.
   */
  Future<Principal> authenticate(String accessToken);

  /** Like {@link #authenticate} and also returns the token's expiry (epoch seconds). */
  Future<Authenticated> authenticateWithExpiry(String accessToken);

  /**
   * A principal, when its token expires, and what {@link #reauthenticate} needs to check the token again without
   * keeping it ({@code null} for a token that cannot be re-checked that way: keep the token then).
   */
  record Authenticated(Principal principal, long expiresAt, Recheck recheck) {
    public Authenticated(Principal principal, long expiresAt) {
      this(principal, expiresAt, null);
    }
  }

  /** An accepted access token as this node verified it (its claims, key and issue time); opaque. */
  interface Recheck {
  }

  /**
   * Checks again, without the token, what {@link #authenticateWithExpiry} checked: the token not expired, its
   * signing key still accepted and not retired before the token was issued, the session still open, the user
   * active. Fails with {@code unauthenticated} exactly when {@link #authenticateWithExpiry} with the token would.
   * What a long-lived socket keeps instead of its bearer token (a few hundred bytes less per connection).
   */
  Future<Authenticated> reauthenticate(Recheck recheck);

  /** Whether a login session is still open (not logged out, revoked or expired). */
  Future<Boolean> sessionActive(String sessionId);

  /** Creates a user with a password directly (bootstrap admin, demo data). */
  Future<User> createUserWithPassword(User user, String password);
}
