package org.relais.core;

import io.vertx.core.json.JsonObject;

/**
 * A failure that is meant for the client: a typed code and a message safe to show.
 * Anything else that fails an operation is reported as {@link ErrorCode#INTERNAL} with no detail.
 * Carries no stack trace: it is a normal outcome, not a bug.
 */
public final class RelaisException extends RuntimeException {

  private final ErrorCode code;
  private final JsonObject details;

  public RelaisException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public RelaisException(ErrorCode code, String message, JsonObject details) {
    super(message, null, false, false);
    this.code = code;
    this.details = details;
  }

  public ErrorCode code() {
    return code;
  }

  /** Extra machine-readable detail (e.g. {@code retryAfterMs}), or null. */
  public JsonObject details() {
    return details;
  }

  public static RelaisException badRequest(String message) {
    return new RelaisException(ErrorCode.BAD_REQUEST, message);
  }

  public static RelaisException forbidden(String message) {
    return new RelaisException(ErrorCode.FORBIDDEN, message);
  }

  public static RelaisException notFound(String message) {
    return new RelaisException(ErrorCode.NOT_FOUND, message);
  }

  public static RelaisException conflict(String message) {
    return new RelaisException(ErrorCode.CONFLICT, message);
  }

  public static RelaisException unauthenticated(String message) {
    return new RelaisException(ErrorCode.UNAUTHENTICATED, message);
  }

  public static RelaisException unavailable(String message) {
    return new RelaisException(ErrorCode.UNAVAILABLE, message);
  }

  public static RelaisException rateLimited(String message, long retryAfterMs) {
    return new RelaisException(ErrorCode.RATE_LIMITED, message, new JsonObject().put("retryAfterMs", retryAfterMs));
  }

  /** The error object of the wire envelope: {@code {"code", "message", ...details}}. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("code", code.wire()).put("message", getMessage());
    if (details != null) {
      json.mergeIn(details);
    }
    return json;
  }

  /** Maps any failure to what the client may see: itself, or an opaque {@code internal}. */
  public static RelaisException from(Throwable failure) {
    if (failure instanceof RelaisException e) {
      return e;
    }
    return new RelaisException(ErrorCode.INTERNAL, "Internal error");
  }
}
