package org.relais.identity;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.relais.core.Role;

import java.util.Map;
import java.util.Set;

/**
 * A person in the network. The password hash is never part of {@link #toJson()}: only the fields listed there
 * ever leave the server.
 */
public record User(String id, String email, String displayName, String title, String orgId, String country,
                   String locale, String timeZone, WorkingHours workingHours, Set<Role> roles, UserStatus status,
                   String passwordHash, String createdAt, String updatedAt) {

  static User fromHash(Map<String, String> h) {
    String hours = h.get("workingHours");
    return new User(h.get("id"), h.get("email"), h.get("displayName"), h.getOrDefault("title", ""), h.get("orgId"),
        h.get("country"), h.get("locale"), h.get("timeZone"),
        hours == null ? WorkingHours.DEFAULT : WorkingHours.fromJson(new JsonObject(hours)),
        Role.parseList(h.get("roles")), UserStatus.fromWire(h.get("status")), h.get("passwordHash"),
        h.get("createdAt"), h.get("updatedAt"));
  }

  public boolean isActive() {
    return status == UserStatus.ACTIVE;
  }

  /** The user as the wire shows it. */
  public JsonObject toJson() {
    JsonArray roleList = new JsonArray();
    roles.forEach(r -> roleList.add(r.wire()));
    return new JsonObject()
        .put("id", id)
        .put("email", email)
        .put("displayName", displayName)
        .put("title", title)
        .put("orgId", orgId)
        .put("country", country)
        .put("locale", locale)
        .put("timeZone", timeZone)
        .put("workingHours", workingHours.toJson())
        .put("roles", roleList)
        .put("status", status.wire())
        .put("createdAt", createdAt)
        .put("updatedAt", updatedAt);
  }
}
