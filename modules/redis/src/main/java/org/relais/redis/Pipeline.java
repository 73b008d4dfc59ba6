package org.relais.redis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.redis.client.impl.PooledRedisConnection;
import io.vertx.redis.client.impl.RedisStandaloneConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A few long-lived Redis connections shared by every caller, each carrying many commands at once (pipelining: a
 * command is written as soon as it is sent, and Redis answers each connection's commands in order). A pool that
 * lends a connection per command allows only as many commands in flight as it has connections; here the bound is
 * {@link #MAX_IN_FLIGHT} per connection.
 *
 * <p>Only commands that answer at once may go here: nothing that blocks its connection (WAIT, BLPOP...), nothing
 * that changes its state (MULTI, SELECT, SUBSCRIBE...), as every other caller's commands queue behind it.
 *
 * <p>Loss: when a connection closes or fails, the client fails its commands in flight (they read as
 * {@code unavailable}), and the next command makes a new connection. A connection that has commands in flight
 * and has answered none of them within the command timeout is taken as dead and closed (a peer that vanished
 * without a reset would otherwise hold every command until the operating system gives up on it). After a failed
 * connection attempt, the next one waits for a backoff (100 ms doubling to 1 s); commands waiting for it still fail
 * at their own timeout.
 *
 * <p>Writes: the commands written to a connection during one turn of its event loop go out in one write system call
 * (a {@link FlushConsolidationHandler} in the connection's Netty pipeline turns their flushes into one, at the end of
 * the turn), and a caller on the connection's own event loop keeps to one connection while it has fewer than
 * {@link #SPREAD_ABOVE} commands in flight, so that the commands of one turn (say a rate-limit check and the access
 * reads of many sends) share that write, and Redis's replies to them come back in few reads. The client writes and
 * flushes every command by itself otherwise: one system call per command, on each of the connections in turn.
 */
final class Pipeline {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
  /** Commands in flight on one connection before further ones fail with {@code unavailable}. */
  static final int MAX_IN_FLIGHT = 16_384;
  private static final long MIN_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 1_000;
  /**
   * Commands in flight on the caller's own connection above which a command goes to the connection with the fewest
   * instead (a burst is spread; ordinary traffic shares one connection and its writes).
   */
  static final int SPREAD_ABOVE = 64;
  /** The client's socket inside its connection: the client gives no other way to its Netty pipeline. */
  private static final Field NET_SOCKET = netSocketField();

  private final Vertx vertx;
  private final Redis client;
  private final long timeoutMs;
  private final Slot[] slots;
  private final long watchdog;
  private volatile boolean closed;

  Pipeline(Vertx vertx, RedisOptions options, int connections, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    // the pool only makes the connections: each is borrowed once and kept until it is lost
    RedisOptions own = new RedisOptions(options)
        .setMaxPoolSize(connections)
        .setMaxPoolWaiting(connections * 4)
        .setMaxWaitingHandlers(MAX_IN_FLIGHT)
        .setPoolRecycleTimeout(-1)
        .setAutoFailover(false);
    // an attempt abandoned at its timeout must not hold a pool slot for the TCP default (60 s) when Redis is gone
    own.setNetClientOptions(new io.vertx.core.net.NetClientOptions(own.getNetClientOptions())
        .setConnectTimeout((int) Math.max(timeoutMs, 1_000)));
    this.client = Redis.createClient(vertx, own);
    this.slots = new Slot[connections];
    for (int i = 0; i < connections; i++) {
      slots[i] = new Slot(i);
    }
    long period = Math.max(50, timeoutMs / 4);
    this.watchdog = vertx.setPeriodic(period, period, id -> {
      for (Slot slot : slots) {
        slot.checkStalled();
      }
    });
  }

  /*
   * The futures returned complete on the caller's context: the client's own futures do (it makes them with
   * vertx.promise()); one composed on the shared connection attempt would complete on the context of whoever
   * started it, and one composed on a bare completed future has none (a timeout set on it later would then fire on
   * a Netty global thread).
   */

  Future<Response> send(Request request) {
    Slot slot = pick();
    RedisConnection conn = slot.current();
    if (conn != null) {
      return slot.track(conn, conn.send(request));
    }
    Promise<Response> reply = ((VertxInternal) vertx).promise();
    long deadline = deadline();
    slot.connection().compose(c -> late(deadline) ? Future.<Response>failedFuture(tooLate()) : slot.track(c, c.send(request)))
        .onComplete(reply);
    return reply.future();
  }

  /** The requests written back to back on one connection, replies in order. */
  Future<List<Response>> batch(List<Request> requests) {
    Slot slot = pick();
    RedisConnection conn = slot.current();
    if (conn != null) {
      return slot.track(conn, conn.batch(requests));
    }
    Promise<List<Response>> replies = ((VertxInternal) vertx).promise();
    long deadline = deadline();
    slot.connection()
        .compose(c -> late(deadline) ? Future.<List<Response>>failedFuture(tooLate()) : slot.track(c, c.batch(requests)))
        .onComplete(replies);
    return replies.future();
  }

  /*
   * A command waiting for a connection is not written once its caller's timeout has passed: the caller was told
   * unavailable, and a send script run a second later would still store and publish what the sender believes failed.
   */
  private long deadline() {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
  }

  private static boolean late(long deadline) {
    return System.nanoTime() - deadline >= 0;
  }

  private static ConnectException tooLate() {
    return new ConnectException("Redis connection not made before the command's timeout");
  }

  /**
   * The first connected slot on the caller's event loop with fewer than {@link #SPREAD_ABOVE} commands in flight;
   * else the connected slot with the fewest commands in flight; a slot being (re)made only when none is connected
   * (its in-flight count is zero, so counting alone would send everything to the one connection that is not there).
   */
  private Slot pick() {
    Slot best = null;
    int least = Integer.MAX_VALUE;
    for (Slot slot : slots) {
      if (slot.current() == null) {
        continue;
      }
      int n = slot.inFlight();
      if (n < SPREAD_ABOVE && slot.onCallersLoop()) {
        return slot;
      }
      if (n < least) {
        least = n;
        best = slot;
      }
    }
    return best != null ? best : slots[(int) (System.nanoTime() & Integer.MAX_VALUE) % slots.length];
  }

  /** Flushes that reached the sockets of every connection so far (one per write system call, at most); for tests. */
  long flushes() {
    long n = 0;
    for (Slot slot : slots) {
      n += slot.flushes();
    }
    return n;
  }

  /** Commands in flight on every connection (for tests and metrics). */
  int inFlight() {
    int n = 0;
    for (Slot slot : slots) {
      n += slot.inFlight();
    }
    return n;
  }

  Future<Void> close() {
    closed = true;
    vertx.cancelTimer(watchdog);
    for (Slot slot : slots) {
      slot.drop(null);
    }
    return client.close();
  }

  private final class Slot {
    private final int index;
    private RedisConnection connection;
    private Future<RedisConnection> connecting;
    private long retryAt;
    private long backoffMs = MIN_BACKOFF_MS;
    private int inFlight;
    /** Bumped at each loss: replies of a lost connection no longer count. */
    private int generation;
    /** When the connection last showed progress: a reply, or a command sent while none was in flight. */
    private long progressAt;
    /** The event loop of the connection's socket, or null if unknown; and its flush counter (null: none). */
    private volatile EventExecutor loop;
    private volatile FlushCounter counter;

    Slot(int index) {
      this.index = index;
      this.retryAt = System.nanoTime();
    }

    synchronized int inFlight() {
      return inFlight;
    }

    synchronized RedisConnection current() {
      return connection;
    }

    boolean onCallersLoop() {
      EventExecutor l = loop;
      return l != null && l.inEventLoop();
    }

    long flushes() {
      FlushCounter c = counter;
      return c == null ? 0 : c.flushes;
    }

    /** The connection, once made: on the context of the first caller that asked for it. */
    synchronized Future<RedisConnection> connection() {
      if (connection != null) {
        return Future.succeededFuture(connection);
      }
      if (closed) {
        return Future.failedFuture(new ConnectException("Redis client closed"));
      }
      if (connecting != null) {
        return connecting;
      }
      // after a failed attempt the next one waits for the backoff (the callers' command timeouts still run)
      long delayMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(retryAt - System.nanoTime()));
      Promise<RedisConnection> made = ((VertxInternal) vertx).promise();
      Future<RedisConnection> attempt = made.future();
      connecting = attempt;
      if (delayMs > 0) {
        vertx.setTimer(delayMs, id -> connect(attempt, made));
      } else {
        connect(attempt, made);
      }
      return attempt;
    }

    private void connect(Future<RedisConnection> attempt, Promise<RedisConnection> made) {
      Future<RedisConnection> raw = client.connect();
      raw.timeout(Math.max(timeoutMs, 1_000), TimeUnit.MILLISECONDS).onComplete(ar -> {
        if (ar.failed()) {
          failed(attempt, ar.cause());
          made.tryFail(ar.cause());
        } else if (connected(attempt, ar.result())) {
          made.tryComplete(ar.result());
        } else {
          forceClose(ar.result());
          made.tryFail(new ConnectException("Redis client closed"));
        }
      });
      // made too late (the attempt had timed out): not used
      raw.onSuccess(conn -> {
        if (current() != conn) {
          forceClose(conn);
        }
      });
    }

    private void failed(Future<RedisConnection> attempt, Throwable failure) {
      synchronized (this) {
        if (connecting != attempt) {
          return;
        }
        connecting = null;
        retryAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      }
      LOG.debug("redis pipeline {} could not connect: {}", index, failure.toString());
    }

    private boolean connected(Future<RedisConnection> attempt, RedisConnection conn) {
      synchronized (this) {
        if (connecting != attempt || closed) {
          return false;
        }
        connection = conn;
        connecting = null;
        backoffMs = MIN_BACKOFF_MS;
      }
      consolidate(conn);
      conn.endHandler(v -> lost(conn, "closed"));
      conn.exceptionHandler(e -> {
        // the client also reports a reply that came for a command already failed: not a loss
        if (!(e instanceof IllegalStateException)) {
          lost(conn, e.toString());
        }
      });
      LOG.debug("redis pipeline {} connected", index);
      return true;
    }

    /** Installs the flush consolidation in the connection's Netty pipeline (without it, each command flushes). */
    private void consolidate(RedisConnection conn) {
      NetSocketInternal socket = socketOf(conn);
      if (socket == null) {
        loop = null;
        counter = null;
        return;
      }
      ChannelHandlerContext handler = socket.channelHandlerContext();
      ChannelPipeline netty = handler.pipeline();
      FlushCounter flushes = new FlushCounter();
      try {
        // outbound, flushes go from the client's handler towards the socket: through the consolidation, then the count
        netty.addBefore(handler.name(), "relais-flush-count", flushes);
        netty.addBefore(handler.name(), "relais-flush-consolidation",
            new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
      } catch (RuntimeException e) {
        LOG.debug("redis pipeline {}: flushes not consolidated ({})", index, e.toString());
        return;
      }
      counter = flushes;
      loop = handler.executor();
    }

    <T> Future<T> track(RedisConnection conn, Future<T> reply) {
      int gen;
      synchronized (this) {
        gen = generation;
        if (inFlight++ == 0) {
          progressAt = System.nanoTime();
        }
      }
      return reply.andThen(ar -> {
        synchronized (this) {
          if (generation == gen) {
            inFlight--;
            progressAt = System.nanoTime();
          }
        }
        if (ar.failed() && ar.cause().getMessage() != null && ar.cause().getMessage().startsWith("READONLY")) {
          // the server is no longer the primary (a failover without a disconnection): ask again
          LOG.warn("redis pipeline {}: the server is read-only; reconnecting", index);
          drop(conn);
        }
      });
    }

    private void lost(RedisConnection conn, String why) {
      synchronized (this) {
        if (connection != conn) {
          return;
        }
        connection = null;
        inFlight = 0;
        generation++;
      }
      LOG.warn("redis pipeline {} lost its connection ({}); the next command reconnects", index, why);
    }

    /** Closes the connection if it has commands in flight and has answered none within the command timeout. */
    void checkStalled() {
      RedisConnection conn;
      synchronized (this) {
        conn = connection;
        if (conn == null || inFlight == 0 || System.nanoTime() - progressAt < TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
          return;
        }
      }
      LOG.warn("redis pipeline {}: no reply within {} ms; closing the connection", index, timeoutMs);
      drop(conn);
    }

    /** Closes the connection (or the given one only, if not null): its commands in flight fail. */
    void drop(RedisConnection only) {
      RedisConnection conn;
      synchronized (this) {
        conn = connection;
        if (conn == null || (only != null && conn != only)) {
          return;
        }
        connection = null;
        inFlight = 0;
        generation++;
      }
      forceClose(conn);
    }
  }

  /** Counts the flushes that reach the socket. Confined to the connection's event loop (read from others for tests). */
  private static final class FlushCounter extends ChannelDuplexHandler {
    private volatile long flushes;

    @Override
    public void flush(ChannelHandlerContext ctx) {
      flushes++;
      ctx.flush();
    }
  }

  private static Field netSocketField() {
    try {
      Field f = RedisStandaloneConnection.class.getDeclaredField("netSocket");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.info("Redis writes will not be consolidated: {}", e.toString());
      return null;
    }
  }

  /** The socket of a standalone connection, or null when it cannot be reached. */
  private static NetSocketInternal socketOf(RedisConnection conn) {
    Object actual = conn instanceof PooledRedisConnection pooled ? pooled.actual() : conn;
    if (NET_SOCKET == null || !(actual instanceof RedisStandaloneConnection)) {
      return null;
    }
    try {
      return NET_SOCKET.get(actual) instanceof NetSocketInternal socket ? socket : null;
    } catch (IllegalAccessException | RuntimeException e) {
      return null;
    }
  }

  /** Closes the socket itself (closing a pooled connection would only give it back to the pool). */
  private static void forceClose(RedisConnection conn) {
    if (conn instanceof PooledRedisConnection pooled) {
      pooled.actual().forceClose();
    } else {
      conn.close();
    }
  }
}
