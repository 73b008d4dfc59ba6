package org.relais.redis;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;

/**
 * The database: every Redis command of Relais goes through here. Commands time out, are measured
 * ({@code relais_redis_command_seconds}), and when Redis cannot be reached they fail with {@code unavailable}.
 * Connections are re-made on demand, so the client recovers by itself when Redis comes back. Standalone and
 * sentinel: commands share a few pipelined connections (many commands in flight on each, see {@code Pipeline});
 * cluster: a pool lends one connection per command.
 */
public interface RedisDb {

  static RedisDb create(Vertx vertx, RedisSettings settings, MeterRegistry registry) {
    return new RedisDbImpl(vertx, settings, registry);
  }

  /** Sends one command; args are converted with {@code toString()}. */
  Future<Response> send(Command command, Object... args);

  /** Sends one prepared request. */
  Future<Response> send(Request request);

  /**
   * Sends several commands in one round trip (not a transaction). On a Redis Cluster the commands are grouped by
   * the slot of their first key and the groups sent in parallel: the order of commands is kept within a slot only.
   */
  Future<List<Response>> batch(List<Request> requests);

  /**
   * Runs a script atomically. Fails without running it when its KEYS, or the key roots it declares, are not all in
   * the slot of {@code KEYS[1]}, or when {@code KEYS[1]} has no hash tag (see {@link LuaScript}).
   */
  Future<Response> eval(LuaScript script, List<String> keys, List<String> args);

  /**
   * Like {@link #eval}, and when {@link RedisSettings#waitReplicas()} is above 0, completes only once that many
   * replicas have the script's writes (Redis WAIT). If they do not within {@link RedisSettings#waitTimeoutMs()}, it
   * fails with {@code unavailable} although the primary has the writes: the caller's retry must be idempotent.
   */
  Future<Response> evalReplicated(LuaScript script, List<String> keys, List<String> args);

  /** Completes when Redis answers PING within the command timeout. */
  Future<Void> ping();

  /** The underlying client, for {@link PubSub}'s dedicated connection. */
  Redis client();

  RedisSettings settings();

  Future<Void> close();
}
