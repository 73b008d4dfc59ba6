package org.relais.core;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Collection;

/**
 * How services announce what happened, without knowing about sockets or nodes. Called only after the write
 * being announced has succeeded. Delivery is best effort: the record lives in Redis, an event is a hint.
 */
public interface EventSink {

  /** Pushes {@code {"ev": ev, "data": data}} to every connected session of each user, on every node. */
  Future<Void> toUsers(Collection<String> userIds, String ev, JsonObject data);

  /** The user's record (roles, organisation, status) changed: nodes refresh what they hold about them. */
  Future<Void> userChanged(String userId);

  /**
   * Sessions were revoked: every node closes their sockets with {@link CloseCode#TOKEN_EXPIRED}.
   *
   * @param sessionId the session, or null for every session of the user
   */
  Future<Void> sessionsRevoked(String userId, String sessionId);
}
