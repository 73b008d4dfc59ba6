package org.relais.tests.redis;

import org.relais.core.Ids;
import org.relais.redis.ManagedRedis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A primary, two replicas and three sentinels for tests: six processes of the same redis-server binary as
 * {@link TestRedis} (the sentinels run it with {@code --sentinel}), on free loopback ports, in temporary directories,
 * all password-protected with one password (the sentinels too, as docs/CLUSTER.md describes), the primary known to the
 * sentinels as {@link #MASTER_NAME} with quorum 2. The sentinels consider a primary down after
 * {@code downAfterMs}, so a killed primary is replaced within a few seconds. Everything is killed on {@link #close()}.
 */
public final class TestSentinel implements AutoCloseable {
  public static final String MASTER_NAME = "relais";
  /**
   * Two replicas: after a failover the new primary still has one, so that sends with redisWaitReplicas=1 work again
   * (with one replica they stop until the old primary comes back as a replica, as docs/CLUSTER.md says).
   */
  public static final int REPLICAS = 2;
  private final String password = Ids.newSecret();
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> dirs = new ArrayList<>();
  /** Data nodes (the primary first, then the replica), by index. */
  private final List<Integer> dataPorts = new ArrayList<>();
  private final List<Process> dataProcesses = new ArrayList<>();
  private final List<Integer> sentinelPorts = new ArrayList<>();

  private TestSentinel() {
  }

  /**
   * Starts the primary, its replicas (awaited in sync) and three sentinels (awaited until each knows the replicas and
   * the two other sentinels).
   */
  public static TestSentinel start(long downAfterMs) throws IOException {
    Path exe = ManagedRedis.executable();
    TestSentinel s = new TestSentinel();
    try {
      int primary = s.startData(exe, null);
      for (int i = 0; i < REPLICAS; i++) {
        s.startData(exe, primary);
      }
      for (int port : s.dataPorts) {
        s.awaitPong(port, s.password);
      }
      for (int i = 1; i <= REPLICAS; i++) {
        s.awaitReplicaInSync(s.dataPorts.get(i));
      }
      for (int i = 0; i < 3; i++) {
        s.startSentinel(exe, primary, downAfterMs);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      for (int port : s.sentinelPorts) {
        while (true) {
          String master = s.sentinelCommand(port, "SENTINEL", "MASTER", MASTER_NAME);
          if (master.contains("num-slaves\n" + REPLICAS) && master.contains("num-other-sentinels\n2")) {
            break;
          }
          if (System.nanoTime() > deadline) {
            throw new IOException("the sentinels did not find each other and the replica within 20 s: " + master);
          }
          TestCluster.sleep(100);
        }
      }
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private int startData(Path exe, Integer replicaOf) throws IOException {
    Path dir = Files.createTempDirectory("relais-sentinel-data-");
    int port = TestCluster.freePort();
    List<String> conf = new ArrayList<>(List.of(
        "bind 127.0.0.1",
        "port " + port,
        "dir \"" + dir + "\"",
        "logfile \"" + dir.resolve("redis.log") + "\"",
        "appendonly yes",
        "appendfsync always",
        "save \"\"",
        "requirepass " + password,
        "masterauth " + password,
        "repl-diskless-sync yes",
        "repl-diskless-sync-delay 0"));
    if (replicaOf != null) {
      conf.add("replicaof 127.0.0.1 " + replicaOf);
    }
    Files.write(dir.resolve("redis.conf"), conf, StandardCharsets.UTF_8);
    Process p = new ProcessBuilder(exe.toString(), dir.resolve("redis.conf").toString())
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("redis.out").toFile()).start();
    processes.add(p);
    dataProcesses.add(p);
    dirs.add(dir);
    dataPorts.add(port);
    return port;
  }

  private void startSentinel(Path exe, int primary, long downAfterMs) throws IOException {
    Path dir = Files.createTempDirectory("relais-sentinel-");
    int port = TestCluster.freePort();
    Files.write(dir.resolve("sentinel.conf"), List.of(
        "bind 127.0.0.1",
        "port " + port,
        "dir \"" + dir + "\"",
        "logfile \"" + dir.resolve("sentinel.log") + "\"",
        "requirepass " + password,
        "sentinel sentinel-pass " + password,
        "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + primary + " 2",
        "sentinel auth-pass " + MASTER_NAME + " " + password,
        "sentinel down-after-milliseconds " + MASTER_NAME + " " + downAfterMs,
        "sentinel failover-timeout " + MASTER_NAME + " 10000",
        "sentinel parallel-syncs " + MASTER_NAME + " 1"), StandardCharsets.UTF_8);
    Process p = new ProcessBuilder(exe.toString(), dir.resolve("sentinel.conf").toString(), "--sentinel")
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("sentinel.out").toFile()).start();
    processes.add(p);
    dirs.add(dir);
    sentinelPorts.add(port);
    awaitPong(port, password);
  }

  /** The sentinels' URLs, comma-separated, with the password (RELAIS_REDIS_URL with redisMode sentinel). */
  public String sentinelUrls() {
    return String.join(",", sentinelPorts.stream().map(p -> "redis://:" + password + "@127.0.0.1:" + p).toList());
  }

  /** The URL of a data node (0: the first primary, 1 and 2: the replicas). */
  public String dataUrl(int index) {
    return "redis://:" + password + "@127.0.0.1:" + dataPorts.get(index);
  }

  public int dataPort(int index) {
    return dataPorts.get(index);
  }

  /** The port of the primary the sentinels name now (asked of the first that answers). */
  public int primaryPort() throws IOException {
    IOException last = null;
    for (int port : sentinelPorts) {
      try {
        String[] addr = sentinelCommand(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME).split("\n");
        return Integer.parseInt(addr[1]);
      } catch (IOException e) {
        last = e;
      }
    }
    throw new IOException("no sentinel answered", last);
  }

  /** A command on a data node. */
  public String command(int port, String... args) throws IOException {
    return TestCluster.call(port, password, args);
  }

  public String sentinelCommand(int port, String... args) throws IOException {
    return TestCluster.call(port, password, args);
  }

  /** SIGKILL of a data node (0: the first primary, 1 and 2: the replicas). */
  public void kill(int index) throws InterruptedException {
    Process p = dataProcesses.get(index);
    p.destroyForcibly();
    p.waitFor(5, TimeUnit.SECONDS);
  }

  /**
   * Waits until the sentinels name another primary than {@code oldPort}, it answers as a master and has a replica
   * in sync again (the other replica, reconfigured by the sentinels); its port.
   */
  public int awaitPromoted(int oldPort, long timeoutMs) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (System.nanoTime() < deadline) {
      try {
        int port = primaryPort();
        if (port != oldPort && command(port, "ROLE").startsWith("master")
            && command(port, "INFO", "replication").matches("(?s).*slave0:.*state=online.*")) {
          return port;
        }
      } catch (IOException e) {
        // a sentinel or the new primary in transition
      }
      TestCluster.sleep(100);
    }
    throw new IOException("no replica promoted within " + timeoutMs + " ms");
  }

  private void awaitReplicaInSync(int port) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (command(port, "INFO", "replication").contains("master_link_status:up")) {
        return;
      }
      TestCluster.sleep(50);
    }
    throw new IOException("the replica on " + port + " did not sync within 20 s");
  }

  private void awaitPong(int port, String pass) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    IOException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (TestCluster.call(port, pass, "PING").equals("PONG")) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      TestCluster.sleep(50);
    }
    throw new IOException("redis-server on " + port + " did not start", last);
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    for (Process p : processes) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Path dir : dirs) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // a temporary directory left behind
      }
    }
  }
}
