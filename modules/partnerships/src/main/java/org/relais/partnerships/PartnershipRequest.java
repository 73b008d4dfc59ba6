package org.relais.partnerships;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request as stored, with its trail and how many comments it has.
 *
 * @param terms      the terms in force: as requested, or as countered once a counter-proposal was accepted
 * @param counter    the pending counter-proposal's terms while the request is countered, else null
 * @param trail      every step, oldest first, in the wire shape {@code {state, by, at, note, terms?}} (terms: on the
 *                   request's first entry and on each counter-proposal)
 */
record PartnershipRequest(String id, String fromOrgId, String toOrgId, PartnershipState state, long version,
                          Terms terms, Terms counter, String counterBy, String counterAt, String createdBy,
                          String createdAt, String updatedAt, String expiresAt, String acceptedBy, String acceptedAt,
                          String endedBy, String endedAt, String channelId, String calendarId,
                          List<JsonObject> trail, long commentCount) {

  static PartnershipRequest from(Map<String, String> h, List<String> trail, long commentCount) {
    List<JsonObject> entries = new ArrayList<>(trail.size());
    for (String t : trail) {
      entries.add(new JsonObject(t));
    }
    PartnershipState state = PartnershipState.fromWire(h.get("state"));
    return new PartnershipRequest(h.get("id"), h.get("fromOrgId"), h.get("toOrgId"), state,
        Long.parseLong(h.get("version")), Terms.fromHash(h, ""),
        state == PartnershipState.COUNTERED ? Terms.fromHash(h, "c") : null, h.get("cBy"), h.get("cAt"),
        h.get("createdBy"), h.get("createdAt"), h.get("updatedAt"), h.get("expiresAt"), h.get("acceptedBy"),
        h.get("acceptedAt"), h.get("endedBy"), h.get("endedAt"), h.get("channelId"), h.get("calendarId"),
        entries, commentCount);
  }

  /** The side an organisation is on, or null for any other organisation. */
  Side sideOf(String orgId) {
    if (fromOrgId.equals(orgId)) {
      return Side.FROM;
    }
    return toOrgId.equals(orgId) ? Side.TO : null;
  }

  String orgOf(Side side) {
    return side == Side.FROM ? fromOrgId : toOrgId;
  }

  /** The named focal points: of the terms, and of a pending counter-proposal. */
  Set<String> focalPoints() {
    Set<String> people = new LinkedHashSet<>(terms.focalFrom());
    people.addAll(terms.focalTo());
    if (counter != null) {
      people.addAll(counter.focalFrom());
      people.addAll(counter.focalTo());
    }
    return people;
  }

  /**
   * The wire shape: {@code {"id", "fromOrgId", "toOrgId", "state", "version", "purpose", "themes", "jointAction",
   * "focalPoints", "createdBy", "createdAt", "updatedAt", "expiresAt", "counter"?, "acceptedBy"?, "acceptedAt"?,
   * "endedBy"?, "endedAt"?, "channelId"?, "calendarId"?, "spacesPending"?, "commentCount", "trail"?}}.
   */
  JsonObject toJson(boolean withTrail) {
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("fromOrgId", fromOrgId)
        .put("toOrgId", toOrgId)
        .put("state", state.wire())
        .put("version", version)
        .mergeIn(terms.toJson())
        .put("createdBy", createdBy)
        .put("createdAt", createdAt)
        .put("updatedAt", updatedAt)
        .put("expiresAt", expiresAt);
    if (counter != null) {
      json.put("counter", counter.toJson().put("by", counterBy).put("at", counterAt));
    }
    putIf(json, "acceptedBy", acceptedBy);
    putIf(json, "acceptedAt", acceptedAt);
    putIf(json, "endedBy", endedBy);
    putIf(json, "endedAt", endedAt);
    putIf(json, "channelId", channelId);
    putIf(json, "calendarId", calendarId);
    if (state == PartnershipState.ACCEPTED && channelId == null) {
      json.put("spacesPending", true);
    }
    json.put("commentCount", commentCount);
    if (withTrail) {
      JsonArray entries = new JsonArray();
      trail.forEach(t -> entries.add(t.copy()));
      json.put("trail", entries);
    }
    return json;
  }

  private static void putIf(JsonObject json, String field, String value) {
    if (value != null && !value.isEmpty()) {
      json.put(field, value);
    }
  }

  /** The two sides of a request. */
  enum Side {
    FROM("from"),
    TO("to");

    private final String wire;

    Side(String wire) {
      this.wire = wire;
    }

    String wire() {
      return wire;
    }
  }
}
