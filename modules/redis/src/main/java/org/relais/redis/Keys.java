package org.relais.redis;

/**
 * The root of every key and pub/sub channel name. Feature modules build their keys in their own
 * {@code XxxKeys} class on top of {@link #PREFIX}, and nowhere else.
 */
public final class Keys {
  public static final String PREFIX = "relais:";

  /** The pub/sub channel that carries node-wide events (user events, revocations, changes). */
  public static final String BUS_CHANNEL = PREFIX + "bus";

  /** Written once when the database is first initialised; its loss means Redis lost its data. */
  public static final String EPOCH = PREFIX + "epoch";

  private Keys() {
  }
}
