package org.relais.identity;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.relais.core.Schema;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * When a person usually works, in their own time zone: ISO weekdays (1 = Monday … 7 = Sunday) and a start and
 * end time of day ({@code HH:mm}).
 */
public record WorkingHours(List<Integer> days, String start, String end) {

  public static final WorkingHours DEFAULT = new WorkingHours(List.of(1, 2, 3, 4, 5), "09:00", "17:00");
  private static final Pattern TIME = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");

  public static final Schema SCHEMA = (path, value) -> {
    JsonObject json = (JsonObject) Schema.object()
        .required("days", Schema.array(Schema.integer(1, 7)).maxItems(7).unique())
        .required("start", Schema.string().pattern(TIME, "a time HH:mm"))
        .required("end", Schema.string().pattern(TIME, "a time HH:mm"))
        .check(path, value);
    if (json.getString("start").compareTo(json.getString("end")) >= 0) {
      throw org.relais.core.RelaisException.badRequest(path + ": start must be before end");
    }
    return json;
  };

  public static WorkingHours fromJson(JsonObject json) {
    if (json == null) {
      return DEFAULT;
    }
    List<Integer> days = new ArrayList<>();
    for (Object d : json.getJsonArray("days", new JsonArray())) {
      days.add(((Number) d).intValue());
    }
    days.sort(Integer::compare);
    return new WorkingHours(List.copyOf(days), json.getString("start", "09:00"), json.getString("end", "17:00"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("days", new JsonArray(new ArrayList<>(days))).put("start", start).put("end", end);
  }
}
