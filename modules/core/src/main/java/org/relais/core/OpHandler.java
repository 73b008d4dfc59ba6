package org.relais.core;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The logic of one op: given who calls and the validated {@code data}, the result's {@code data}.
 * Fails with a {@link RelaisException} for anything the client should see. Never touches a socket.
 */
@FunctionalInterface
public interface OpHandler {
  Future<JsonObject> handle(Principal principal, JsonObject data);

  /**
   * Runs the op once the caller is admitted: {@code admitted} is the check of the caller's rate limits, started by
   * the dispatcher just before. By default the op starts when it succeeds (and its failure is the op's). A handler
   * made with {@link #gated} may start reading at once, in the same round trip as the check, but must change nothing
   * before {@code admitted} has succeeded, and must fail with {@code admitted}'s failure when it fails.
   */
  default Future<JsonObject> handle(Principal principal, JsonObject data, Future<Void> admitted) {
    return admitted.compose(v -> handle(principal, data));
  }

  /** The logic of an op that reads while the caller's admission is checked (see the three-argument handle). */
  @FunctionalInterface
  interface Gated {
    Future<JsonObject> handle(Principal principal, JsonObject data, Future<Void> admitted);
  }

  /** A handler that gets the admission check as a future (called without one, it is admitted at once). */
  static OpHandler gated(Gated gated) {
    return new OpHandler() {
      @Override
      public Future<JsonObject> handle(Principal principal, JsonObject data) {
        return gated.handle(principal, data, Future.succeededFuture());
      }

      @Override
      public Future<JsonObject> handle(Principal principal, JsonObject data, Future<Void> admitted) {
        return gated.handle(principal, data, admitted);
      }
    };
  }
}
