package org.relais.realtime;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * One user's presence as a viewer may see it: the data of a {@code presence.changed} event and an item of
 * {@code presence.get}.
 *
 * @param userId       the user
 * @param status       the status the viewer may see: a hidden user is offline to everyone but themself
 * @param lastSeenAt   when the user was last connected or active; only with {@code offline}, when known, and never
 *                     for a hidden user seen by others
 * @param manualStatus the user's own choice, {@code auto}, {@code away} or {@code dnd}; only in their own view
 * @param hidden       whether the user hides their presence; only in their own view
 */
public record UserPresence(String userId, PresenceStatus status, Instant lastSeenAt, String manualStatus,
                           Boolean hidden) {

  /** {@code {"userId", "status", "lastSeenAt"?, "manualStatus"?, "hidden"?}}, times ISO-8601 UTC. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("userId", userId).put("status", status.wire());
    if (lastSeenAt != null) {
      json.put("lastSeenAt", lastSeenAt.toString());
    }
    if (manualStatus != null) {
      json.put("manualStatus", manualStatus);
    }
    if (hidden != null) {
      json.put("hidden", hidden);
    }
    return json;
  }
}
