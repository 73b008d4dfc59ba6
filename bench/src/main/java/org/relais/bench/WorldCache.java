package org.relais.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Relais's provisioned world kept between runs: after provisioning through the public API, Relais's Redis is saved
 * ({@code SAVE}: dump.rdb, which holds the users, channels, history and the token signing key) with the client-side
 * half of the world (access tokens, user and channel ids) in bench/cache/relais-&lt;key&gt;/. A later run with the
 * same key starts Relais's redis-server on a copy of that dump instead of provisioning again.
 *
 * <p>The key covers everything the data depends on: the world's sizes and the content of server/target/relais.jar
 * (every entry's name and bytes, so a rebuild of the same code hits the cache and any change of code misses it: data
 * written by one version of Relais is never measured with another). The access tokens live 24 hours
 * ({@code RELAIS_ACCESS_TOKEN_TTL_SECONDS=86400}, the largest Relais accepts), so a cached world is used only for
 * 20 hours. Before use, one token is tried against the started server; if it is refused the world is provisioned
 * again. {@code --no-world-cache} turns all this off.
 */
final class WorldCache {
  private static final Duration MAX_AGE = Duration.ofHours(20);
  private final Bench bench;
  private final Path dir;
  private final String key;

  WorldCache(Bench bench, World w) throws IOException {
    this.bench = bench;
    this.key = key(bench.relaisJar, w);
    this.dir = bench.cacheDir.resolve("relais-" + key);
  }

  static String key(Path jar, World w) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(("world v1 users=" + w.users + " big=" + w.big + " rooms=" + w.rooms + "x" + w.roomSize + " hist="
          + w.histRooms + "x" + w.histMessages + " readers=" + w.readers + " pres=" + w.presRooms + "x"
          + w.presWatchers + "+" + w.presChurners).getBytes());
      try (ZipFile z = new ZipFile(jar.toFile())) {
        List<ZipEntry> entries = new ArrayList<>(Collections.list(z.entries()));
        entries.sort((a, b) -> a.getName().compareTo(b.getName()));
        byte[] buf = new byte[65536];
        for (ZipEntry e : entries) {
          if (e.isDirectory() || e.getName().startsWith("META-INF/maven/")) {
            continue;
          }
          md.update(e.getName().getBytes());
          try (InputStream in = z.getInputStream(e)) {
            for (int n; (n = in.read(buf)) > 0; ) {
              md.update(buf, 0, n);
            }
          }
        }
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Path dump() {
    return dir.resolve("dump.rdb");
  }

  private Path state() {
    return dir.resolve("world.json");
  }

  /** Puts the cached dump where Relais's redis-server will load it, and the tokens into t; false on a miss. */
  boolean restore(Target.Relais t) throws IOException {
    if (!Files.exists(dump()) || !Files.exists(state())) {
      Bench.log("relais: no cached world for key %s (sizes and relais.jar); provisioning it", key);
      return false;
    }
    Instant made = Files.getLastModifiedTime(state()).toInstant();
    if (made.plus(MAX_AGE).isBefore(Instant.now())) {
      Bench.log("relais: the cached world %s is older than %d h (its access tokens expire); provisioning it again",
          key, MAX_AGE.toHours());
      return false;
    }
    Path redisDir = bench.runDir.resolve("redis-relais");
    Files.createDirectories(redisDir);
    Files.copy(dump(), redisDir.resolve("dump.rdb"), StandardCopyOption.REPLACE_EXISTING);
    t.worldState(new JsonObject(Files.readString(state())));
    return true;
  }

  /** After restore and with a node started: whether the world works (a token is accepted). */
  boolean check(Target.Relais t) {
    if (t.tokenWorks()) {
      Bench.log("relais: world restored from %s (made %s) instead of provisioning it", bench.root.relativize(dir),
          fileTime());
      return true;
    }
    return false;
  }

  private String fileTime() {
    try {
      return Files.getLastModifiedTime(state()).toString();
    } catch (IOException e) {
      return "?";
    }
  }

  void discard(Target.Relais t) throws IOException {
    Files.deleteIfExists(bench.runDir.resolve("redis-relais").resolve("dump.rdb"));
    Files.deleteIfExists(state());
    Files.deleteIfExists(dump());
  }

  /** Saves Relais's Redis (SAVE) and the tokens; a failure only costs the next run a provisioning. */
  void save(Target.Relais t) {
    try (Resp r = new Resp(t.redisPort)) {
      long t0 = System.nanoTime();
      r.call("SAVE");
      Files.createDirectories(dir);
      Path tmp = dir.resolve("dump.rdb.tmp");
      Files.copy(bench.runDir.resolve("redis-relais").resolve("dump.rdb"), tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, dump(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Files.writeString(state(), t.worldState().encode());
      Bench.log("relais: world saved to %s for later runs (%.1f s)", bench.root.relativize(dir),
          (System.nanoTime() - t0) / 1e9);
    } catch (IOException | RuntimeException e) {
      Bench.log("relais: could not cache the world: %s", e);
    }
  }
}
