package org.relais.redis;

/**
 * How to reach Redis.
 *
 * @param url              {@code redis://[:password@]host:port[/db]}
 * @param commandTimeoutMs a command not answered within this time fails with {@code unavailable}
 * @param poolSize         pooled connections for commands
 */
public record RedisSettings(String url, long commandTimeoutMs, int poolSize) {

  public static RedisSettings of(String url) {
    return new RedisSettings(url, 2_000, 16);
  }

  /** The URL with any password masked, for logs. */
  public String redactedUrl() {
    return url.replaceAll("//[^@/]*@", "//***@");
  }
}
