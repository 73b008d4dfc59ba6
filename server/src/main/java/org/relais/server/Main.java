package org.relais.server;

import org.relais.redis.ManagedRedis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts Relais: reads the configuration, starts a managed redis-server when no Redis URL is configured,
 * starts the server, and on shutdown (Ctrl+C, SIGTERM) closes sockets with 1001 and stops Redis cleanly.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  /**
   * With one CPU (or under 1792 MB of memory) and no collector named, the JVM silently picks the Serial collector,
   * whose pauses grow with the number of connections held (40-250 ms after a ramp to 10,000 sockets). The run
   * command in the README names one (see docs/MEMORY.md, "Garbage collector and heap"); this says so when it was
   * not.
   */
  static void warnIfSerialGc() {
    for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc.getName().equals("MarkSweepCompact")) {
        LOG.warn("The JVM chose the Serial garbage collector ({} CPU(s), {} MB max heap): its pauses grow with the "
            + "connections held. Start with java -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Xms512m -Xmx512m "
            + "-XX:+AlwaysPreTouch -jar relais.jar "
            + "(see README, Run it).", Runtime.getRuntime().availableProcessors(),
            Runtime.getRuntime().maxMemory() >> 20);
        return;
      }
    }
  }

  public static void main(String[] args) {
    RelaisConfig config;
    try {
      config = RelaisConfig.load(Arrays.asList(args), System.getenv());
    } catch (RelaisConfig.ConfigException e) {
      System.err.println("relais: " + e.getMessage());
      System.exit(2);
      return;
    }
    warnIfSerialGc();
    ManagedRedis managed = null;
    String redisUrl = config.redisUrl();
    try {
      if (redisUrl == null) {
        ManagedRedis.Fsync fsync = config.managedRedisFsync().equals("always") ? ManagedRedis.Fsync.ALWAYS
            : ManagedRedis.Fsync.EVERYSEC;
        managed = ManagedRedis.start(config.dataDir(), config.managedRedisPort(), fsync);
        redisUrl = managed.url();
        LOG.info("Redis: {} on 127.0.0.1:{}, data in {} (append-only, fsync {})",
            managed.source(), managed.port(), managed.dataDir(), fsync.redisValue());
      } else {
        LOG.info("Redis ({}): {}", config.redisMode().wire(), RelaisServer.redisSettings(config, redisUrl).redactedUrl());
      }
      RelaisServer server = RelaisServer.start(config, redisUrl).toCompletionStage().toCompletableFuture().get();
      ManagedRedis redisToStop = managed;
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        LOG.info("Relais stopping");
        try {
          server.stop().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
          LOG.warn("stopping the server: {}", e.toString());
        }
        if (redisToStop != null) {
          redisToStop.stop();
          LOG.info("Redis stopped; data kept in {}", redisToStop.dataDir());
        }
        stopped.countDown();
      }, "relais-shutdown"));
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      LOG.error("Relais could not start: {}", cause.getMessage(), cause);
      if (managed != null) {
        managed.stop();
      }
      System.exit(1);
    }
  }
}
