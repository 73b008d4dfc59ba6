package org.relais.calendar;

import org.relais.core.Ids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.relais.redis.LuaScript;
import org.relais.redis.RedisDb;
import org.relais.redis.Responses;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Calendars, event series, answers, preferences and feed secrets in Redis; every key from {@link CalendarKeys}. */
final class CalendarStore {
  private static final LuaScript SAVE = LuaScript.withLibrary(CalendarStore.class, "calendar_lib", "calendar_save");

  private final RedisDb db;

  CalendarStore(RedisDb db) {
    this.db = db;
  }

  RedisDb db() {
    return db;
  }

  // ---------------------------------------------------------------- calendars

  Future<Optional<Calendar>> calendar(String calendarId) {
    return db.send(Command.HGETALL, CalendarKeys.calendar(calendarId)).map(r -> {
      Map<String, String> h = Responses.toMap(r);
      return h.isEmpty() ? Optional.empty() : Optional.of(Calendar.fromHash(h));
    });
  }

  /** The calendars that exist among these ids, in the order given. */
  Future<List<Calendar>> calendars(Collection<String> calendarIds) {
    List<String> ids = new ArrayList<>(new LinkedHashSet<>(calendarIds));
    List<Request> reads = new ArrayList<>();
    ids.forEach(id -> reads.add(Request.cmd(Command.HGETALL).arg(CalendarKeys.calendar(id))));
    return db.batch(reads).map(replies -> {
      List<Calendar> out = new ArrayList<>();
      for (Response r : replies) {
        Map<String, String> h = Responses.toMap(r);
        if (!h.isEmpty()) {
          out.add(Calendar.fromHash(h));
        }
      }
      return out;
    });
  }

  /**
   * Writes a new calendar. With an {@code indexKey}/{@code indexField} (the singleton map), it is created only if none
   * is registered there yet; if another was registered first, that one is returned and this one is removed.
   */
  Future<Calendar> createCalendar(Calendar c, String indexKey, String indexField) {
    Request hset = Request.cmd(Command.HSET).arg(CalendarKeys.calendar(c.id()));
    calendarFields(c).forEach(hset::arg);
    if (indexKey == null) {
      return db.send(hset).map(c);
    }
    return db.send(hset)
        .compose(v -> db.send(Command.HSETNX, indexKey, indexField, c.id()))
        .compose(set -> {
          if (Responses.num(set) == 1) {
            return Future.succeededFuture(c);
          }
          return db.send(Command.DEL, CalendarKeys.calendar(c.id()))
              .compose(v -> db.send(Command.HGET, indexKey, indexField))
              .compose(id -> calendar(id.toString()))
              .map(Optional::orElseThrow);
        });
  }

  /** The id registered in a singleton map, or null. */
  Future<String> indexed(String indexKey, String field) {
    return db.send(Command.HGET, indexKey, field).map(Responses::str);
  }

  Future<Map<String, String>> channelCalendars() {
    return db.send(Command.HGETALL, CalendarKeys.channels()).map(Responses::toMap);
  }

  Future<Void> updateCalendar(String calendarId, Map<String, String> fields) {
    Request hset = Request.cmd(Command.HSET).arg(CalendarKeys.calendar(calendarId));
    fields.forEach((k, v) -> hset.arg(k).arg(v));
    return db.send(hset).mapEmpty();
  }

  Future<Void> addOwned(String userId, String calendarId) {
    return db.send(Command.SADD, CalendarKeys.owned(userId), calendarId).mapEmpty();
  }

  /** Ids of calendars the user made, and of those shared with the user or their organisation. */
  Future<Set<String>> ownedAndShared(String userId, String orgId) {
    return db.batch(List.of(
        Request.cmd(Command.SMEMBERS).arg(CalendarKeys.owned(userId)),
        Request.cmd(Command.SMEMBERS).arg(CalendarKeys.sharedWithUser(userId)),
        Request.cmd(Command.SMEMBERS).arg(CalendarKeys.sharedWithOrg(orgId == null ? "-" : orgId)))).map(replies -> {
          Set<String> ids = new LinkedHashSet<>();
          replies.forEach(r -> ids.addAll(Responses.toList(r)));
          return ids;
        });
  }

