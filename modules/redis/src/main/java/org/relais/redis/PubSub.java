package org.relais.redis;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * This node's subscriber: one dedicated Redis connection, used only for SUBSCRIBE. When the connection drops it
 * reconnects with capped, jittered backoff, subscribes again to every channel, and then tells the
 * {@link #onReconnect reconnect handlers} — messages published while it was away are lost (pub/sub is a hint;
 * history is the record), so whoever relies on it must catch up from Redis.
 * Handlers run on the context that created this object.
 *
 * <p>On a Redis Cluster, PUBLISH reaches the subscribers of every node, so the subscriber connects to one node
 * only, a plain connection to one of the configured URLs, the next one after each loss. With Sentinel it connects
 * to the current primary, asked of the sentinels at each (re)connection.
 */
public final class PubSub {
  private static final Logger LOG = LoggerFactory.getLogger(PubSub.class);
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Vertx vertx;
  private final List<Redis> clients = new ArrayList<>();
  private int nextClient;
  private final Map<String, Handler<String>> handlers = new ConcurrentHashMap<>();
  private final List<Runnable> reconnectHandlers = new ArrayList<>();
  private RedisConnection connection;
  private long backoffMs = 100;
  private boolean closed;
  private boolean everConnected;
  private boolean reconnectPending;

  private final long pingIntervalMs;
  private long pingTimer = -1;
  /** When the connection last delivered anything, and when the last PING went out (0: none on this connection). */
  private long lastHeard;
  private long pingSentAt;

  public PubSub(Vertx vertx, RedisSettings settings) {
    this(vertx, settings, 15_000);
  }

  /**
   * @param pingIntervalMs how often the connection is checked with PING; a connection that does not answer within
   *                       the interval is treated as lost (a dead peer that sent no reset would otherwise go unnoticed)
   */
  public PubSub(Vertx vertx, RedisSettings settings, long pingIntervalMs) {
    this.vertx = vertx;
    switch (settings.mode()) {
      case CLUSTER -> settings.urls().forEach(url -> clients.add(Redis.createClient(vertx,
          new RedisOptions().setType(RedisClientType.STANDALONE).setConnectionString(url).setMaxPoolSize(1))));
      case SENTINEL -> {
        RedisOptions options = new RedisOptions().setType(RedisClientType.SENTINEL).setRole(RedisRole.MASTER)
            .setMasterName(settings.masterName()).setAutoFailover(false).setMaxPoolSize(1);
        settings.urls().forEach(options::addConnectionString);
        clients.add(Redis.createClient(vertx, options));
      }
      default -> clients.add(Redis.createClient(vertx,
          new RedisOptions().setConnectionString(settings.url()).setMaxPoolSize(1)));
    }
    this.pingIntervalMs = pingIntervalMs;
  }

  /**
   * Checks the connection: lost when nothing at all (no message, no PONG) came in since the previous check, then
   * sends the next PING. Whatever comes in counts, not the PING's own reply: the Vert.x client hands a pub/sub push
   * that arrives while a PING is waiting the PING's promise (which then never completes) and the PONG to the message
   * handler, so under traffic the PING's future alone would declare a healthy connection dead every other round.
   */
  private void ping() {
    RedisConnection conn = connection;
    if (conn == null || closed) {
      return;
    }
    long now = System.currentTimeMillis();
    if (pingSentAt > 0 && lastHeard < pingSentAt && now - pingSentAt >= pingIntervalMs) {
      LOG.warn("pub/sub connection did not answer PING within {} ms", now - pingSentAt);
      lost(conn);
      return;
    }
    pingSentAt = now;
    conn.send(Request.cmd(Command.PING)).onComplete(ar -> {
      if (ar.succeeded() && connection == conn) {
        lastHeard = System.currentTimeMillis();
      }
    });
  }

  /** Registers the handler of a channel, to be subscribed at {@link #start()}. */
  public PubSub subscribe(String channel, Handler<String> handler) {
    handlers.put(channel, handler);
    return this;
  }

