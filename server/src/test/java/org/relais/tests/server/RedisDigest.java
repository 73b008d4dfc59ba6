package org.relais.tests.server;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A fingerprint of everything in Redis, to prove that a refused call changed nothing: for every key, the SHA-1 of
 * its {@code DUMP} (type, encoding and content) and whether it has an expiry, computed inside Redis by one script
 * so that the snapshot is atomic.
 *
 * <p>Keys that change with mere activity, whatever the request, are left out ({@link #VOLATILE}): presence (any
 * connected socket refreshes it) and rate-limit counters (every request, good or bad, spends from its bucket).
 */
public final class RedisDigest implements AutoCloseable {
  /** Keys that any request may touch. */
  public static final Pattern VOLATILE = Pattern.compile("relais:\\{presence\\}:.*|relais:.*(:rl:|:rate:|ratelimit).*");

  // SCAN inside a script is fine: the script is read-only and runs atomically.
  private static final String SCRIPT = """
      local out = {}
      local cursor = '0'
      repeat
        local r = redis.call('SCAN', cursor, 'COUNT', 1000)
        cursor = r[1]
        for _, k in ipairs(r[2]) do
          local d = redis.call('DUMP', k)
          local ttl = redis.call('PTTL', k)
          out[#out + 1] = k
          out[#out + 1] = redis.sha1hex(d or '') .. (ttl >= 0 and '+ttl' or '')
        end
      until cursor == '0'
      return out
      """;

  private final Vertx vertx;
  private final RedisDb db;

  public RedisDigest(String redisUrl) {
    this.vertx = Vertx.vertx();
    this.db = RedisDb.create(vertx, RedisSettings.of(redisUrl), new SimpleMeterRegistry());
  }

  /** One snapshot: key → digest of its value, volatile keys left out, sorted by key. */
  public Map<String, String> snapshot() {
    Response r = TestServer.await(db.send(Command.EVAL, SCRIPT, "0"));
    Map<String, String> out = new TreeMap<>();
    for (int i = 0; i + 1 < r.size(); i += 2) {
      String key = r.get(i).toString();
      if (!VOLATILE.matcher(key).matches()) {
        out.put(key, r.get(i + 1).toString());
      }
    }
    return out;
  }

  /**
   * A snapshot once Redis has stopped changing: taken again every {@code gapMs} until two in a row agree (at most
   * 3 s), so that writes still in flight from earlier calls (notifications, fan-out) do not count as this call's.
   */
  public Map<String, String> settled(long gapMs) {
    Map<String, String> previous = snapshot();
    long deadline = System.currentTimeMillis() + 3_000;
    while (true) {
      sleep(gapMs);
      Map<String, String> now = snapshot();
      if (now.equals(previous) || System.currentTimeMillis() > deadline) {
        return now;
      }
      previous = now;
    }
  }

  /** What differs between two snapshots, for a failure message: "+key" added, "-key" removed, "~key" changed. */
  public static List<String> diff(Map<String, String> before, Map<String, String> after) {
    List<String> changes = new ArrayList<>();
    Set<String> keys = new TreeSet<>(before.keySet());
    keys.addAll(after.keySet());
    for (String k : keys) {
      String a = before.get(k);
      String b = after.get(k);
      if (a == null) {
        changes.add("+" + k);
      } else if (b == null) {
        changes.add("-" + k);
      } else if (!a.equals(b)) {
        changes.add("~" + k);
      }
    }
    return changes;
  }

  /** Reads one string key (or null), for tests that need a server-side secret to look for. */
  public String get(String key) {
    Response r = TestServer.await(db.send(Command.GET, key));
    return r == null ? null : r.toString();
  }

  /** All values of a hash. */
  public List<String> hashValues(String key) {
    Response r = TestServer.await(db.send(Command.HVALS, key));
    List<String> out = new ArrayList<>();
    if (r != null) {
      for (int i = 0; i < r.size(); i++) {
        out.add(r.get(i).toString());
      }
    }
    return out;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    TestServer.await(db.close());
    TestServer.await(vertx.close());
  }
}
