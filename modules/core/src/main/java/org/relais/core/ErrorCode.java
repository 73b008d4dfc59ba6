package org.relais.core;

/**
 * The error codes of the wire contract, each with the HTTP status it maps to.
 * The wire name is what clients see in {@code error.code}.
 */
public enum ErrorCode {
  BAD_REQUEST("bad_request", 400),
  UNAUTHENTICATED("unauthenticated", 401),
  FORBIDDEN("forbidden", 403),
  NOT_FOUND("not_found", 404),
  UNKNOWN_OP("unknown_op", 404),
  CONFLICT("conflict", 409),
  TOO_LARGE("too_large", 413),
  RATE_LIMITED("rate_limited", 429),
  INTERNAL("internal", 500),
  UNAVAILABLE("unavailable", 503);

  private final String wire;
  private final int httpStatus;

  ErrorCode(String wire, int httpStatus) {
    this.wire = wire;
    this.httpStatus = httpStatus;
  }

  public String wire() {
    return wire;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The code with this wire name, or {@code fallback}. */
  public static ErrorCode fromWire(String wire, ErrorCode fallback) {
    for (ErrorCode c : values()) {
      if (c.wire.equals(wire)) {
        return c;
      }
    }
    return fallback;
  }
}
