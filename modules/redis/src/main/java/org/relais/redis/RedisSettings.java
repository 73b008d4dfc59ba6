package org.relais.redis;

import java.util.List;

/**
 * How to reach Redis.
 *
 * @param mode             one server, a cluster, or a primary watched by Sentinel
 * @param urls             {@code redis://[:password@]host:port[/db]}: the server (standalone), seed nodes (cluster)
 *                         or the sentinels (sentinel); the password of the URLs is used for every node
 * @param masterName       the name Sentinel knows the primary by (sentinel mode only)
 * @param commandTimeoutMs a command not answered within this time fails with {@code unavailable}
 * @param poolSize         pooled connections: on a cluster, for every command; standalone and sentinel, only for the
 *                         script-then-WAIT batches of {@link RedisDb#evalReplicated}, every other command going on a
 *                         quarter as many (1 to 4) shared pipelined connections
 * @param waitReplicas     writes made with {@link RedisDb#evalReplicated} are acknowledged only once this many
 *                         replicas have them (Redis WAIT); 0: no waiting
 * @param waitTimeoutMs    how long such a write waits for its replicas before failing with {@code unavailable}
 * @param checkScripts     check at run time that every key a Lua script touches is in the slot of its KEYS (a
 *                         development and test switch; on by default when the system property
 *                         {@code relais.redis.checkScripts} is {@code true}, as in the test suite)
 */
public record RedisSettings(RedisMode mode, List<String> urls, String masterName, long commandTimeoutMs, int poolSize,
                            int waitReplicas, long waitTimeoutMs, boolean checkScripts) {

  public RedisSettings {
    urls = List.copyOf(urls);
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("at least one Redis URL");
    }
    if (mode == RedisMode.STANDALONE && urls.size() > 1) {
      throw new IllegalArgumentException("one Redis URL in standalone mode");
    }
  }

  /** One standalone server. */
  public RedisSettings(String url, long commandTimeoutMs, int poolSize) {
    this(RedisMode.STANDALONE, List.of(url), "mymaster", commandTimeoutMs, poolSize, 0, 1_000, checkScriptsByDefault());
  }

  public static RedisSettings of(String url) {
    return new RedisSettings(url, 2_000, 16);
  }

  /** Whether the system property {@code relais.redis.checkScripts} asks for script checks (the test suite does). */
  public static boolean checkScriptsByDefault() {
    return Boolean.getBoolean("relais.redis.checkScripts");
  }

  /** The first URL (the server, in standalone mode). */
  public String url() {
    return urls.get(0);
  }

  /** The URLs with any password masked, for logs. */
  public String redactedUrl() {
    return String.join(",", urls.stream().map(u -> u.replaceAll("//[^@/]*@", "//***@")).toList());
  }
}
