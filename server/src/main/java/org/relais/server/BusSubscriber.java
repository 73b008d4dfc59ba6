package org.relais.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.relais.redis.Keys;
import org.relais.redis.PubSub;
import org.relais.redis.RedisSettings;

/**
 * This node's one pub/sub subscriber. After a lost connection is restored, it tells the gateways
 * ({@code {"t":"reconnected"}}) so they re-check what they may have missed.
 */
final class BusSubscriber extends VerticleBase {
  private final RedisSettings settings;
  private PubSub pubSub;
  private Hub hub;

  BusSubscriber(RedisSettings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    pubSub = new PubSub(vertx, settings)
        .subscribe(Keys.BUS_CHANNEL, payload -> NodeBus.forwardLocally(vertx, payload))
        .onReconnect(() -> vertx.eventBus().publish(NodeBus.LOCAL_ADDRESS, new JsonObject().put("t", "reconnected")));
    hub = new Hub(vertx, context, pubSub);
    // Start even if Redis is away right now: the subscriber keeps trying in the background.
    return pubSub.start().recover(e -> Future.succeededFuture());
  }

  Hub hub() {
    return hub;
  }

  @Override
  public Future<?> stop() {
    return pubSub.close();
  }
}
