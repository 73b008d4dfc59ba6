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
 * A fingerprint of everything in Redis, to prove that a refused call changed nothing: for every key, its type, the
 * SHA-1 of its content in a canonical order (set members and hash fields sorted) and whether it has an expiry,
 * computed inside Redis by one script so that the snapshot is atomic.
 *
 * <p>Keys that change with mere activity, whatever the request, are left out ({@link #VOLATILE}): presence (any
 * connected socket refreshes it) and rate-limit counters (every request, good or bad, spends from its bucket).
 */
public final class RedisDigest implements AutoCloseable {
  /** Keys that any request may touch. */
  public static final Pattern VOLATILE = Pattern.compile("relais:\\{presence\\}:.*|relais:\\{rl\\}:.*");

  // SCAN inside a script is fine: the script is read-only and runs atomically. DUMP is not used: its bytes follow
  // the internal layout (a hashtable mid-rehash reorders on a mere lookup), so the content is read in a canonical
  // order instead.
  private static final String SCRIPT = """
      local out = {}
      local cursor = '0'
      repeat
        local r = redis.call('SCAN', cursor, 'COUNT', 1000)
        cursor = r[1]
        for _, k in ipairs(r[2]) do
          local kind = redis.call('TYPE', k)['ok']
          local parts
          if kind == 'string' then
            parts = {redis.call('GET', k)}
          elseif kind == 'list' then
            parts = redis.call('LRANGE', k, 0, -1)
          elseif kind == 'set' then
            parts = redis.call('SMEMBERS', k)
            table.sort(parts)
          elseif kind == 'hash' then
            local flat = redis.call('HGETALL', k)
            parts = {}
            for i = 1, #flat, 2 do
              parts[#parts + 1] = flat[i] .. '\0' .. flat[i + 1]
            end
            table.sort(parts)
          elseif kind == 'zset' then
            parts = redis.call('ZRANGE', k, 0, -1, 'WITHSCORES')
          elseif kind == 'stream' then
            parts = {}
            for _, e in ipairs(redis.call('XRANGE', k, '-', '+')) do
              parts[#parts + 1] = e[1] .. '\0' .. table.concat(e[2], '\0')
            end
          else
            parts = {}
          end
          local ttl = redis.call('PTTL', k)
          out[#out + 1] = k
          out[#out + 1] = kind .. ':' .. redis.sha1hex(table.concat(parts, '\1')) .. (ttl >= 0 and '+ttl' or '')
        end
      until cursor == '0'
      return out
      """;

  private final Vertx vertx;
  private final RedisDb db;

  public RedisDigest(String redisUrl) {
    this(RedisSettings.of(redisUrl));
  }

  /** On any Redis (a cluster too: single-key reads are routed; a snapshot needs one standalone Redis). */
  public RedisDigest(RedisSettings settings) {
    this.vertx = Vertx.vertx();
    this.db = RedisDb.create(vertx, settings, new SimpleMeterRegistry());
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
   * A snapshot once Redis has stopped changing: taken every {@code gapMs} until nothing has changed for
   * {@code quietMs} (at most 5 s), so that writes still in flight from earlier calls (notifications, fan-out) do
   * not count as the next call's.
   */
  public Map<String, String> settled(long gapMs, long quietMs) {
    Map<String, String> previous = snapshot();
    long quietSince = System.currentTimeMillis();
    long deadline = quietSince + 5_000;
    while (true) {
      sleep(gapMs);
      Map<String, String> now = snapshot();
      long t = System.currentTimeMillis();
      if (!now.equals(previous)) {
        quietSince = t;
        previous = now;
      } else if (t - quietSince >= quietMs || t > deadline) {
        return now;
      }
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
