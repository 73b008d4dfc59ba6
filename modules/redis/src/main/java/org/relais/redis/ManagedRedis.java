package org.relais.redis;

import org.relais.core.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisExecProvider;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server that Relais starts and stops itself, for zero-configuration runs and for tests: the one on
 * PATH if there is one, else the static binary bundled by {@code org.signal:embedded-redis}. It listens on
 * 127.0.0.1 only, with a random password kept in the data directory, and keeps its data in {@code dataDir} with append-only persistence
 * (fsync every second), so stopping and starting keeps everything. The data directory is readable by its owner
 * only (0700, where the file system has POSIX permissions): its append-only file holds every secret of the
 * network, the JWT signing key included.
 *
 * <p>Start-up and stop block the calling thread: call them before Vert.x serves, never on an event loop.
 */
public final class ManagedRedis implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ManagedRedis.class);

  private final Process process;
  private final Path dataDir;
  private final int port;
  private final String password;
  private final String source;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private ManagedRedis(Process process, Path dataDir, int port, String password, String source,
                       FileChannel lockChannel, FileLock lock) {
    this.process = process;
    this.dataDir = dataDir;
    this.port = port;
    this.password = password;
    this.source = source;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Starts redis-server on {@code port} (0: a free port) with its data in {@code dataDir}, and waits until it
   * answers. Creates the data directory, or restricts an existing one, to its owner (0700).
   *
   * @throws IOException if the data directory is in use by another Relais, cannot be restricted to its owner, or
   *                     redis-server cannot start
   */
  public static ManagedRedis start(Path dataDir, int port) throws IOException {
    return start(dataDir, port, Fsync.ALWAYS);
  }

  /**
   * When Redis makes its append-only file durable: {@link #ALWAYS} before it answers each write (nothing
   * acknowledged is lost even on power failure; each write waits for the disk), or {@link #EVERYSEC} (faster;
   * a power failure or kernel crash can lose up to the last second of acknowledged writes; a crash of Redis alone
   * loses nothing).
   */
  public enum Fsync {
    ALWAYS("always"),
    EVERYSEC("everysec");

    private final String redisValue;

    Fsync(String redisValue) {
      this.redisValue = redisValue;
    }

    public String redisValue() {
      return redisValue;
    }
  }

  /** Like {@link #start(Path, int)}, with the given fsync policy. */
  public static ManagedRedis start(Path dataDir, int port, Fsync fsync) throws IOException {
    Path dir = dataDir.toAbsolutePath().normalize();
    Files.createDirectories(dir);
    restrictToOwner(dir);
    FileChannel lockChannel = FileChannel.open(dir.resolve("relais.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IOException("data directory " + dir + " is in use by another Relais process");
    }
    try {
      stopOrphan(dir);
      Executable exe = findExecutable();
      int actualPort = port == 0 ? freePort() : port;
      String password = password(dir);
      Path conf = writeConfig(dir, actualPort, password, fsync);
      Process process = new ProcessBuilder(exe.path().toString(), conf.toString())
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis.out").toFile())
          .start();
      ManagedRedis redis = new ManagedRedis(process, dir, actualPort, password, exe.description(), lockChannel, lock);
      redis.awaitReady();
      return redis;
    } catch (IOException | RuntimeException e) {
      lock.release();
      lockChannel.close();
      throw e;
    }
  }

  /** {@code redis://:password@127.0.0.1:port}. */
  public String url() {
    return "redis://:" + password + "@127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Which binary runs: on PATH, or bundled. */
  public String source() {
    return source;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Stops gracefully (SIGTERM: Redis flushes its append-only file), waiting up to 10 s. */
  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        LOG.warn("redis-server did not stop within 10 s; killing it");
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } finally {
      releaseLock();
    }
  }

  /** Kills at once (SIGKILL), as a crash would. For fault tests. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    releaseLock();
  }

  @Override
  public void close() {
    stop();
  }

  private void releaseLock() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
      lockChannel.close();
    } catch (IOException e) {
      LOG.debug("releasing the data directory lock failed", e);
    }
  }

  private void awaitReady() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    IOException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("redis-server exited with " + process.exitValue() + ": " + tail(dataDir.resolve("redis.out")));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
        socket.setSoTimeout(2_000);
        OutputStream out = socket.getOutputStream();
        out.write(("AUTH " + password + "\r\nPING\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String reply = readReplies(socket.getInputStream(), 2);
        if (reply.contains("+PONG")) {
          return;
        }
        last = new IOException("redis-server not ready: " + reply.trim());
      } catch (IOException e) {
        last = e;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for redis-server");
      }
    }
    process.destroyForcibly();
    throw new IOException("redis-server did not become ready within 30 s", last);
  }

  private static String readReplies(InputStream in, int lines) throws IOException {
    StringBuilder sb = new StringBuilder();
    int seen = 0;
    int c;
    while (seen < lines && (c = in.read()) != -1) {
      sb.append((char) c);
      if (c == '\n') {
        seen++;
      }
    }
    return sb.toString();
  }

  private static Path writeConfig(Path dir, int port, String password, Fsync fsync) throws IOException {
    Path conf = dir.resolve("redis.conf");
    List<String> lines = List.of(
        "# Written by Relais at each start; edits are overwritten.",
        "bind 127.0.0.1",
        "protected-mode yes",
        "port " + port,
        "daemonize no",
        "dir " + quote(dir.toString()),
        "pidfile " + quote(dir.resolve("redis.pid").toString()),
        "logfile " + quote(dir.resolve("redis.log").toString()),
        "appendonly yes",
        "appendfsync " + fsync.redisValue(),
        "requirepass " + password);
    Files.deleteIfExists(conf);
    try {
      Files.createFile(conf, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(conf);
    }
    Files.write(conf, lines, StandardCharsets.UTF_8);
    return conf;
  }

  /** The password of this data directory: made once, kept (owner-only) so that clients survive a Redis restart. */
  private static String password(Path dir) throws IOException {
    Path file = dir.resolve("redis.password");
    if (Files.isRegularFile(file)) {
      String existing = Files.readString(file, StandardCharsets.US_ASCII).trim();
      if (!existing.isEmpty()) {
        return existing;
      }
    }
    String password = Ids.newSecret();
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.writeString(file, password, StandardCharsets.US_ASCII);
    return password;
  }

  /** Makes {@code dir} accessible to its owner only; a file system without POSIX permissions is left as it is. */
  private static void restrictToOwner(Path dir) throws IOException {
    try {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException e) {
      LOG.debug("{} has no POSIX permissions; leaving its access as it is", dir);
    }
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** A redis-server left running by a Relais that was killed would still own the data directory: stop it. */
  private static void stopOrphan(Path dir) {
    Path pidFile = dir.resolve("redis.pid");
    try {
      if (!Files.exists(pidFile)) {
        return;
      }
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      Optional<ProcessHandle> handle = ProcessHandle.of(pid);
      if (handle.isPresent() && handle.get().info().command().map(c -> c.contains("redis")).orElse(false)) {
        LOG.warn("stopping a redis-server (pid {}) left running on {} by an earlier run", pid, dir);
        handle.get().destroy();
        handle.get().onExit().get(10, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      LOG.debug("no orphan redis-server to stop: {}", e.toString());
    }
  }

  private record Executable(Path path, String description) {
  }

  /**
   * The redis-server binary Relais would run: the one on PATH, else the bundled one (extracted to a temporary
   * file). For tests that run redis-server themselves, such as a local cluster.
   *
   * @throws IOException when there is none for this platform
   */
  public static Path executable() throws IOException {
    try {
      return findExecutable().path();
    } catch (RuntimeException e) {
      throw new IOException("no redis-server on PATH and none bundled for this platform: " + e.getMessage(), e);
    }
  }

  private static Executable findExecutable() throws IOException {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(File.pathSeparator)) {
        Path candidate = Path.of(entry, "redis-server");
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return new Executable(candidate, "redis-server on PATH (" + candidate + ")");
        }
      }
    }
    File bundled = RedisExecProvider.defaultProvider().get();
    return new Executable(bundled.toPath(), "bundled redis-server " + RedisExecProvider.redisVersion
        + " (org.signal:embedded-redis)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(no output)";
    }
  }
}
