package org.relais.calendar;

import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * A calendar. {@code orgId} is set for organisation calendars, {@code channelId} for channel calendars,
 * {@code ownerId} for personal and shared ones.
 */
record Calendar(String id, CalendarKind kind, String name, String description, String color, String orgId,
                String channelId, String ownerId, String createdBy, String createdAt, String updatedAt) {

  static Calendar fromHash(Map<String, String> h) {
    return new Calendar(h.get("id"), CalendarKind.fromWire(h.get("kind")), h.getOrDefault("name", ""),
        h.getOrDefault("description", ""), h.getOrDefault("color", ""), emptyToNull(h.get("orgId")),
        emptyToNull(h.get("channelId")), emptyToNull(h.get("ownerId")), h.get("createdBy"), h.get("createdAt"),
        h.get("updatedAt"));
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("kind", kind.wire())
        .put("name", name)
        .put("description", description)
        .put("color", color);
    if (orgId != null) {
      json.put("orgId", orgId);
    }
    if (channelId != null) {
      json.put("channelId", channelId);
    }
    if (ownerId != null) {
      json.put("ownerId", ownerId);
    }
    return json.put("createdAt", createdAt).put("updatedAt", updatedAt);
  }
}
