package org.relais.calendar;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * One occurrence of an event series, with its override applied. {@code recurrenceId} is the occurrence's original
 * start in the event's local form (null for an event that does not recur). All-day occurrences start and end at
 * midnight in the event's zone; their dates are what counts.
 */
record Occurrence(Event event, String recurrenceId, OccurrenceChange override, ZonedDateTime start, ZonedDateTime end) {

  String title() {
    return override != null && override.title() != null ? override.title() : event.title();
  }

  String description() {
    return override != null && override.description() != null ? override.description() : event.description();
  }

  String location() {
    return override != null && override.location() != null ? override.location() : event.location();
  }

  String onlineUrl() {
    return override != null && override.onlineUrl() != null ? override.onlineUrl() : event.onlineUrl();
  }

  EventStatus status() {
    if (event.cancelled()) {
      return EventStatus.CANCELLED;
    }
    return override != null && override.status() != null ? override.status() : event.status();
  }

  Instant startInstant() {
    return start.toInstant();
  }

  Instant endInstant() {
    return end.toInstant();
  }

  /** The occurrence as {@code event.list} shows it, with times also in {@code viewer}'s zone. */
  JsonObject toJson(ZoneId viewer) {
    JsonObject json = new JsonObject()
        .put("eventId", event.id())
        .put("calendarId", event.calendarId())
        .put("title", title())
        .put("description", description())
        .put("location", location())
        .put("onlineUrl", onlineUrl())
        .put("status", status().wire())
        .put("organizerId", event.organizerId())
        .put("allDay", event.allDay())
        .put("zone", event.zone().getId())
        .put("recurring", event.recurring());
    if (recurrenceId != null) {
      json.put("recurrenceId", recurrenceId);
    }
    json.put("modified", override != null);
    if (event.allDay()) {
      return json.put("start", start.toLocalDate().toString()).put("end", end.toLocalDate().toString());
    }
    return json
        .put("start", Times.offset(start))
        .put("end", Times.offset(end))
        .put("startUtc", Times.utc(start.toInstant()))
        .put("endUtc", Times.utc(end.toInstant()))
        .put("startViewer", Times.offset(start.withZoneSameInstant(viewer)))
        .put("endViewer", Times.offset(end.withZoneSameInstant(viewer)));
  }
}