  /**
   * Subscribes now. The future completes once Redis has confirmed the subscription, or, while disconnected,
   * at once: the subscription is then made on reconnection, followed by the reconnect handlers.
   * Must be called on this subscriber's context.
   */
  public Future<Void> add(String channel, Handler<String> handler) {
    handlers.put(channel, handler);
    RedisConnection conn = connection;
    if (conn == null) {
      return Future.succeededFuture();
    }
    return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).mapEmpty();
  }

  /** Unsubscribes. Must be called on this subscriber's context. */
  public Future<Void> remove(String channel) {
    handlers.remove(channel);
    RedisConnection conn = connection;
    if (conn == null) {
      return Future.succeededFuture();
    }
    return conn.send(Request.cmd(Command.UNSUBSCRIBE).arg(channel)).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  /** Runs after every reconnection that follows a loss of the connection. */
  public PubSub onReconnect(Runnable handler) {
    reconnectHandlers.add(handler);
    return this;
  }

  /**
   * Connects. The future fails if Redis is not reachable now; the subscriber then keeps trying in the background.
   */
  public Future<Void> start() {
    pingTimer = vertx.setPeriodic(pingIntervalMs, t -> ping());
    return connect().onFailure(e -> scheduleReconnect());
  }

  public boolean connected() {
    return connection != null;
  }

  private Future<Void> connect() {
    Redis client = clients.get(nextClient);
    return client.connect().onFailure(e -> nextClient = (nextClient + 1) % clients.size()).compose(conn -> {
      if (closed) {
        conn.close();
        return Future.succeededFuture();
      }
      connection = conn;
      pingSentAt = 0;
      conn.handler(this::onMessage);
      conn.exceptionHandler(e -> lost(conn));
      conn.endHandler(v -> lost(conn));
      Request subscribe = Request.cmd(Command.SUBSCRIBE);
      handlers.keySet().forEach(subscribe::arg);
      Future<Response> subscribed = handlers.isEmpty() ? Future.succeededFuture() : conn.send(subscribe);
      return subscribed.<Void>map(r -> {
        backoffMs = 100;
        if (everConnected) {
          LOG.info("pub/sub reconnected; {} channel(s) subscribed again", handlers.size());
          reconnectHandlers.forEach(Runnable::run);
        }
        everConnected = true;
        return null;
      }).onFailure(e -> lost(conn));
    });
  }

  private void lost(RedisConnection conn) {
    if (connection != conn) {
      return;
    }
    connection = null;
    conn.close();
    nextClient = (nextClient + 1) % clients.size();
    if (!closed) {
      LOG.warn("pub/sub connection lost; reconnecting");
      scheduleReconnect();
    }
  }

  private void scheduleReconnect() {
    if (reconnectPending || closed) {
      return;
    }
    reconnectPending = true;
    long delay = backoffMs / 2 + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    vertx.setTimer(delay, id -> {
      reconnectPending = false;
      if (!closed) {
        connect().onFailure(e -> scheduleReconnect());
      }
    });
  }

  private void onMessage(Response message) {
    lastHeard = System.currentTimeMillis();
    // A PONG (a simple string in RESP3, ["pong", ""] in RESP2) or a subscription confirmation: alive, nothing to do.
    if (message == null || (message.type() != ResponseType.MULTI && message.type() != ResponseType.PUSH)
        || message.size() < 3 || !"message".equals(message.get(0).toString())) {
      return;
    }
    Handler<String> handler = handlers.get(message.get(1).toString());
    if (handler != null) {
      try {
        handler.handle(message.get(2).toString());
      } catch (RuntimeException e) {
        LOG.error("pub/sub handler failed", e);
      }
    }
  }

  public Future<Void> close() {
    closed = true;
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
    }
    RedisConnection conn = connection;
    connection = null;
    if (conn != null) {
      conn.close();
    }
    return Future.all(clients.stream().map(Redis::close).toList()).mapEmpty();
  }
}
