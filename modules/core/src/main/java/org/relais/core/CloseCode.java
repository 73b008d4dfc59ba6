package org.relais.core;

/** WebSocket close codes of the wire contract. */
public final class CloseCode {
  /** The database was replaced or lost its data (the epoch changed): reconnect; the hello answers with resync. */
  public static final short SERVICE_RESTART = 1012;
  /** Server going away (shutdown). */
  public static final short GOING_AWAY = 1001;
  /** A text message that is not valid UTF-8 (RFC 6455, section 8.1). */
  public static final short INVALID_PAYLOAD = 1007;
  /** Frame or message over the hard size limit. */
  public static final short TOO_BIG = 1009;
  /** Idle: no frame, not even a pong, within the idle timeout. */
  public static final short NORMAL = 1000;
  /** No hello within the deadline, or a hello with a bad token. */
  public static final short NOT_AUTHENTICATED = 4001;
  /** Policy: rate-limit abuse. */
  public static final short POLICY = 4008;
  /** Too slow to read its pushes: reconnect and resume. */
  public static final short TOO_SLOW = 4009;
  /** Token expired or revoked. */
  public static final short TOKEN_EXPIRED = 4010;
  /**
   * Try again later (RFC 6455 registry): the server could not check the first hello now (too many being checked, or
   * Redis not answering); the hello was answered with {@code unavailable} and {@code retryAfterMs}.
   */
  public static final short TRY_AGAIN_LATER = 1013;

  private CloseCode() {
  }
}
