package org.relais.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.relais.messaging.MessagingService;
import org.relais.redis.Keys;
import org.relais.redis.PubSub;
import org.relais.realtime.Presence;
import org.relais.redis.RedisSettings;

/**
 * This node's one pub/sub subscriber, with the {@link Hub} of channel topics. After a lost connection is restored,
 * it tells the gateways ({@code {"t":"reconnected"}}) so they re-check what they may have missed. It also runs
 * this node's presence sweeper.
 */
final class BusSubscriber extends VerticleBase {
  private final RedisSettings settings;
  private final Presence presence;
  private final MessagingService messaging;
  private PubSub pubSub;
  private Hub hub;
  /** The epoch this node serves; when Redis holds another (or none: it lost its data), every socket must resync. */
  private String epoch;
  private long epochTimer = -1;
  static final long EPOCH_CHECK_MS = 2_000;

  BusSubscriber(RedisSettings settings, Presence presence, MessagingService messaging) {
    this.settings = settings;
    this.presence = presence;
    this.messaging = messaging;
  }

  @Override
  public Future<?> start() {
    pubSub = new PubSub(vertx, settings)
        .subscribe(Keys.BUS_CHANNEL, payload -> NodeBus.forwardLocally(vertx, payload))
        .onReconnect(() -> {
          checkEpoch();
          vertx.eventBus().publish(NodeBus.LOCAL_ADDRESS, new JsonObject().put("t", "reconnected"));
        });
    hub = new Hub(vertx, context, pubSub);
    presence.start();
    messaging.epoch().onSuccess(e -> epoch = e);
    epochTimer = vertx.setPeriodic(EPOCH_CHECK_MS, t -> checkEpoch());
    // Start even if Redis is away right now: the subscriber keeps trying in the background.
    return pubSub.start().recover(e -> Future.succeededFuture());
  }

  /**
   * Compares the database's epoch with the one this node serves. A flushed or replaced database has none (a new one
   * is made) or another: the gateways then tell every socket {@code resync} (epoch) and close it, so that no client
   * goes on from offsets of a history that no longer exists.
   */
  private void checkEpoch() {
    messaging.epoch().onSuccess(current -> {
      if (epoch == null) {
        epoch = current;
      } else if (!epoch.equals(current)) {
        epoch = current;
        vertx.eventBus().publish(NodeBus.LOCAL_ADDRESS, new JsonObject().put("t", "epoch").put("epoch", current));
      }
    });
  }

  String epoch() {
    return epoch;
  }

  Hub hub() {
    return hub;
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(epochTimer);
    return presence.stop().eventually(() -> pubSub.close());
  }
}