  /** The level shared with the user, or with their organisation, whichever is higher. */
  Future<Access.Level> sharedLevel(String calendarId, String userId, String orgId) {
    return db.send(Command.HMGET, CalendarKeys.shares(calendarId), "u:" + userId, "o:" + (orgId == null ? "-" : orgId))
        .map(r -> {
          List<String> levels = Responses.toList(r);
          return Access.Level.fromWire(levels.get(0)).max(Access.Level.fromWire(levels.get(1)));
        });
  }

  Future<Map<String, String>> shares(String calendarId) {
    return db.send(Command.HGETALL, CalendarKeys.shares(calendarId)).map(Responses::toMap);
  }

  /** Shares a calendar with a user ({@code u:ID}) or an organisation ({@code o:ID}); level null removes the share. */
  Future<Void> share(String calendarId, String target, Access.Level level) {
    String id = target.substring(2);
    String index = target.startsWith("u:") ? CalendarKeys.sharedWithUser(id) : CalendarKeys.sharedWithOrg(id);
    if (level == null || level == Access.Level.NONE) {
      return db.batch(List.of(
          Request.cmd(Command.HDEL).arg(CalendarKeys.shares(calendarId)).arg(target),
          Request.cmd(Command.SREM).arg(index).arg(calendarId))).mapEmpty();
    }
    return db.batch(List.of(
        Request.cmd(Command.HSET).arg(CalendarKeys.shares(calendarId)).arg(target).arg(level.wire()),
        Request.cmd(Command.SADD).arg(index).arg(calendarId))).mapEmpty();
  }

  private static List<String> calendarFields(Calendar c) {
    List<String> f = new ArrayList<>(List.of("id", c.id(), "kind", c.kind().wire(), "name", c.name(),
        "description", c.description(), "color", c.color(), "createdBy", c.createdBy(), "createdAt", c.createdAt(),
        "updatedAt", c.updatedAt()));
    if (c.orgId() != null) {
      f.addAll(List.of("orgId", c.orgId()));
    }
    if (c.channelId() != null) {
      f.addAll(List.of("channelId", c.channelId()));
    }
    if (c.ownerId() != null) {
      f.addAll(List.of("ownerId", c.ownerId()));
    }
    return f;
  }

  // ---------------------------------------------------------------- events

