package org.relais.notifications;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.relais.core.Principal;
import org.relais.redis.RedisDb;

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291). The VAPID key pair is made
 * on first start and kept in Redis, so every node signs alike and subscriptions survive restarts.
 */
public interface PushService {

  /**
   * Loads or makes the VAPID keys.
   *
   * @param sessions whether the login session that subscribed a browser is still open
   */
  static Future<PushService> create(Vertx vertx, RedisDb db, PushSettings settings, SessionCheck sessions) {
    return PushServiceImpl.create(vertx, db, settings, sessions);
  }

  /** Whether a login session is still open. */
  @FunctionalInterface
  interface SessionCheck {
    Future<Boolean> active(String sessionId);
  }

  /** The application server key for {@code pushManager.subscribe}: the uncompressed P-256 point, base64url. */
  String vapidPublicKey();

  /** Stores a browser subscription {@code {"endpoint","keys":{"p256dh","auth"}}} for the caller. */
  Future<JsonObject> subscribe(Principal p, JsonObject subscription);

  Future<JsonObject> unsubscribe(Principal p, String endpoint);

  /**
   * Pushes {@code payload} to each of the user's subscriptions. A 404 or 410 removes that subscription; 429 and
   * 5xx are retried with backoff. Completes with the number of subscriptions that accepted it; never fails.
   *
   * @param urgency {@code very-low}, {@code low}, {@code normal} or {@code high}
   * @param topic   replaces a not-yet-delivered push with the same topic at the push service (may be null)
   */
  Future<Integer> send(String userId, JsonObject payload, String urgency, String topic);
}
