package org.relais.server;

/** A token bucket for one connection. Not thread-safe: owned by the connection's event loop. */
final class TokenBucket {
  private final double capacity;
  private final double perNano;
  private double tokens;
  private long last;

  TokenBucket(int capacity, int perSecond) {
    this.capacity = capacity;
    this.perNano = perSecond / 1e9;
    this.tokens = capacity;
    this.last = System.nanoTime();
  }

  /** Takes {@code cost} tokens if there are enough. */
  boolean tryTake(int cost) {
    long now = System.nanoTime();
    tokens = Math.min(capacity, tokens + (now - last) * perNano);
    last = now;
    if (tokens >= cost) {
      tokens -= cost;
      return true;
    }
    return false;
  }

  /** Milliseconds until {@code cost} tokens are there. */
  long millisUntil(int cost) {
    return (long) Math.ceil(Math.max(0, cost - tokens) / perNano / 1e6);
  }
}
