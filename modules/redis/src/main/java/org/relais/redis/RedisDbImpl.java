package org.relais.redis;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.relais.core.RelaisException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

final class RedisDbImpl implements RedisDb {
  private static final Logger LOG = LoggerFactory.getLogger(RedisDb.class);

  private final Redis client;
  private final RedisSettings settings;
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

  RedisDbImpl(Vertx vertx, RedisSettings settings, MeterRegistry registry) {
    this.settings = settings;
    this.registry = registry;
    this.client = Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(settings.url())
        .setMaxPoolSize(settings.poolSize())
        .setMaxPoolWaiting(8192)
        .setMaxWaitingHandlers(8192)
        .setPoolRecycleTimeout(15_000));
  }

  @Override
  public Future<Response> send(Command command, Object... args) {
    Request request = Request.cmd(command);
    for (Object arg : args) {
      request.arg(arg.toString());
    }
    return send(request);
  }

  @Override
  public Future<Response> send(Request request) {
    return measured(request.command().toString().toLowerCase(java.util.Locale.ROOT), client.send(request));
  }

  @Override
  public Future<List<Response>> batch(List<Request> requests) {
    if (requests.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return measured("batch", client.batch(requests));
  }

  @Override
  public Future<Response> eval(LuaScript script, List<String> keys, List<String> args) {
    Request evalsha = Request.cmd(Command.EVALSHA).arg(script.sha1()).arg(keys.size());
    keys.forEach(evalsha::arg);
    args.forEach(evalsha::arg);
    Future<Response> first = client.send(evalsha).recover(failure -> {
      if (failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT")) {
        Request eval = Request.cmd(Command.EVAL).arg(script.source()).arg(keys.size());
        keys.forEach(eval::arg);
        args.forEach(eval::arg);
        return client.send(eval);
      }
      return Future.failedFuture(failure);
    });
    return measured("script:" + script.name(), first);
  }

  @Override
  public Future<Void> ping() {
    return send(Command.PING).mapEmpty();
  }

  @Override
  public Redis client() {
    return client;
  }

  @Override
  public RedisSettings settings() {
    return settings;
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }

  private <T> Future<T> measured(String name, Future<T> future) {
    long start = System.nanoTime();
    return future
        .timeout(settings.commandTimeoutMs(), TimeUnit.MILLISECONDS)
        .andThen(ar -> timer(name).record(System.nanoTime() - start, TimeUnit.NANOSECONDS))
        .recover(failure -> Future.failedFuture(translate(name, failure)));
  }

  private Timer timer(String name) {
    return timers.computeIfAbsent(name, n -> Timer.builder("relais.redis.command")
        .description("Redis command latency, by command or script")
        .tag("command", n)
        .publishPercentileHistogram()
        .register(registry));
  }

  /** Failures to reach Redis become {@code unavailable}; anything else stays as it is (and reads as internal). */
  private static Throwable translate(String name, Throwable failure) {
    if (failure instanceof RelaisException) {
      return failure;
    }
    if (isConnectivity(failure)) {
      LOG.debug("redis {} failed: {}", name, failure.toString());
      return RelaisException.unavailable("The database is not reachable; try again shortly");
    }
    LOG.warn("redis {} failed: {}", name, failure.toString());
    return failure;
  }

  static boolean isConnectivity(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException || t instanceof ConnectException || t instanceof ClosedChannelException
          || t instanceof IOException) {
        return true;
      }
      String message = t.getMessage();
      if (message != null && (message.contains("Connection refused") || message.contains("closed")
          || message.contains("Connection reset") || message.startsWith("LOADING")
          || message.contains("max wait queue") || message.contains("Timeout"))) {
        return true;
      }
      if (t instanceof VertxException && t.getCause() == null && message != null && message.contains("onnection")) {
        return true;
      }
    }
    return false;
  }
}
