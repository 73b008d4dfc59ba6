package org.relais.identity;

import io.vertx.core.json.JsonObject;

import java.util.Map;

/** A member organisation of the network. */
public record Org(String id, String name, String shortName, String country, OrgKind kind, String createdAt,
                  String updatedAt) {

  static Org fromHash(Map<String, String> h) {
    return new Org(h.get("id"), h.get("name"), h.get("shortName"), h.get("country"),
        OrgKind.fromWire(h.get("kind")), h.get("createdAt"), h.get("updatedAt"));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("shortName", shortName)
        .put("country", country)
        .put("kind", kind.wire())
        .put("createdAt", createdAt)
        .put("updatedAt", updatedAt);
  }
}
