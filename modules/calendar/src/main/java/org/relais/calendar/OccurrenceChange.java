package org.relais.calendar;

import io.vertx.core.json.JsonObject;

/**
 * A change of one occurrence of a recurring event, keyed by the occurrence's original start ({@code recurrenceId},
 * a local date-time or, for all-day events, a date). {@code start} and {@code end} are always set, in the event's
 * zone; the other fields are null when the occurrence keeps the series' value.
 */
record OccurrenceChange(String recurrenceId, String start, String end, String title, String description, String location,
                String onlineUrl, EventStatus status) {

  static OccurrenceChange fromJson(String recurrenceId, JsonObject json) {
    String status = json.getString("status");
    return new OccurrenceChange(recurrenceId, json.getString("start"), json.getString("end"), json.getString("title"),
        json.getString("description"), json.getString("location"), json.getString("onlineUrl"),
        status == null ? null : EventStatus.fromWire(status));
  }

  /** The stored form (without the recurrence id, which is the key). */
  JsonObject toStored() {
    JsonObject json = new JsonObject().put("start", start).put("end", end);
    putIfSet(json, "title", title);
    putIfSet(json, "description", description);
    putIfSet(json, "location", location);
    putIfSet(json, "onlineUrl", onlineUrl);
    if (status != null) {
      json.put("status", status.wire());
    }
    return json;
  }

  JsonObject toJson() {
    return new JsonObject().put("recurrenceId", recurrenceId).mergeIn(toStored());
  }

  private static void putIfSet(JsonObject json, String field, String value) {
    if (value != null) {
      json.put(field, value);
    }
  }
}
