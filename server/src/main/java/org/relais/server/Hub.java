package org.relais.server;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.relais.redis.PubSub;

import java.util.HashMap;
import java.util.Map;

/**
 * This node's subscriptions to channel topics: one Redis subscription per topic in which some socket of this node
 * has interest, counted across the node's gateway instances (as centrifuge does). What arrives is published on
 * the local event bus at {@link #address}, where each interested gateway instance listens. All state is confined
 * to the subscriber's context; callers on other event loops hop onto it.
 */
final class Hub {
  private final Vertx vertx;
  private final Context context;
  private final PubSub pubSub;
  private final Map<String, Integer> interest = new HashMap<>();

  Hub(Vertx vertx, Context context, PubSub pubSub) {
    this.vertx = vertx;
    this.context = context;
    this.pubSub = pubSub;
  }

  /** The local event-bus address of a topic. */
  static String address(String topic) {
    return "relais.topic." + topic;
  }

  /**
   * Counts one more interested gateway instance; completes once the node is subscribed, on the caller's context
   * (what follows writes to the caller's sockets, which only their own event loop may do).
   */
  Future<Void> addInterest(String topic) {
    Promise<Void> done = Promise.promise();
    Context caller = Vertx.currentContext();
    context.runOnContext(v -> {
      int count = interest.merge(topic, 1, Integer::sum);
      if (count == 1) {
        pubSub.add(topic, payload -> vertx.eventBus().publish(address(topic), payload))
            .onComplete(ar -> completeOn(caller, done, ar.failed() ? ar.cause() : null));
      } else {
        completeOn(caller, done, null);
      }
    });
    return done.future();
  }

  private static void completeOn(Context caller, Promise<Void> done, Throwable failure) {
    if (caller == null) {
      done.handle(failure == null ? Future.succeededFuture() : Future.failedFuture(failure));
    } else {
      caller.runOnContext(x -> done.handle(failure == null ? Future.succeededFuture() : Future.failedFuture(failure)));
    }
  }

  /** Counts one interested gateway instance less; the last one unsubscribes the node. */
  void removeInterest(String topic) {
    context.runOnContext(v -> {
      Integer count = interest.computeIfPresent(topic, (t, c) -> c > 1 ? c - 1 : null);
      if (count == null) {
        pubSub.remove(topic);
      }
    });
  }
}
