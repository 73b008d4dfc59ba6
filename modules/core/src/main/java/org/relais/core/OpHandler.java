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
}
