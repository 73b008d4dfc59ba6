package org.relais.messaging;

import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * A channel as stored.
 *
 * @param orgId       the organisation of an organisation channel, else null
 * @param seq         the last message's seq (0: none yet)
 * @param offset      the last event's offset in the channel's log
 * @param memberCount listed members (0 for network and organisation channels)
 */
public record Channel(String id, ChannelKind kind, boolean isPublic, String name, String topic, String description,
                      String orgId, String createdBy, String createdAt, String updatedAt, boolean archived,
                      long seq, long offset, long memberCount, String lastMessageAt, boolean sensitive) {

  static Channel fromHash(Map<String, String> h) {
    return new Channel(h.get("id"), ChannelKind.fromWire(h.get("kind")), "public".equals(h.get("visibility")),
        h.getOrDefault("name", ""), h.getOrDefault("topic", ""), h.getOrDefault("description", ""),
        emptyToNull(h.get("orgId")), h.get("createdBy"), h.get("createdAt"), h.get("updatedAt"),
        "1".equals(h.get("archived")), num(h.get("seq")), num(h.get("offset")), num(h.get("memberCount")),
        emptyToNull(h.get("lastMessageAt")), "1".equals(h.get("sensitive")));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("kind", kind.wire())
        .put("visibility", isPublic ? "public" : "private")
        .put("name", name)
        .put("topic", topic)
        .put("description", description)
        .put("createdBy", createdBy)
        .put("createdAt", createdAt)
        .put("updatedAt", updatedAt)
        .put("archived", archived)
        .put("seq", seq)
        .put("offset", offset)
        .put("lastMessageAt", lastMessageAt)
        .put("sensitive", sensitive);
    if (orgId != null) {
      json.put("orgId", orgId);
    }
    if (!kind.implicit()) {
      json.put("memberCount", memberCount);
    }
    return json;
  }

  private static long num(String s) {
    return s == null || s.isEmpty() ? 0 : Long.parseLong(s);
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
