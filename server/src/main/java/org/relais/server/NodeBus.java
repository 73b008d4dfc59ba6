package org.relais.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.relais.core.EventSink;
import org.relais.messaging.ChannelBus;
import org.relais.redis.Keys;
import org.relais.redis.RedisDb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;

/**
 * The cross-node bus for node-wide events: published on one Redis pub/sub channel, received by each node's
 * {@link BusSubscriber}, and handed to every gateway instance of that node over the local event bus at
 * {@link #LOCAL_ADDRESS}. Publishing never fails the caller: the record is already in Redis, an event is a hint.
 *
 * <p>Messages: {@code {"t":"ev","users":[…],"ev":…,"data":…}}, {@code {"t":"changed","user":…}},
 * {@code {"t":"revoked","user":…,"sid":…|null}}, {@code {"t":"follow","users":[…],"channelId":…,"after":…}},
 * {@code {"t":"followAll","orgId":…|null,"channelId":…,"after":…}}, {@code {"t":"presence","changes":[…]}} (see
 * {@link PresenceFanout}). Channel events go on each channel's own
 * topic ({@link ChannelBus#topic}), to the nodes that have interest in it.
 */
final class NodeBus implements EventSink, ChannelBus {
  static final String LOCAL_ADDRESS = "relais.node.bus";
  private static final Logger LOG = LoggerFactory.getLogger(NodeBus.class);

  private final RedisDb db;

  NodeBus(RedisDb db) {
    this.db = db;
  }

  @Override
  public Future<Void> toUsers(Collection<String> userIds, String ev, JsonObject data) {
    return publish(new JsonObject().put("t", "ev").put("users", new JsonArray(java.util.List.copyOf(userIds)))
        .put("ev", ev).put("data", data));
  }

  @Override
  public Future<Void> userChanged(String userId) {
    return publish(new JsonObject().put("t", "changed").put("user", userId));
  }

  @Override
  public Future<Void> sessionsRevoked(String userId, String sessionId) {
    return publish(new JsonObject().put("t", "revoked").put("user", userId).put("sid", sessionId));
  }

  @Override
  public Future<Void> publish(String channelId, String eventJson) {
    return db.send(Command.PUBLISH, ChannelBus.topic(channelId), eventJson)
        .<Void>mapEmpty()
        .recover(e -> {
          LOG.warn("channel publish failed: {}", e.getMessage());
          return Future.succeededFuture();
        });
  }

  @Override
  public Future<Void> follow(Collection<String> userIds, String channelId, long afterOffset) {
    return publish(new JsonObject().put("t", "follow").put("users", new JsonArray(java.util.List.copyOf(userIds)))
        .put("channelId", channelId).put("after", afterOffset));
  }

  @Override
  public Future<Void> followAll(String orgId, String channelId, long afterOffset) {
    return publish(new JsonObject().put("t", "followAll").put("orgId", orgId).put("channelId", channelId)
        .put("after", afterOffset));
  }

  /** Presence changes, each resolved by every gateway instance among its own sockets (see {@link PresenceFanout}). */
  Future<Void> presence(JsonArray changes) {
    // fails when Redis does: the caller retries (PresenceFanout), a presence change is not dropped on a blip
    return db.send(Command.PUBLISH, Keys.BUS_CHANNEL,
        new JsonObject().put("t", "presence").put("changes", changes).encode()).mapEmpty();
  }

  private Future<Void> publish(JsonObject message) {
    return db.send(Command.PUBLISH, Keys.BUS_CHANNEL, message.encode())
        .<Void>mapEmpty()
        .recover(e -> {
          LOG.warn("bus publish failed ({}): {}", message.getString("t"), e.getMessage());
          return Future.succeededFuture();
        });
  }

  /** Forwards what arrives from Redis to this node's gateways. */
  static void forwardLocally(Vertx vertx, String payload) {
    try {
      vertx.eventBus().publish(LOCAL_ADDRESS, new JsonObject(payload));
    } catch (RuntimeException e) {
      LOG.warn("ignoring a malformed bus message");
    }
  }
}
