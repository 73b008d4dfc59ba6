package org.relais.identity;

import java.nio.file.Path;

/**
 * How tokens are made.
 *
 * @param issuer            {@code iss} of access tokens
 * @param audience          {@code aud} of access tokens
 * @param accessTtlSeconds  lifetime of an access token
 * @param refreshTtlSeconds lifetime of a login session without use (each refresh extends it)
 * @param leewaySeconds     clock skew tolerated on {@code exp} and {@code iat}
 * @param keyFile           a PEM file with an EC P-256 private and public key to sign with, or null to use (and
 *                          on first start generate) a key kept in Redis
 * @param inviteTtlSeconds  lifetime of an invitation token
 */
public record TokenSettings(String issuer, String audience, long accessTtlSeconds, long refreshTtlSeconds,
                            long leewaySeconds, Path keyFile, long inviteTtlSeconds) {
}
