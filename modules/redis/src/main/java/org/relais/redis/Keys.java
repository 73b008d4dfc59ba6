package org.relais.redis;

/**
 * The root of every key and pub/sub channel name. Feature modules build their keys in their own
 * {@code XxxKeys} class on top of {@link #PREFIX}, and nowhere else.
 */
public final class Keys {
  public static final String PREFIX = "relais:";

  /** The pub/sub channel that carries node-wide events (user events, revocations, changes). */
  public static final String BUS_CHANNEL = PREFIX + "bus";

  private Keys() {
  }
}
