package org.relais.redis;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.RequestImpl;
import org.relais.core.RelaisException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

final class RedisDbImpl implements RedisDb {
  private static final Logger LOG = LoggerFactory.getLogger(RedisDb.class);

  private final Redis client;
  /** Standalone and sentinel: the multiplexed connections of every command but the WAIT batches; null on a cluster. */
  private final Pipeline pipeline;
  private final RedisSettings settings;
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

  RedisDbImpl(Vertx vertx, RedisSettings settings, MeterRegistry registry) {
    this.settings = settings;
    this.registry = registry;
    this.client = Redis.createClient(vertx, options(settings)
        .setMaxPoolSize(settings.poolSize())
        .setMaxPoolWaiting(8192)
        .setMaxWaitingHandlers(8192)
        .setPoolRecycleTimeout(15_000));
    // Sentinel keeps the pool (recycled every 15 s, automatic failover): a pipelined connection would stay on a
    // primary that the sentinels replaced while it was still reachable (a partition), until something broke it.
    this.pipeline = settings.mode() != RedisMode.STANDALONE ? null
        : new Pipeline(vertx, options(settings), pipelines(settings), settings.commandTimeoutMs());
  }

  /** How many pipelined connections: a quarter of the pool size, 1 to 4. */
  static int pipelines(RedisSettings settings) {
    return Math.max(1, Math.min(4, settings.poolSize() / 4));
  }

  /**
   * The client options of a mode. Cluster: every command goes to the master of its key's slot (replicas are never
   * read: Relais reads its own writes). Sentinel: the primary, followed through failovers.
   */
  static RedisOptions options(RedisSettings settings) {
    RedisOptions options = new RedisOptions();
    switch (settings.mode()) {
      case STANDALONE -> options.setType(RedisClientType.STANDALONE).setConnectionString(settings.url());
      case CLUSTER -> {
        options.setType(RedisClientType.CLUSTER).setUseReplicas(RedisReplicas.NEVER);
        settings.urls().forEach(options::addConnectionString);
      }
      case SENTINEL -> {
        options.setType(RedisClientType.SENTINEL).setRole(RedisRole.MASTER).setMasterName(settings.masterName())
            .setAutoFailover(true);
        settings.urls().forEach(options::addConnectionString);
      }
      default -> throw new IllegalStateException("unknown mode " + settings.mode());
    }
    return options;
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
    return measured(request.command().toString().toLowerCase(java.util.Locale.ROOT), sendRaw(request));
  }

  @Override
  public Future<List<Response>> batch(List<Request> requests) {
    if (requests.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    if (pipeline != null) {
      return measured("batch", pipeline.batch(requests));
    }
    return measured("batch", bySlot(requests));
  }

  /**
   * A batch on a cluster: the client sends a batch to one node only, so the requests are grouped by the slot of
   * their first key (keyless ones together), each group sent as one batch, and the replies put back in order.
   */
  private Future<List<Response>> bySlot(List<Request> requests) {
    Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < requests.size(); i++) {
      List<byte[]> keys = ((RequestImpl) requests.get(i)).keys();
      int slot = keys.isEmpty() ? -1 : HashSlots.slot(new String(keys.get(0), StandardCharsets.UTF_8));
      groups.computeIfAbsent(slot, s -> new ArrayList<>()).add(i);
    }
    if (groups.size() == 1) {
      return client.batch(requests);
    }
    List<List<Integer>> order = new ArrayList<>(groups.values());
    List<Future<List<Response>>> sent = new ArrayList<>();
    for (List<Integer> group : order) {
      sent.add(client.batch(group.stream().map(requests::get).toList()));
    }
    return Future.all(sent).map(all -> {
      Response[] replies = new Response[requests.size()];
      for (int g = 0; g < order.size(); g++) {
        List<Response> part = sent.get(g).result();
        for (int j = 0; j < part.size(); j++) {
          replies[order.get(g).get(j)] = part.get(j);
        }
      }
      return java.util.Arrays.asList(replies);
    });
  }

  @Override
  public Future<Response> eval(LuaScript script, List<String> keys, List<String> args) {
    String misplaced = misplacedKey(script, keys, args);
    if (misplaced != null) {
      LOG.error("script {}: {}", script.name(), misplaced);
      return Future.failedFuture(new IllegalStateException("script " + script.name() + ": " + misplaced));
    }
    Future<Response> first = sendRaw(evalRequest(script, keys, args, true)).recover(failure -> {
      if (isNoScript(failure)) {
        return sendRaw(evalRequest(script, keys, args, false));
      }
      return Future.failedFuture(failure);
    });
    return measured("script:" + script.name(), first);
  }

