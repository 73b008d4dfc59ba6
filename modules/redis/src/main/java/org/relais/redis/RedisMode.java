package org.relais.redis;

import java.util.Locale;

/** How Relais reaches Redis: one server, a Redis Cluster, or a primary watched by Sentinel. */
public enum RedisMode {
  /** One Redis server (possibly with replicas that Relais does not use). */
  STANDALONE,
  /** A Redis Cluster: the URLs are seed nodes; keys are spread over the masters by hash slot. */
  CLUSTER,
  /** A primary and its replicas watched by Sentinel: the URLs are the sentinels'. */
  SENTINEL;

  /** {@code standalone}, {@code cluster} or {@code sentinel}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode named {@code value} (as {@link #wire()} writes it). */
  public static RedisMode parse(String value) {
    for (RedisMode m : values()) {
      if (m.wire().equals(value)) {
        return m;
      }
    }
    throw new IllegalArgumentException("standalone, cluster or sentinel");
  }
}
