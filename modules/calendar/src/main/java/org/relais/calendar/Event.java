package org.relais.calendar;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An event series as stored: one hash in Redis. A non-recurring event is a series of one.
 *
 * <p>Times are local to {@code zone}: {@code start}/{@code end} are {@code uuuu-MM-dd'T'HH:mm:ss}, or dates for
 * all-day events (end exclusive, as iCalendar's DTEND;VALUE=DATE). {@code rrule} is a normalised RRULE value or null;
 * {@code exdates} and the keys of {@code overrides} are occurrences' original starts in the same local form.
 * {@code reminders} is null when each person's own defaults apply. {@code seq} counts the saves (optimistic
 * concurrency, and iCalendar's SEQUENCE).
 */
record Event(String id, String calendarId, String uid, String title, String description, String location,
             String onlineUrl, boolean allDay, ZoneId zone, String start, String end, String rrule,
             List<String> exdates, Map<String, OccurrenceChange> overrides, EventStatus status, String organizerId,
             List<String> attendeeIds, List<String> orgIds, List<Integer> reminders, long seq, String splitFrom,
             String createdBy, String createdAt, String updatedAt) {

  static Event fromHash(Map<String, String> h) {
    Map<String, OccurrenceChange> overrides = new TreeMap<>();
    String ov = h.get("overrides");
    if (ov != null && !ov.isEmpty()) {
      JsonObject json = new JsonObject(ov);
      for (String rid : json.fieldNames()) {
        overrides.put(rid, OccurrenceChange.fromJson(rid, json.getJsonObject(rid)));
      }
    }
    String reminders = h.get("reminders");
    return new Event(h.get("id"), h.get("calendarId"), h.get("uid"), h.getOrDefault("title", ""),
        h.getOrDefault("description", ""), h.getOrDefault("location", ""), h.getOrDefault("onlineUrl", ""),
        "1".equals(h.get("allDay")), ZoneId.of(h.get("zone")), h.get("start"), h.get("end"),
        blankToNull(h.get("rrule")), strings(h.get("exdates")), Collections.unmodifiableMap(overrides),
        EventStatus.fromWire(h.get("status")), h.get("organizerId"), strings(h.get("attendeeIds")),
        strings(h.get("orgIds")), reminders == null || reminders.isEmpty() ? null : integers(reminders),
        Long.parseLong(h.getOrDefault("seq", "0")), blankToNull(h.get("splitFrom")), h.get("createdBy"),
        h.get("createdAt"), h.get("updatedAt"));
  }

  /** The stored fields (everything but {@code seq}, which the save script sets). */
  Map<String, String> toHash() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("id", id);
    h.put("calendarId", calendarId);
    h.put("uid", uid);
    h.put("title", title);
    h.put("description", description);
    h.put("location", location);
    h.put("onlineUrl", onlineUrl);
    h.put("allDay", allDay ? "1" : "0");
    h.put("zone", zone.getId());
    h.put("start", start);
    h.put("end", end);
    h.put("rrule", rrule == null ? "" : rrule);
    h.put("exdates", new JsonArray(new ArrayList<>(exdates)).encode());
    JsonObject ov = new JsonObject();
    overrides.forEach((rid, o) -> ov.put(rid, o.toStored()));
    h.put("overrides", ov.encode());
    h.put("status", status.wire());
    h.put("organizerId", organizerId);
    h.put("attendeeIds", new JsonArray(new ArrayList<>(attendeeIds)).encode());
    h.put("orgIds", new JsonArray(new ArrayList<>(orgIds)).encode());
    h.put("reminders", reminders == null ? "" : new JsonArray(new ArrayList<>(reminders)).encode());
    h.put("splitFrom", splitFrom == null ? "" : splitFrom);
    h.put("createdBy", createdBy);
    h.put("createdAt", createdAt);
    h.put("updatedAt", updatedAt);
    return h;
  }

  /** A copy with some stored fields replaced (as {@link #toHash()} names them). */
  Event with(Map<String, String> changes) {
    Map<String, String> h = toHash();
    h.putAll(changes);
    h.put("seq", String.valueOf(seq));
    return fromHash(h);
  }

  boolean recurring() {
    return rrule != null;
  }

  boolean cancelled() {
    return status == EventStatus.CANCELLED;
  }

  LocalDateTime localStart() {
    return LocalDateTime.parse(start);
  }

  LocalDateTime localEnd() {
    return LocalDateTime.parse(end);
  }

  LocalDate startDate() {
    return LocalDate.parse(start);
  }

  LocalDate endDate() {
    return LocalDate.parse(end);
  }

  ZonedDateTime zonedStart() {
    return allDay ? startDate().atStartOfDay(zone) : ZonedDateTime.of(localStart(), zone);
  }

  ZonedDateTime zonedEnd() {
    return allDay ? endDate().atStartOfDay(zone) : ZonedDateTime.of(localEnd(), zone);
  }

  /** The exact length of each occurrence (RFC 5545: DTEND − DTSTART as a duration), for timed events. */
  Duration duration() {
    return Duration.between(zonedStart(), zonedEnd());
  }

  /** Days each occurrence of an all-day event covers. */
  long days() {
    return ChronoUnit.DAYS.between(startDate(), endDate());
  }

  /** Whether the user is the organiser or invited by name or through their organisation. */
  boolean involves(String userId, String orgId) {
    return userId.equals(organizerId) || attendeeIds.contains(userId) || (orgId != null && orgIds.contains(orgId));
  }

  /** The series as the wire shows it. */
  JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("calendarId", calendarId)
        .put("uid", uid)
        .put("title", title)
        .put("description", description)
        .put("location", location)
        .put("onlineUrl", onlineUrl)
        .put("allDay", allDay)
        .put("zone", zone.getId())
        .put("start", start)
        .put("end", end);
    if (!allDay) {
      json.put("startUtc", Times.utc(zonedStart().toInstant())).put("endUtc", Times.utc(zonedEnd().toInstant()));
    }
    if (rrule != null) {
      json.put("rrule", rrule);
    }
    JsonArray ovs = new JsonArray();
    overrides.values().forEach(o -> ovs.add(o.toJson()));
    json.put("exdates", new JsonArray(new ArrayList<>(exdates)))
        .put("overrides", ovs)
        .put("status", status.wire())
        .put("organizerId", organizerId)
        .put("attendeeIds", new JsonArray(new ArrayList<>(attendeeIds)))
        .put("orgIds", new JsonArray(new ArrayList<>(orgIds)));
    if (reminders != null) {
      json.put("reminders", new JsonArray(new ArrayList<>(reminders)));
    }
    if (splitFrom != null) {
      json.put("splitFrom", splitFrom);
    }
    return json.put("sequence", Math.max(0, seq - 1))
        .put("createdBy", createdBy)
        .put("createdAt", createdAt)
        .put("updatedAt", updatedAt);
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static List<String> strings(String json) {
    if (json == null || json.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    new JsonArray(json).forEach(v -> out.add((String) v));
    return List.copyOf(out);
  }

  private static List<Integer> integers(String json) {
    List<Integer> out = new ArrayList<>();
    new JsonArray(json).forEach(v -> out.add(((Number) v).intValue()));
    return List.copyOf(out);
  }
}
