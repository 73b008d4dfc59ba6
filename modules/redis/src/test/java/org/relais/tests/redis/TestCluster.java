package org.relais.tests.redis;

import org.relais.core.Ids;
import org.relais.redis.ManagedRedis;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A local Redis Cluster of three masters (and, with {@link #start(int, long)}, replicas) for tests: redis-server processes with
 * {@code cluster-enabled yes}, on free loopback ports, in temporary directories, password-protected, joined with
 * CLUSTER MEET and given a third of the slots each with CLUSTER ADDSLOTSRANGE (Redis 7), then awaited until every
 * node reports {@code cluster_state:ok}. Needs no redis-cli: it speaks RESP over plain sockets.
 */
public final class TestCluster implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final List<Integer> busPorts = new ArrayList<>();
  private final List<Path> dirs = new ArrayList<>();
  private final String password = Ids.newSecret();

  private TestCluster() {
  }

  /**
   * Starts and forms the cluster.
   *
   * @throws IOException when no redis-server can be found or the cluster does not form within 20 s
   */
  public static TestCluster start() throws IOException {
    return start(0, 5_000);
  }

  /**
   * Starts and forms the cluster with {@code replicasPerMaster} replicas for each of the three masters (node
   * {@code 3 + m * replicasPerMaster + r} replicates master {@code m}), awaited until every replica is in sync.
   *
   * @param nodeTimeoutMs the cluster-node-timeout: how long a master may be unreachable before its replica is promoted
   * @throws IOException when no redis-server can be found or the cluster does not form within 20 s
   */
  public static TestCluster start(int replicasPerMaster, long nodeTimeoutMs) throws IOException {
    Path exe = ManagedRedis.executable();
    TestCluster c = new TestCluster();
    try {
      int nodes = 3 + 3 * replicasPerMaster;
      for (int i = 0; i < nodes; i++) {
        c.startNode(exe, i, nodeTimeoutMs);
      }
      for (int port : c.ports) {
        c.awaitPong(port);
      }
      for (int i = 0; i < 3; i++) {
        c.command(c.ports.get(i), "CLUSTER", "ADDSLOTSRANGE", String.valueOf(RANGES[i][0]), String.valueOf(RANGES[i][1]));
      }
      for (int i = 1; i < nodes; i++) {
        c.command(c.ports.get(0), "CLUSTER", "MEET", "127.0.0.1", String.valueOf(c.ports.get(i)),
            String.valueOf(c.busPorts.get(i)));
      }
      c.awaitFormed(nodes);
      for (int m = 0; m < 3; m++) {
        String masterId = c.command(c.ports.get(m), "CLUSTER", "MYID");
        for (int r = 0; r < replicasPerMaster; r++) {
          int replica = 3 + m * replicasPerMaster + r;
          c.replicate(c.ports.get(replica), masterId);
        }
      }
      for (int i = 3; i < nodes; i++) {
        c.awaitInSync(c.ports.get(i));
      }
      c.awaitFormed(nodes);
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** The slot ranges of masters 0, 1 and 2. */
  private static final int[][] RANGES = {{0, 5460}, {5461, 10922}, {10923, 16383}};

  /** The first slot given to master {@code index} at start. */
  public static int firstSlotOf(int index) {
    return RANGES[index][0];
  }

  /** The index of the master that was given {@code slot} at start. */
  public static int masterIndexOfSlot(int slot) {
    for (int i = 0; i < 3; i++) {
      if (slot >= RANGES[i][0] && slot <= RANGES[i][1]) {
        return i;
      }
    }
    throw new IllegalArgumentException("slot " + slot);
  }

  /** CLUSTER REPLICATE, retried while the node does not know the master yet (gossip takes a moment). */
  private void replicate(int port, String masterId) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        command(port, "CLUSTER", "REPLICATE", masterId);
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        sleep(100);
      }
    }
  }

  private void awaitInSync(int port) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (command(port, "INFO", "replication").contains("master_link_status:up")) {
        return;
      }
      sleep(50);
    }
    throw new IOException("the replica on " + port + " did not sync within 20 s");
  }

  /**
   * Starts node {@code index} again after {@link #kill} (same port, directory and nodes.conf): a master that lost its
   * slots to its replica rejoins as that replica's replica. Waits until it answers and, if it is a replica, is in sync.
   */
  public void restart(int index) throws IOException {
    Path dir = dirs.get(index);
    Process p = new ProcessBuilder(ManagedRedis.executable().toString(), dir.resolve("redis.conf").toString())
        .directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.out").toFile())).start();
    processes.set(index, p);
    awaitPong(ports.get(index));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!command(ports.get(index), "ROLE").startsWith("slave")) {
      if (System.nanoTime() > deadline) {
        throw new IOException("node " + index + " did not rejoin as a replica within 20 s");
      }
      sleep(100);
    }
    awaitInSync(ports.get(index));
  }

  /** SIGKILL of node {@code index} (0–2: the masters at start). */
  public void kill(int index) throws InterruptedException {
    Process p = processes.get(index);
    p.destroyForcibly();
    p.waitFor(5, TimeUnit.SECONDS);
  }

  /**
   * Waits until a node other than {@code deadIndex} is master of {@code slot} (the replica promoted) and the cluster
   * is ok again as seen from it; returns its index.
   */
  public int awaitPromoted(int deadIndex, int slot, long timeoutMs) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < ports.size(); i++) {
        if (i == deadIndex || !processes.get(i).isAlive()) {
          continue;
        }
        try {
          String role = command(ports.get(i), "ROLE");
          if (role.startsWith("master") && command(ports.get(i), "CLUSTER", "INFO").contains("cluster_state:ok")
              && ownsSlot(ports.get(i), slot)) {
            return i;
          }
        } catch (IOException e) {
          // in transition
        }
      }
      sleep(100);
    }
    throw new IOException("no replica promoted for slot " + slot + " within " + timeoutMs + " ms");
  }

  private boolean ownsSlot(int port, int slot) throws IOException {
    String myId = command(port, "CLUSTER", "MYID");
    for (String line : command(port, "CLUSTER", "NODES").split("\n")) {
      String[] f = line.split(" ");
      if (f.length < 9 || !f[0].equals(myId)) {
        continue;
      }
      for (int k = 8; k < f.length; k++) {
        if (f[k].startsWith("[")) {
          continue;
        }
        String[] range = f[k].split("-");
        int lo = Integer.parseInt(range[0]);
        int hi = range.length > 1 ? Integer.parseInt(range[1]) : lo;
        if (slot >= lo && slot <= hi) {
          return true;
        }
      }
    }
    return false;
  }

  /*
   * A port found free may be taken by someone else (another test's client) before redis-server binds it; the node
   * then exits at once ("Address in use"): made again on other ports, a few times.
   */
  private void startNode(Path exe, int index, long nodeTimeoutMs) throws IOException {
    for (int attempt = 1; ; attempt++) {
      startNodeOnce(exe, index, nodeTimeoutMs);
      Process p = processes.get(processes.size() - 1);
      int port = ports.get(ports.size() - 1);
      if (startedOrExited(p, port) || attempt == 5) {
        return;
      }
      processes.remove(processes.size() - 1);
      ports.remove(ports.size() - 1);
      busPorts.remove(busPorts.size() - 1);
      dirs.remove(dirs.size() - 1);
    }
  }

  /** True once the node answers; false if its process exited first (it could not bind its ports). */
  private boolean startedOrExited(Process p, int port) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        return false;
      }
      try {
        if (command(port, "PING").equals("PONG")) {
          return true;
        }
      } catch (IOException e) {
        // not listening yet
      }
      sleep(50);
    }
    return true; // awaitPong reports it with the node's log
  }

  private void startNodeOnce(Path exe, int index, long nodeTimeoutMs) throws IOException {
    Path dir = Files.createTempDirectory("relais-cluster-" + index + "-");
    int port = freePort();
    int busPort = freePort();
    Files.write(dir.resolve("redis.conf"), List.of(
        "bind 127.0.0.1",
        "port " + port,
        "cluster-enabled yes",
        "cluster-port " + busPort,
        "cluster-config-file nodes.conf",
        "cluster-node-timeout " + nodeTimeoutMs,
        "dir \"" + dir + "\"",
        "logfile \"" + dir.resolve("redis.log") + "\"",
        "appendonly no",
        "save \"\"",
        "requirepass " + password,
        "masterauth " + password), StandardCharsets.UTF_8);
    Process p = new ProcessBuilder(exe.toString(), dir.resolve("redis.conf").toString())
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("redis.out").toFile()).start();
    processes.add(p);
    ports.add(port);
    busPorts.add(busPort);
    dirs.add(dir);
  }

  /** The nodes' URLs, {@code redis://:password@127.0.0.1:port}, comma-separated (RELAIS_REDIS_URL). */
  public String urls() {
    return String.join(",", ports.stream().map(p -> "redis://:" + password + "@127.0.0.1:" + p).toList());
  }

  public List<Integer> ports() {
    return List.copyOf(ports);
  }

  /** Runs one command on one node and returns its reply as text (bulk and simple strings, integers, arrays joined). */
  public String command(int port, String... args) throws IOException {
    return call(port, password, args);
  }

  /** One command on one server with AUTH {@code password} (none when null), its reply as text (see {@link #command}). */
  static String call(int port, String password, String... args) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      if (password != null) {
        out.write(encode("AUTH", password));
      }
      out.write(encode(args));
      out.flush();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      if (password != null) {
        String auth = read(in);
        if (!auth.equals("OK")) {
          throw new IOException("AUTH: " + auth);
        }
      }
      String reply = read(in);
      if (reply.startsWith("ERR ") || reply.startsWith("-")) {
        throw new IOException(String.join(" ", args) + ": " + reply);
      }
      return reply;
    }
  }

  private void awaitPong(int port) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    IOException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (command(port, "PING").equals("PONG")) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      sleep(50);
    }
    throw new IOException("redis-server on " + port + " did not start: " + tail(port), last);
  }

  private void awaitFormed(int nodes) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      boolean ok = true;
      for (int port : ports) {
        String info = command(port, "CLUSTER", "INFO");
        ok &= info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + nodes);
      }
      if (ok) {
        return;
      }
      sleep(100);
    }
    throw new IOException("the cluster did not form within 20 s: " + command(ports.get(0), "CLUSTER", "INFO"));
  }

  private String tail(int port) {
    try {
      List<String> lines = Files.readAllLines(dirs.get(ports.indexOf(port)).resolve("redis.log"));
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "(no log)";
    }
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
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

  private static byte[] encode(String... args) {
    StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
      sb.append('$').append(bytes.length).append("\r\n").append(a).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String read(InputStream in) throws IOException {
    String line = line(in);
    char type = line.charAt(0);
    String rest = line.substring(1);
    switch (type) {
      case '+', ':' -> {
        return rest;
      }
      case '-' -> {
        return "-" + rest;
      }
      case '$' -> {
        int n = Integer.parseInt(rest);
        if (n < 0) {
          return "";
        }
        byte[] data = in.readNBytes(n + 2);
        return new String(data, 0, n, StandardCharsets.UTF_8);
      }
      case '*' -> {
        int n = Integer.parseInt(rest);
        List<String> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          items.add(read(in));
        }
        return String.join("\n", items);
      }
      default -> throw new IOException("unexpected reply " + line);
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\r') {
        in.read();
        return sb.toString();
      }
      sb.append((char) c);
    }
    throw new IOException("connection closed");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
