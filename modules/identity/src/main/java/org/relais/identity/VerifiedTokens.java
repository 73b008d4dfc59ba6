package org.relais.identity;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Access tokens whose signature and claims have been verified on this node, so that the same token presented
 * again (a reconnect, another tab, a re-check after a user change) skips the ECDSA verification. Keyed by the
 * SHA-256 of the whole token (header, payload and signature): a token that differs in one byte is another key,
 * so a tampered token can only reach the full verification. Bearer tokens themselves are not kept.
 *
 * <p>An entry only says "this exact string carried a valid signature by key {@code kid} over these claims"; the
 * caller re-checks what depends on time or on the keyring at every use (expiry, the key still known, its
 * retirement). Bounded: the least recently used entry goes first once {@code capacity} is reached. Safe to use from
 * several event loops (one lock; each operation is a few map steps).
 */
final class VerifiedTokens {

  /** What was verified: the claims kept for the checks made at each use, and the key that signed them. */
  record Entry(AccessClaims claims, long issuedAt, String kid) implements AuthService.Recheck {
  }

  private final int capacity;
  private final LinkedHashMap<String, Entry> entries;

  VerifiedTokens(int capacity) {
    this.capacity = capacity;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > VerifiedTokens.this.capacity;
      }
    };
  }

  /** The key of a token: its SHA-256, base64url (43 characters). */
  static String keyOf(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  Entry get(String key) {
    if (capacity == 0) {
      return null;
    }
    synchronized (entries) {
      return entries.get(key);
    }
  }

  void put(String key, Entry entry) {
    if (capacity == 0) {
      return;
    }
    synchronized (entries) {
      entries.put(key, entry);
    }
  }

  void remove(String key) {
    synchronized (entries) {
      entries.remove(key);
    }
  }

  void clear() {
    synchronized (entries) {
      entries.clear();
    }
  }

  /** Drops the entries whose token expired before {@code epochSeconds}. */
  void dropExpired(long epochSeconds) {
    synchronized (entries) {
      entries.values().removeIf(e -> e.claims().expiresAt() < epochSeconds);
    }
  }

  int size() {
    synchronized (entries) {
      return entries.size();
    }
  }
}
