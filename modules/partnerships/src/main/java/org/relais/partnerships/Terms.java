package org.relais.partnerships;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * What two organisations agree on: the purpose, the themes, an optional joint action, and the focal points each side
 * would involve.
 *
 * @param jointAction one of the shapes of {@link JointAction}, never {@code none}; null when there is none
 * @param focalFrom   people of the requesting organisation
 * @param focalTo     people of the receiving organisation
 */
record Terms(String purpose, List<String> themes, JsonObject jointAction, List<String> focalFrom,
             List<String> focalTo) {

  Terms {
    themes = List.copyOf(themes);
    focalFrom = List.copyOf(focalFrom);
    focalTo = List.copyOf(focalTo);
    jointAction = JointAction.isNone(jointAction) ? null : jointAction.copy();
  }

  /** The terms of an op's validated data ({@code purpose}, {@code themes}, {@code jointAction}, {@code focalPoints}). */
  static Terms fromData(JsonObject data) {
    JsonObject focal = data.getJsonObject("focalPoints", new JsonObject());
    return new Terms(data.getString("purpose"), strings(data.getJsonArray("themes")), data.getJsonObject("jointAction"),
        strings(focal.getJsonArray("from")), strings(focal.getJsonArray("to")));
  }

  /**
   * These terms changed by a counter-proposal's data: what it gives replaces, what it leaves out stays;
   * {@code "jointAction": {"kind": "none"}} removes the joint action.
   */
  Terms changedBy(JsonObject data) {
    JsonObject focal = data.getJsonObject("focalPoints", new JsonObject());
    return new Terms(data.getString("purpose", purpose),
        data.containsKey("themes") ? strings(data.getJsonArray("themes")) : themes,
        data.containsKey("jointAction") ? data.getJsonObject("jointAction") : jointAction,
        focal.containsKey("from") ? strings(focal.getJsonArray("from")) : focalFrom,
        focal.containsKey("to") ? strings(focal.getJsonArray("to")) : focalTo);
  }

  Terms withFocalTo(List<String> people) {
    return new Terms(purpose, themes, jointAction, focalFrom, people);
  }

  /** The stored fields, JSON-encoded where they are not plain text; {@code prefix} is "" for the terms, "c" for a counter. */
  List<String> fields(String prefix) {
    return List.of(
        field(prefix, "purpose"), purpose,
        field(prefix, "themes"), new JsonArray(themes).encode(),
        field(prefix, "jointAction"), jointAction == null ? "" : jointAction.encode(),
        field(prefix, "focalFrom"), new JsonArray(focalFrom).encode(),
        field(prefix, "focalTo"), new JsonArray(focalTo).encode());
  }

  /** The terms stored under {@code prefix} in a request hash, or null when there are none. */
  static Terms fromHash(java.util.Map<String, String> h, String prefix) {
    String purpose = h.get(field(prefix, "purpose"));
    if (purpose == null) {
      return null;
    }
    String joint = h.get(field(prefix, "jointAction"));
    return new Terms(purpose, decode(h.get(field(prefix, "themes"))),
        joint == null || joint.isEmpty() ? null : new JsonObject(joint),
        decode(h.get(field(prefix, "focalFrom"))), decode(h.get(field(prefix, "focalTo"))));
  }

  /** The wire shape: {@code {"purpose", "themes", "jointAction", "focalPoints": {"from", "to"}}}. */
  JsonObject toJson() {
    return new JsonObject()
        .put("purpose", purpose)
        .put("themes", new JsonArray(themes))
        .put("jointAction", jointAction == null ? null : jointAction.copy())
        .put("focalPoints", new JsonObject().put("from", new JsonArray(focalFrom)).put("to", new JsonArray(focalTo)));
  }

  private static String field(String prefix, String name) {
    return prefix.isEmpty() ? name : prefix + Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  private static List<String> decode(String json) {
    if (json == null || json.isEmpty()) {
      return List.of();
    }
    return strings(new JsonArray(json));
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      for (Object o : array) {
        out.add((String) o);
      }
    }
    return out;
  }
}
