package org.relais.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
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
  private PubSub pubSub;
  private Hub hub;

  BusSubscriber(RedisSettings settings, Presence presence) {
    this.settings = settings;
    this.presence = presence;
  }

  @Override
  public Future<?> start() {
    pubSub = new PubSub(vertx, settings)
        .subscribe(Keys.BUS_CHANNEL, payload -> NodeBus.forwardLocally(vertx, payload))
        .onReconnect(() -> vertx.eventBus().publish(NodeBus.LOCAL_ADDRESS, new JsonObject().put("t", "reconnected")));
    hub = new Hub(vertx, context, pubSub);
    presence.start();
    // Start even if Redis is away right now: the subscriber keeps trying in the background.
    return pubSub.start().recover(e -> Future.succeededFuture());
  }

  Hub hub() {
    return hub;
  }

  @Override
  public Future<?> stop() {
    return presence.stop().eventually(() -> pubSub.close());
  }
}
