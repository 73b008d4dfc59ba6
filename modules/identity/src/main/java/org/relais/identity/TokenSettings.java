package org.relais.identity;

import java.nio.file.Path;

/**
 * How tokens are made.
 *
 * @param issuer                   {@code iss} of access tokens
 * @param audience                 {@code aud} of access tokens
 * @param accessTtlSeconds         lifetime of an access token; a token whose {@code exp - iat} exceeds it (plus the
 *                                 leeway) is refused, whoever signed it
 * @param refreshTtlSeconds        lifetime of a login session without use (each refresh extends it)
 * @param leewaySeconds            clock skew tolerated on {@code exp} and {@code iat}
 * @param keyFile                  a PEM file with an EC P-256 private and public key to sign with, or null to use (and
 *                                 on first start generate) a key kept in Redis
 * @param inviteTtlSeconds         lifetime of an invitation token
 * @param refreshReuseGraceSeconds a used refresh token presented again within this many seconds of its first use,
 *                                 while the token that replaced it is still unused, fails as invalid without
 *                                 revoking the session (two tabs refreshing at the same moment); 0 (the default):
 *                                 any reuse revokes the session
 * @param keyReloadSeconds         how often the keyring is read again from Redis, so that a key rotated or retired
 *                                 by another node is known here (default 60)
 */
public record TokenSettings(String issuer, String audience, long accessTtlSeconds, long refreshTtlSeconds,
                            long leewaySeconds, Path keyFile, long inviteTtlSeconds, long refreshReuseGraceSeconds,
                            long keyReloadSeconds) {

  public static final long DEFAULT_REFRESH_REUSE_GRACE_SECONDS = 0;
  public static final long DEFAULT_KEY_RELOAD_SECONDS = 60;

  public TokenSettings {
    if (refreshReuseGraceSeconds < 0) {
      throw new IllegalArgumentException("refreshReuseGraceSeconds must not be negative");
    }
    if (keyReloadSeconds < 1) {
      throw new IllegalArgumentException("keyReloadSeconds must be at least 1");
    }
  }

  /** Settings with no refresh reuse grace and the keyring read again every 60 s. */
  public TokenSettings(String issuer, String audience, long accessTtlSeconds, long refreshTtlSeconds,
                       long leewaySeconds, Path keyFile, long inviteTtlSeconds) {
    this(issuer, audience, accessTtlSeconds, refreshTtlSeconds, leewaySeconds, keyFile, inviteTtlSeconds,
        DEFAULT_REFRESH_REUSE_GRACE_SECONDS, DEFAULT_KEY_RELOAD_SECONDS);
  }
}
