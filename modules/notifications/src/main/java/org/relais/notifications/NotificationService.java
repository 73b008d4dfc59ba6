package org.relais.notifications;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.relais.core.EventSink;
import org.relais.core.Principal;
import org.relais.identity.IdentityService;
import org.relais.messaging.MessagingObserver;
import org.relais.messaging.MessagingService;
import org.relais.redis.RedisDb;

/**
 * Each person's notification center, in Redis, with its live side and Web Push.
 *
 * <p>A notification is created once per dedupe key, in the recipient's language, respecting their preferences
 * (a kind turned off or a muted channel makes none). It reaches every connected session at once
 * ({@code notification.new}, then {@code notification.count}); when the person has no live session (or as they
 * chose), it is also pushed to each of their browsers — except in their quiet hours — with the pushes of one
 * conversation coalesced per window. The node that handles the change creates the notification and pushes it,
 * so each is created and pushed once, whatever the number of nodes; coalesced summaries are claimed atomically.
 */
public interface NotificationService {

  static NotificationService create(Vertx vertx, RedisDb db, IdentityService identity, MessagingService messaging,
                                    EventSink events, PushService push, OnlineCheck online,
                                    NotificationSettings settings) {
    return new NotificationServiceImpl(vertx, db, identity, messaging, events, push, online, settings);
  }

  /** Creates (once) and delivers one notification. Never fails the caller. */
  Future<Void> notify(Notification notification);

  /** Messaging's observer: mentions, direct messages, "all" channels, invitations. */
  MessagingObserver messagingObserver();

  Future<JsonObject> list(Principal p, JsonObject data);

  Future<JsonObject> markRead(Principal p, JsonObject data);

  Future<JsonObject> preferences(Principal p);

  Future<JsonObject> setPreferences(Principal p, JsonObject data);

  /** Starts the timer that sends coalesced summaries when their window ends. */
  void start();

  void stop();
}
