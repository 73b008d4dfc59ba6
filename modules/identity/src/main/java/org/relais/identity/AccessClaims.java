package org.relais.identity;

/** What a verified access token says. {@code expiresAt} is in epoch seconds. */
public record AccessClaims(String userId, String sessionId, String tokenId, long expiresAt) {
}