  @Override
  public Future<Response> evalReplicated(LuaScript script, List<String> keys, List<String> args) {
    if (settings.waitReplicas() <= 0) {
      return eval(script, keys, args);
    }
    String misplaced = misplacedKey(script, keys, args);
    if (misplaced != null) {
      return Future.failedFuture(new IllegalStateException("script " + script.name() + ": " + misplaced));
    }
    // WAIT counts the replicas that have the writes of its own connection: the script and WAIT go in one batch,
    // which the client sends on one connection (on a cluster, to the master of the script's slot). WAIT blocks its
    // connection, so this goes on a pooled connection of its own, never on the shared pipeline.
    Request wait = Request.cmd(Command.WAIT).arg(settings.waitReplicas()).arg(settings.waitTimeoutMs());
    Future<List<Response>> both = client.batch(List.of(evalRequest(script, keys, args, true), wait))
        .recover(failure -> isNoScript(failure)
            ? client.batch(List.of(evalRequest(script, keys, args, false), wait))
            : Future.failedFuture(failure));
    Future<Response> replicated = both.compose(replies -> {
      long acked = replies.get(1) == null ? 0 : replies.get(1).toLong();
      if (acked < settings.waitReplicas()) {
        LOG.warn("script {}: {} of {} replica(s) acknowledged within {} ms", script.name(), acked,
            settings.waitReplicas(), settings.waitTimeoutMs());
        return Future.failedFuture(RelaisException.unavailable(
            "The database could not copy this change to a replica in time; send it again"));
      }
      return Future.succeededFuture(replies.get(0));
    });
    return measured("script:" + script.name(), replicated, settings.commandTimeoutMs() + settings.waitTimeoutMs());
  }

  private Request evalRequest(LuaScript script, List<String> keys, List<String> args, boolean bySha) {
    boolean guarded = settings.checkScripts();
    Request request = bySha
        ? Request.cmd(Command.EVALSHA).arg(guarded ? script.guardedSha1() : script.sha1())
        : Request.cmd(Command.EVAL).arg(guarded ? script.guardedSource() : script.source());
    request.arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }

  private static boolean isNoScript(Throwable failure) {
    return failure.getMessage() != null && failure.getMessage().contains("NOSCRIPT");
  }

  /**
   * Why the call would leave its slot, or null: every KEYS entry and every declared key root must hash like
   * KEYS[1]. (Keys a script derives from KEYS[1] by suffix stay in its slot only if KEYS[1] has a hash tag: that
   * is checked inside the script when {@link RedisSettings#checkScripts()} is on.)
   */
  static String misplacedKey(LuaScript script, List<String> keys, List<String> args) {
    if (keys.isEmpty()) {
      return "a script must be given at least one key (KEYS[1] decides its slot)";
    }
    String home = keys.get(0);
    int slot = HashSlots.slot(home);
    for (String key : keys) {
      if (HashSlots.slot(key) != slot) {
        return "key " + key + " is not in the slot of KEYS[1] " + home;
      }
    }
    for (int root : script.keyRoots()) {
      if (root > args.size() || !HashSlots.hashed(args.get(root - 1)).equals(HashSlots.hashed(home))) {
        return "key root ARGV[" + root + "] does not carry the hash tag of KEYS[1] " + home;
      }
    }
    return null;
  }

  /** One command, unmeasured: on the pipeline, or on the pooled client of a cluster. */
  private Future<Response> sendRaw(Request request) {
    return pipeline != null ? pipeline.send(request) : client.send(request);
  }

  /** The pipelined connections (null on a cluster), for tests. */
  Pipeline pipeline() {
    return pipeline;
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
    Future<Void> piped = pipeline == null ? Future.succeededFuture() : pipeline.close();
    return Future.join(piped, client.close()).mapEmpty();
  }

  private <T> Future<T> measured(String name, Future<T> future) {
    return measured(name, future, settings.commandTimeoutMs());
  }

  private <T> Future<T> measured(String name, Future<T> future, long timeoutMs) {
    long start = System.nanoTime();
    return future
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
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
          || message.contains("max wait queue") || message.contains("Timeout")
          // a batch's failure is one error naming each command's: "ERR [0] java.io.IOException: Broken pipe"
          || message.contains("CONNECTION_CLOSED") || message.contains("waiting queue is full")
          || message.contains("java.io.IOException") || message.contains("Broken pipe")
          || message.contains("Connection is closed"))) {
        return true;
      }
      if (t instanceof VertxException && t.getCause() == null && message != null && message.contains("onnection")) {
        return true;
      }
    }
    return false;
  }
}