  /** The calendar of each event that exists, by event id. */
  Future<Map<String, String>> calendarsOf(Collection<String> eventIds) {
    List<String> ids = new ArrayList<>(new LinkedHashSet<>(eventIds));
    if (ids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    Request hmget = Request.cmd(Command.HMGET).arg(CalendarKeys.eventCalendars());
    ids.forEach(hmget::arg);
    return db.send(hmget).map(r -> {
      List<String> cals = Responses.toList(r);
      Map<String, String> out = new LinkedHashMap<>();
      for (int i = 0; i < ids.size(); i++) {
        if (cals.get(i) != null) {
          out.put(ids.get(i), cals.get(i));
        }
      }
      return out;
    });
  }

  Future<Optional<Event>> event(String eventId) {
    return db.send(Command.HGET, CalendarKeys.eventCalendars(), eventId).compose(cal -> cal == null
        ? Future.succeededFuture(Optional.empty())
        : event(cal.toString(), eventId));
  }

  Future<Optional<Event>> event(String calendarId, String eventId) {
    return db.send(Command.HGETALL, CalendarKeys.event(calendarId, eventId)).map(r -> {
      Map<String, String> h = Responses.toMap(r);
      return h.isEmpty() ? Optional.empty() : Optional.of(Event.fromHash(h));
    });
  }

  /** The series that exist, given event id → calendar id. */
  Future<List<Event>> events(Map<String, String> calendarByEvent) {
    List<Request> reads = new ArrayList<>();
    calendarByEvent.forEach((e, c) -> reads.add(Request.cmd(Command.HGETALL).arg(CalendarKeys.event(c, e))));
    return db.batch(reads).map(replies -> {
      List<Event> out = new ArrayList<>();
      for (Response r : replies) {
        Map<String, String> h = Responses.toMap(r);
        if (!h.isEmpty()) {
          out.add(Event.fromHash(h));
        }
      }
      return out;
    });
  }

  /** Ids of the calendar's series whose span may overlap [fromMs, toMs]: ending at or after from, starting by to. */
  Future<Map<String, List<String>>> eventIdsBetween(Collection<String> calendarIds, long fromMs, long toMs) {
    List<String> ids = new ArrayList<>(calendarIds);
    List<Request> reads = new ArrayList<>();
    for (String c : ids) {
      reads.add(Request.cmd(Command.ZRANGEBYSCORE).arg(CalendarKeys.byEnd(c)).arg(fromMs).arg("+inf"));
      reads.add(Request.cmd(Command.ZRANGEBYSCORE).arg(CalendarKeys.byStart(c)).arg("-inf").arg(toMs));
    }
    return db.batch(reads).map(replies -> {
      Map<String, List<String>> out = new LinkedHashMap<>();
      for (int i = 0; i < ids.size(); i++) {
        Set<String> endingAfter = new LinkedHashSet<>(Responses.toList(replies.get(2 * i)));
        endingAfter.retainAll(new HashSet<>(Responses.toList(replies.get(2 * i + 1))));
        out.put(ids.get(i), new ArrayList<>(endingAfter));
      }
      return out;
    });
  }

  /** Ids of events the user organises or is invited to, by name or through the organisation, ending after from. */
  Future<Set<String>> involvedEventIds(String userId, String orgId, long fromMs) {
    return db.batch(List.of(
        Request.cmd(Command.ZRANGEBYSCORE).arg(CalendarKeys.invitedUser(userId)).arg(fromMs).arg("+inf"),
        Request.cmd(Command.ZRANGEBYSCORE).arg(CalendarKeys.invitedOrg(orgId == null ? "-" : orgId)).arg(fromMs)
            .arg("+inf"))).map(replies -> {
              Set<String> ids = new LinkedHashSet<>();
              replies.forEach(r -> ids.addAll(Responses.toList(r)));
              return ids;
            });
  }

  Future<Void> registerEvent(String eventId, String calendarId) {
    return db.send(Command.HSET, CalendarKeys.eventCalendars(), eventId, calendarId).mapEmpty();
  }

  Future<Void> unregisterEvent(String eventId) {
    return db.send(Command.HDEL, CalendarKeys.eventCalendars(), eventId).mapEmpty();
  }

  /** One save of a series: the series as it will be, the version it must have now (0: new), its answers action. */
  record Write(Event event, long expectedSeq, Instant start, Optional<Instant> end, String answers) {
  }

  /** A saved series: its new version, and who was asked again. */
  record Saved(Event event, List<String> reasked) {
  }

  /**
   * Saves series of one calendar atomically. Fails with {@code conflict} when any of them changed since it was read
   * (nothing is written then).
   */
  Future<List<Saved>> save(String calendarId, List<Write> writes, String now) {
    List<String> args = new ArrayList<>();
    args.add(String.valueOf(writes.size()));
    for (Write w : writes) {
      Map<String, String> fields = w.event().toHash();
      args.add(w.event().id());
      args.add(String.valueOf(w.expectedSeq()));
      args.add(String.valueOf(w.start().toEpochMilli()));
      args.add(w.end().map(e -> String.valueOf(e.toEpochMilli())).orElse("+inf"));
      args.add(w.answers());
      args.add(now);
      args.add(String.valueOf(fields.size()));
      fields.forEach((k, v) -> {
        args.add(k);
        args.add(v == null ? "" : v);
      });
    }
    return db.eval(SAVE, List.of(CalendarKeys.calendar(calendarId)), args).compose(Responses::checked).compose(r -> {
      List<Saved> saved = new ArrayList<>();
      for (int i = 0; i < writes.size(); i++) {
        long version = r.get(1 + 2 * i).toLong();
        List<String> reasked = new ArrayList<>();
        new JsonArray(r.get(2 + 2 * i).toString()).forEach(u -> reasked.add((String) u));
        Map<String, String> h = writes.get(i).event().toHash();
        h.put("seq", String.valueOf(version));
        saved.add(new Saved(Event.fromHash(h), reasked));
      }
      return Future.succeededFuture(saved);
    });
  }

  /**
   * Keeps the per-person and per-organisation indexes of who is involved in a series up to date: entries for the
   * people and organisations of {@code after}, none left for those only in {@code before}.
   */
  Future<Void> indexInvolvement(Event before, Event after, Optional<Instant> end) {
    String score = end.map(e -> String.valueOf(e.toEpochMilli())).orElse("+inf");
    Set<String> users = new LinkedHashSet<>(after.attendeeIds());
    users.add(after.organizerId());
    Set<String> orgs = new LinkedHashSet<>(after.orgIds());
    List<Request> writes = new ArrayList<>();
    users.forEach(u -> writes.add(Request.cmd(Command.ZADD).arg(CalendarKeys.invitedUser(u)).arg(score).arg(after.id())));
    orgs.forEach(o -> writes.add(Request.cmd(Command.ZADD).arg(CalendarKeys.invitedOrg(o)).arg(score).arg(after.id())));
    if (before != null) {
      Set<String> goneUsers = new LinkedHashSet<>(before.attendeeIds());
      goneUsers.add(before.organizerId());
      goneUsers.removeAll(users);
      Set<String> goneOrgs = new LinkedHashSet<>(before.orgIds());
      goneOrgs.removeAll(orgs);
      goneUsers.forEach(u -> writes.add(Request.cmd(Command.ZREM).arg(CalendarKeys.invitedUser(u)).arg(after.id())));
      goneOrgs.forEach(o -> writes.add(Request.cmd(Command.ZREM).arg(CalendarKeys.invitedOrg(o)).arg(after.id())));
    }
    return db.batch(writes).mapEmpty();
  }

  // ---------------------------------------------------------------- answers

  /** Every answer to a series: user id → {"status", "comment"?, "at", "reasked"?}. */
  Future<Map<String, JsonObject>> answers(String calendarId, String eventId) {
    return db.send(Command.HGETALL, CalendarKeys.rsvp(calendarId, eventId)).map(r -> {
      Map<String, JsonObject> out = new LinkedHashMap<>();
      Responses.toMap(r).forEach((u, json) -> out.put(u, new JsonObject(json)));
      return out;
    });
  }

  Future<Void> answer(String calendarId, String eventId, String userId, JsonObject answer) {
    return db.send(Command.HSET, CalendarKeys.rsvp(calendarId, eventId), userId, answer.encode()).mapEmpty();
  }

  // ---------------------------------------------------------------- preferences

  /** Each user's own default reminders (minutes before), for those who set them. */
  Future<Map<String, List<Integer>>> reminderPrefs(Collection<String> userIds) {
    List<String> ids = new ArrayList<>(new LinkedHashSet<>(userIds));
    if (ids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    Request hmget = Request.cmd(Command.HMGET).arg(CalendarKeys.prefs());
    ids.forEach(hmget::arg);
    return db.send(hmget).map(r -> {
      List<String> values = Responses.toList(r);
      Map<String, List<Integer>> out = new LinkedHashMap<>();
      for (int i = 0; i < ids.size(); i++) {
        if (values.get(i) != null) {
          List<Integer> minutes = new ArrayList<>();
          new JsonObject(values.get(i)).getJsonArray("reminders", new JsonArray())
              .forEach(m -> minutes.add(((Number) m).intValue()));
          out.put(ids.get(i), List.copyOf(minutes));
        }
      }
      return out;
    });
  }

  Future<Void> setReminderPrefs(String userId, List<Integer> minutes) {
    return db.send(Command.HSET, CalendarKeys.prefs(), userId,
        new JsonObject().put("reminders", new JsonArray(new ArrayList<>(minutes))).encode()).mapEmpty();
  }

  // ---------------------------------------------------------------- feed secrets

  /** The user's current secret for a calendar ("*": all their events), or null. */
  Future<String> feedSecret(String userId, String scope) {
    return db.send(Command.HGET, CalendarKeys.feeds(userId), scope).map(Responses::str);
  }

  /** Makes {@code secret} the user's secret for the scope; the previous one stops working. */
  Future<Void> replaceFeedSecret(String userId, String scope, String previous, String secret, String now) {
    List<Request> writes = new ArrayList<>();
    if (previous != null) {
      writes.add(Request.cmd(Command.DEL).arg(CalendarKeys.feed(Ids.sha256Hex(previous))));
    }
    writes.add(Request.cmd(Command.HSET).arg(CalendarKeys.feed(Ids.sha256Hex(secret)))
        .arg("userId").arg(userId).arg("calendarId").arg(scope.equals("*") ? "" : scope).arg("createdAt").arg(now));
    writes.add(Request.cmd(Command.HSET).arg(CalendarKeys.feeds(userId)).arg(scope).arg(secret));
    return db.batch(writes).mapEmpty();
  }

  /** What a secret opens: {userId, calendarId}; empty when unknown or replaced. */
  Future<Map<String, String>> feedBySecret(String secret) {
    return db.send(Command.HGETALL, CalendarKeys.feed(Ids.sha256Hex(secret))).map(Responses::toMap);
  }

}
