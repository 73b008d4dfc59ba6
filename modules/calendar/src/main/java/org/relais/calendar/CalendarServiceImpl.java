package org.relais.calendar;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.relais.calendar.Access.Level;
import org.relais.calendar.CalendarStore.Saved;
import org.relais.calendar.CalendarStore.Write;
import org.relais.core.ErrorCode;
import org.relais.core.EventSink;
import org.relais.core.Ids;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.identity.IdentityService;
import org.relais.identity.User;
import org.relais.identity.UserStatus;
import org.relais.redis.RedisDb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;

final class CalendarServiceImpl implements CalendarService {
  private static final Logger LOG = LoggerFactory.getLogger(CalendarService.class);
  private static final int SAVE_ATTEMPTS = 5;
  private static final long DAY_MS = 86_400_000L;
  private static final long MAX_EVENT_DAYS = 366;
  private static final int MAX_PREFS_REPLAN = 200;
  private static final Set<String> OCCURRENCE_FIELDS = Set.of("eventId", "scope", "recurrenceId", "title",
      "description", "location", "onlineUrl", "start", "end", "zone", "status");

  private final Vertx vertx;
  private final CalendarStore store;
  private final People people;
  private final ChannelMembership membership;
  private final ChannelMembers channelMembers;
  private final EventSink events;
  private final CalendarSettings settings;
  private final ReminderPlanner planner;
  private volatile org.relais.core.AuditSink audit = org.relais.core.AuditSink.NONE;

  CalendarServiceImpl(Vertx vertx, RedisDb db, IdentityService identity, ChannelMembership membership,
                      ChannelMembers channelMembers, EventSink events, CalendarSettings settings) {
    this.vertx = vertx;
    this.store = new CalendarStore(db);
    this.people = new People(identity);
    this.membership = membership;
    this.channelMembers = channelMembers;
    this.events = events;
    this.settings = settings;
    this.planner = new ReminderPlanner(db, store, people, settings);
  }

  // ---------------------------------------------------------------- access

  /** A calendar as one person sees it. */
  private record Seen(Calendar calendar, Access access) {
    JsonObject toJson() {
      return calendar.toJson().put("access", access.level().wire()).put("manage", access.manage());
    }
  }

  /** An event series as one person sees it. */
  private record View(Event event, Calendar calendar, Access access, boolean involved, boolean organiser) {
    boolean canEdit() {
      return access.canWrite() || organiser;
    }
  }

  private Future<Access> access(Principal p, Calendar c) {
    Future<Access> own = switch (c.kind()) {
      case NETWORK -> Future.succeededFuture(
          new Access(p.isAdmin() || p.isCoordinator() ? Level.WRITE : Level.READ, p.isAdmin()));
      case ORGANISATION -> {
        boolean member = c.orgId().equals(p.orgId());
        boolean writes = p.canAdminOrg(c.orgId()) || (p.isCoordinator() && member);
        yield Future.succeededFuture(new Access(writes ? Level.WRITE : member ? Level.READ : Level.NONE,
            p.canAdminOrg(c.orgId())));
      }
      case CHANNEL -> membership.isMember(p, c.channelId())
          .map(m -> m ? new Access(Level.WRITE, true) : Access.NONE);
      case PERSONAL, SHARED -> Future.succeededFuture(
          p.userId().equals(c.ownerId()) ? new Access(Level.WRITE, true) : Access.NONE);
    };
    return own.compose(a -> a.canWrite() ? Future.succeededFuture(a)
        : store.sharedLevel(c.id(), p.userId(), p.orgId()).map(a::orShared));
  }

  /** The calendar if the person may read it; {@code not_found} otherwise, exactly as if it did not exist. */
  private Future<Seen> readable(Principal p, String calendarId) {
    return store.calendar(calendarId).compose(c -> {
      if (c.isEmpty()) {
        return Future.failedFuture(RelaisException.notFound("No such calendar"));
      }
      return access(p, c.get()).compose(a -> a.canRead() ? Future.succeededFuture(new Seen(c.get(), a))
          : Future.failedFuture(RelaisException.notFound("No such calendar")));
    });
  }

  private Future<Seen> writable(Principal p, String calendarId) {
    return readable(p, calendarId).compose(s -> s.access().canWrite() ? Future.succeededFuture(s)
        : Future.failedFuture(RelaisException.forbidden("You may read this calendar but not add to it or change it")));
  }

  private Future<Seen> managed(Principal p, String calendarId) {
    return readable(p, calendarId).compose(s -> s.access().manage() ? Future.succeededFuture(s)
        : Future.failedFuture(RelaisException.forbidden("Only those who manage this calendar change or share it")));
  }

  /** The series if the person may see it (through its calendar, or invited); {@code not_found} otherwise. */
  private Future<View> view(Principal p, String eventId) {
    return store.event(eventId).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(RelaisException.notFound("No such event"));
      }
      Event e = found.get();
      return store.calendar(e.calendarId()).compose(c -> {
        if (c.isEmpty()) {
          return Future.failedFuture(RelaisException.notFound("No such event"));
        }
        return access(p, c.get()).compose(a -> {
          boolean involved = e.involves(p.userId(), p.orgId());
          if (!a.canRead() && !involved) {
            return Future.failedFuture(RelaisException.notFound("No such event"));
          }
          return Future.succeededFuture(new View(e, c.get(), a, involved, p.userId().equals(e.organizerId())));
        });
      });
    });
  }

  private static Future<View> requireEdit(View v) {
    if (!v.canEdit()) {
      return Future.failedFuture(RelaisException.forbidden(
          "Only the organiser and those who may write to the calendar change this event"));
    }
    return Future.succeededFuture(v);
  }

  // ---------------------------------------------------------------- calendars

  private Future<Calendar> singleton(String field, Supplier<Future<Calendar>> make) {
    return store.indexed(CalendarKeys.singletons(), field).compose(id -> {
      if (id != null) {
        return store.calendar(id).map(Optional::orElseThrow);
      }
      return make.get().compose(c -> store.createCalendar(c, CalendarKeys.singletons(), field));
    });
  }

  private Future<Calendar> networkCalendar() {
    return singleton("network", () -> Future.succeededFuture(
        newCalendar(CalendarKind.NETWORK, "Network", null, null, null, "system")));
  }

  private Future<Calendar> orgCalendar(String orgId) {
    return singleton("org:" + orgId, () -> people.orgName(orgId)
        .map(name -> newCalendar(CalendarKind.ORGANISATION, name, orgId, null, null, "system")));
  }

  private Future<Calendar> personalCalendar(Principal p) {
    return singleton("personal:" + p.userId(), () -> people.users(List.of(p.userId())).map(users -> {
      User u = users.get(p.userId());
      return newCalendar(CalendarKind.PERSONAL, u == null ? "Personal" : u.displayName(), null, null, p.userId(),
          p.userId());
    }));
  }

  private static Calendar newCalendar(CalendarKind kind, String name, String orgId, String channelId, String ownerId,
                                      String createdBy) {
    String now = Instant.now().toString();
    return new Calendar(Ids.newId(), kind, name, "", "", orgId, channelId, ownerId, createdBy, now, now);
  }

  @Override
  public Future<JsonObject> channelCalendar(String channelId) {
    return store.indexed(CalendarKeys.channels(), channelId).compose(id -> {
      if (id != null) {
        return store.calendar(id).map(Optional::orElseThrow);
      }
      return store.createCalendar(newCalendar(CalendarKind.CHANNEL, "", null, channelId, null, "system"),
          CalendarKeys.channels(), channelId);
    }).map(c -> new JsonObject().put("calendar", c.toJson()));
  }

  /** Every calendar the person may read (without making the ones made on first use). */
  private Future<List<Seen>> visibleCalendars(Principal p) {
    List<Future<String>> singletons = new ArrayList<>();
    singletons.add(store.indexed(CalendarKeys.singletons(), "network"));
    singletons.add(store.indexed(CalendarKeys.singletons(), "personal:" + p.userId()));
    if (p.orgId() != null && !p.orgId().isEmpty()) {
      singletons.add(store.indexed(CalendarKeys.singletons(), "org:" + p.orgId()));
    }
    return Future.all(singletons)
        .compose(v -> store.ownedAndShared(p.userId(), p.orgId()))
        .compose(ids -> store.channelCalendars().map(channels -> {
          Set<String> all = new LinkedHashSet<>();
          singletons.forEach(f -> {
            if (f.result() != null) {
              all.add(f.result());
            }
          });
          all.addAll(ids);
          all.addAll(channels.values());
          return all;
        }))
        .compose(store::calendars)
        .compose(calendars -> {
          List<Future<Access>> accesses = new ArrayList<>();
          calendars.forEach(c -> accesses.add(access(p, c)));
          return Future.all(accesses).map(x -> {
            List<Seen> seen = new ArrayList<>();
            for (int i = 0; i < calendars.size(); i++) {
              Access a = accesses.get(i).result();
              if (a.canRead()) {
                seen.add(new Seen(calendars.get(i), a));
              }
            }
            return seen;
          });
        });
  }

  @Override
  public Future<JsonObject> listCalendars(Principal p) {
    Future<?> org = p.orgId() == null || p.orgId().isEmpty() ? Future.succeededFuture() : orgCalendar(p.orgId());
    return Future.all(networkCalendar(), org, personalCalendar(p))
        .compose(v -> visibleCalendars(p))
        .map(seen -> {
          List<Seen> sorted = new ArrayList<>(seen);
          sorted.sort(Comparator.comparing((Seen s) -> s.calendar().kind().ordinal())
              .thenComparing(s -> s.calendar().name().toLowerCase(Locale.ROOT))
              .thenComparing(s -> s.calendar().id()));
          JsonArray out = new JsonArray();
          sorted.forEach(s -> out.add(s.toJson()));
          return new JsonObject().put("calendars", out);
        });
  }

  @Override
  public Future<JsonObject> createCalendar(Principal p, JsonObject data) {
    String channelId = data.getString("channelId");
    if (channelId != null) {
      return membership.isMember(p, channelId).compose(member -> member
          ? channelCalendar(channelId).compose(c -> readable(p, c.getJsonObject("calendar").getString("id")))
          : Future.failedFuture(RelaisException.notFound("No such channel")))
          .map(s -> new JsonObject().put("calendar", s.toJson()));
    }
    Calendar made = newCalendar(CalendarKind.SHARED, data.getString("name"), null, null, p.userId(), p.userId());
    Calendar c = new Calendar(made.id(), made.kind(), made.name(), data.getString("description", ""),
        data.getString("color", ""), null, null, p.userId(), p.userId(), made.createdAt(), made.updatedAt());
    return store.createCalendar(c, null, null)
        .compose(x -> store.addOwned(p.userId(), c.id()))
        .map(x -> new JsonObject().put("calendar", new Seen(c, new Access(Level.WRITE, true)).toJson()));
  }

  @Override
  public Future<JsonObject> updateCalendar(Principal p, JsonObject data) {
    String calendarId = data.getString("calendarId");
    return managed(p, calendarId).compose(s -> {
      Map<String, String> fields = new LinkedHashMap<>();
      for (String f : List.of("name", "description", "color")) {
        if (data.containsKey(f)) {
          fields.put(f, data.getString(f));
        }
      }
      fields.put("updatedAt", Instant.now().toString());
      return store.updateCalendar(calendarId, fields).compose(v -> readable(p, calendarId));
    }).map(s -> new JsonObject().put("calendar", s.toJson()));
  }

  @Override
  public Future<JsonObject> share(Principal p, JsonObject data) {
    String calendarId = data.getString("calendarId");
    String userId = data.getString("userId");
    String orgId = data.getString("orgId");
    if ((userId == null) == (orgId == null)) {
      return Future.failedFuture(RelaisException.badRequest("data: give exactly one of userId and orgId"));
    }
    Level level = Level.fromWire(data.getString("access"));
    return managed(p, calendarId).compose(s -> {
      Future<Boolean> exists = userId != null
          ? people.activeUsers(List.of(userId)).map(found -> found.containsKey(userId))
          : people.orgExists(orgId);
      return exists.compose(ok -> ok ? Future.succeededFuture(s) : Future.failedFuture(RelaisException.notFound(
          userId != null ? "No such user" : "No such organisation")));
    }).compose(s -> store.share(calendarId, userId != null ? "u:" + userId : "o:" + orgId, level))
        .compose(v -> store.shares(calendarId))
        .map(shares -> new JsonObject().put("calendarId", calendarId).put("shares", sharesJson(shares)));
  }

  private static JsonArray sharesJson(Map<String, String> shares) {
    JsonArray out = new JsonArray();
    new TreeMap<>(shares).forEach((target, level) -> out.add(new JsonObject()
        .put(target.startsWith("u:") ? "userId" : "orgId", target.substring(2)).put("access", level)));
    return out;
  }

  @Override
  public void auditTo(org.relais.core.AuditSink sink) {
    this.audit = sink;
  }

  @Override
  public Future<JsonObject> feedSecret(Principal p, JsonObject data) {
    String calendarId = data.getString("calendarId");
    boolean rotate = data.getBoolean("rotate", false);
    String scope = calendarId == null ? "*" : calendarId;
    Future<?> allowed = calendarId == null ? Future.succeededFuture() : readable(p, calendarId);
    return allowed.compose(v -> store.feedSecret(p.userId(), scope)).compose(existing -> {
      if (existing != null && !rotate) {
        return Future.succeededFuture(existing);
      }
      String secret = Ids.newSecret();
      return store.replaceFeedSecret(p.userId(), scope, existing, secret, Instant.now().toString())
          .compose(v -> existing == null ? Future.<Void>succeededFuture()
              : audit.record(org.relais.core.AuditEntry.by(p, "calendar.feed_rotate", p.userId(), p.orgId())
                  .with("calendarId", calendarId)))
          .map(secret);
    }).map(secret -> {
      JsonObject reply = new JsonObject().put("secret", secret).put("url", "/ical/" + secret + ".ics");
      if (calendarId != null) {
        reply.put("calendarId", calendarId);
      }
      return reply;
    });
  }

  @Override
  public Future<JsonObject> prefs(Principal p, JsonObject data) {
    Future<Void> changed = Future.succeededFuture();
    if (data.containsKey("reminders")) {
      List<Integer> minutes = new ArrayList<>();
      data.getJsonArray("reminders").forEach(m -> minutes.add(((Number) m).intValue()));
      minutes.sort(Comparator.reverseOrder());
      changed = store.setReminderPrefs(p.userId(), minutes).compose(v -> replanInvolved(p));
    }
    return changed.compose(v -> store.reminderPrefs(List.of(p.userId()))).map(prefs -> {
      List<Integer> own = prefs.get(p.userId());
      return new JsonObject().put("prefs", new JsonObject()
          .put("reminders", new JsonArray(new ArrayList<>(own != null ? own : settings.defaultReminders())))
          .put("custom", own != null));
    });
  }

  /** Re-plans the reminders of the upcoming events the person is involved in (their offsets changed). */
  private Future<Void> replanInvolved(Principal p) {
    return store.involvedEventIds(p.userId(), p.orgId(), System.currentTimeMillis())
        .compose(ids -> store.calendarsOf(ids.stream().limit(MAX_PREFS_REPLAN).toList()))
        .compose(store::events)
        .compose(list -> {
          List<Future<Void>> plans = new ArrayList<>();
          list.stream().filter(e -> e.reminders() == null && !e.cancelled()).forEach(e -> plans.add(planner.plan(e)));
          return Future.join(plans).mapEmpty();
        });
  }

  // ---------------------------------------------------------------- building events from data

  private RelaisException bad(String message) {
    return RelaisException.badRequest(message);
  }

  /**
   * The series as {@code d} makes it from {@code base} (null: a new series with these identity fields). Pure: checks
   * zone, times, rule, link and sizes, and throws {@code bad_request}; writes nothing.
   */
  private Event build(Event base, JsonObject d, Identity id, ZoneId defaultZone, String now) {
    ZoneId zone = d.containsKey("zone") ? Times.zone("data.zone", d.getString("zone"))
        : base != null ? base.zone() : defaultZone;
    boolean allDay = d.getBoolean("allDay", base != null && base.allDay());
    if (base != null && allDay != base.allDay() && !d.containsKey("start")) {
      throw bad("data.start: required when allDay changes");
    }
    String start;
    String end;
    if (allDay) {
      LocalDate s = d.containsKey("start") ? Times.date("data.start", d.getString("start")) : base.startDate();
      LocalDate e;
      if (d.containsKey("end")) {
        e = Times.date("data.end", d.getString("end"));
      } else if (base != null && base.allDay()) {
        e = s.plusDays(base.days());
      } else {
        e = s.plusDays(1);
      }
      if (!e.isAfter(s)) {
        throw bad("data.end: must be after data.start (the end date of an all-day event is exclusive)");
      }
      if (ChronoUnit.DAYS.between(s, e) > MAX_EVENT_DAYS) {
        throw bad("data.end: an event lasts at most " + MAX_EVENT_DAYS + " days");
      }
      start = s.toString();
      end = e.toString();
    } else {
      LocalDateTime s = d.containsKey("start") ? Times.localDateTime("data.start", d.getString("start"), zone)
          : base.localStart();
      LocalDateTime e;
      if (d.containsKey("end")) {
        e = Times.localDateTime("data.end", d.getString("end"), zone);
      } else if (base != null && !base.allDay()) {
        e = d.containsKey("start") ? ZonedDateTime.of(s, zone).plus(base.duration()).toLocalDateTime() : base.localEnd();
      } else {
        e = s.plusHours(1);
      }
      ZonedDateTime zs = ZonedDateTime.of(s, zone);
      ZonedDateTime ze = ZonedDateTime.of(e, zone);
      if (ze.isBefore(zs)) {
        throw bad("data.end: must not be before data.start");
      }
      if (Duration.between(zs, ze).toDays() > MAX_EVENT_DAYS) {
        throw bad("data.end: an event lasts at most " + MAX_EVENT_DAYS + " days");
      }
      start = Times.local(s);
      end = Times.local(e);
    }
    String rule = d.containsKey("rrule") ? blankToNull(d.getString("rrule")) : base != null ? base.rrule() : null;
    if (rule != null) {
      rule = Recurrence.normalise(rule, allDay, zone, settings.maxCount());
    }
    List<String> exdates;
    if (d.containsKey("exdates")) {
      Set<String> parsed = new TreeSet<>();
      JsonArray given = d.getJsonArray("exdates");
      for (int i = 0; i < given.size(); i++) {
        String path = "data.exdates[" + i + "]";
        parsed.add(allDay ? Times.date(path, given.getString(i)).toString()
            : Times.local(Times.localDateTime(path, given.getString(i), zone)));
      }
      exdates = new ArrayList<>(parsed);
    } else {
      exdates = base != null ? base.exdates() : List.of();
    }
    String url = d.containsKey("onlineUrl") ? d.getString("onlineUrl").strip() : base != null ? base.onlineUrl() : "";
    if (!url.isEmpty()) {
      checkHttps(url);
    }
    List<String> attendees = d.containsKey("attendeeIds") ? strings(d.getJsonArray("attendeeIds"))
        : base != null ? base.attendeeIds() : List.of();
    if (attendees.size() > settings.maxAttendees()) {
      throw bad("data.attendeeIds: at most " + settings.maxAttendees() + " people");
    }
    List<String> orgs = d.containsKey("orgIds") ? strings(d.getJsonArray("orgIds"))
        : base != null ? base.orgIds() : List.of();
    List<Integer> reminders;
    if (d.getBoolean("useDefaultReminders", false)) {
      reminders = null;
    } else if (d.containsKey("reminders")) {
      List<Integer> r = new ArrayList<>();
      d.getJsonArray("reminders").forEach(m -> r.add(((Number) m).intValue()));
      r.sort(Comparator.reverseOrder());
      reminders = List.copyOf(r);
    } else {
      reminders = base != null ? base.reminders() : null;
    }
    EventStatus status = d.containsKey("status") ? EventStatus.fromWire(d.getString("status"))
        : base != null ? base.status() : EventStatus.CONFIRMED;
    if (status == EventStatus.CANCELLED) {
      throw bad("data.status: use event.cancel to cancel an event");
    }
    Event draft = new Event(id.id(), id.calendarId(), id.uid(),
        text(d, "title", base != null ? base.title() : ""), text(d, "description", base != null ? base.description() : ""),
        text(d, "location", base != null ? base.location() : ""), url, allDay, zone, start, end, rule, exdates,
        base != null ? base.overrides() : Map.of(), status, id.organizerId(), attendees, orgs, reminders,
        base != null ? base.seq() : 0, id.splitFrom(), id.createdBy(), id.createdAt(), now);
    if (draft.title().isBlank()) {
      throw bad("data.title: must not be empty");
    }
    return keepGenerated(synchronised(draft));
  }

  /**
   * A recurring series whose start the rule does not generate (a Tuesday start for BYDAY=MO) starts at its first
   * generated occurrence instead, keeping its length, so that every iCalendar reader expands it the same way.
   */
  private Event synchronised(Event e) {
    if (!e.recurring()) {
      return e;
    }
    String first = Occurrences.firstGenerated(e)
        .orElseThrow(() -> bad("data.rrule: the rule gives no occurrence from the start on"));
    if (first.equals(e.start())) {
      return e;
    }
    String end = e.allDay() ? LocalDate.parse(first).plusDays(e.days()).toString()
        : Times.local(ZonedDateTime.of(LocalDateTime.parse(first), e.zone()).plus(e.duration()).toLocalDateTime());
    return e.with(Map.of("start", first, "end", end));
  }

  /** Who a series is, apart from its content. */
  private record Identity(String id, String calendarId, String uid, String organizerId, String splitFrom,
                          String createdBy, String createdAt) {
    static Identity of(Event e) {
      return new Identity(e.id(), e.calendarId(), e.uid(), e.organizerId(), e.splitFrom(), e.createdBy(), e.createdAt());
    }
  }

  /** Drops exdates and overrides the series no longer generates (after its start or rule changed). */
  private static Event keepGenerated(Event e) {
    if (!e.recurring()) {
      if (e.exdates().isEmpty() && e.overrides().isEmpty()) {
        return e;
      }
      return new Event(e.id(), e.calendarId(), e.uid(), e.title(), e.description(), e.location(), e.onlineUrl(),
          e.allDay(), e.zone(), e.start(), e.end(), null, List.of(), Map.of(), e.status(), e.organizerId(),
          e.attendeeIds(), e.orgIds(), e.reminders(), e.seq(), e.splitFrom(), e.createdBy(), e.createdAt(),
          e.updatedAt());
    }
    int form = e.start().length();
    List<String> exdates = e.exdates().stream()
        .filter(x -> x.length() == form && Occurrences.generates(e, x)).toList();
    Map<String, OccurrenceChange> overrides = new TreeMap<>();
    e.overrides().forEach((rid, o) -> {
      if (rid.length() == form && o.start().length() == form && Occurrences.generates(e, rid)) {
        overrides.put(rid, o);
      }
    });
    return withSeries(e, e.rrule(), exdates, overrides);
  }

  private static Event withSeries(Event e, String rrule, List<String> exdates, Map<String, OccurrenceChange> overrides) {
    return new Event(e.id(), e.calendarId(), e.uid(), e.title(), e.description(), e.location(), e.onlineUrl(),
        e.allDay(), e.zone(), e.start(), e.end(), rrule, List.copyOf(exdates),
        Collections.unmodifiableMap(new TreeMap<>(overrides)),
        e.status(), e.organizerId(), e.attendeeIds(), e.orgIds(), e.reminders(), e.seq(), e.splitFrom(),
        e.createdBy(), e.createdAt(), e.updatedAt());
  }

  private static boolean moved(Event before, Event after) {
    return !before.zone().equals(after.zone()) || before.allDay() != after.allDay()
        || !before.start().equals(after.start()) || !before.end().equals(after.end())
        || !Objects.equals(before.rrule(), after.rrule());
  }

  private void checkHttps(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (Exception e) {
      throw bad("data.onlineUrl: expected an https link");
    }
    if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getHost().isEmpty()
        || url.chars().anyMatch(c -> c <= ' ')) {
      throw bad("data.onlineUrl: expected an https link such as https://meet.example.org/room");
    }
  }

  private static String text(JsonObject d, String field, String fallback) {
    return d.containsKey(field) ? d.getString(field) : fallback;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    a.forEach(v -> {
      if (!out.contains((String) v)) {
        out.add((String) v);
      }
    });
    return List.copyOf(out);
  }

  /** Checks that the people and organisations invited exist. */
  private Future<Void> checkInvitees(Event e, Event before) {
    List<String> users = e.attendeeIds().stream()
        .filter(u -> before == null || !before.attendeeIds().contains(u)).toList();
    List<String> orgs = e.orgIds().stream().filter(o -> before == null || !before.orgIds().contains(o)).toList();
    return people.activeUsers(users).compose(found -> {
      for (String u : users) {
        if (!found.containsKey(u)) {
          return Future.failedFuture(RelaisException.notFound("No such user: " + u));
        }
      }
      List<Future<Boolean>> checks = new ArrayList<>();
      orgs.forEach(o -> checks.add(people.orgExists(o)));
      return Future.all(checks).compose(x -> {
        for (int i = 0; i < orgs.size(); i++) {
          if (!checks.get(i).result()) {
            return Future.failedFuture(RelaisException.notFound("No such organisation: " + orgs.get(i)));
          }
        }
        return Future.succeededFuture();
      });
    });
  }

  private String recurrenceId(Event e, String raw) {
    return e.allDay() ? Times.date("data.recurrenceId", raw).toString()
        : Times.local(Times.localDateTime("data.recurrenceId", raw, e.zone()));
  }

  private Future<ZoneId> zoneOf(Principal p, String requested) {
    if (requested != null) {
      try {
        return Future.succeededFuture(Times.zone("data.zone", requested));
      } catch (RelaisException e) {
        return Future.failedFuture(e);
      }
    }
    return people.users(List.of(p.userId())).map(users -> {
      User u = users.get(p.userId());
      return u != null && Times.isZone(u.timeZone()) ? ZoneId.of(u.timeZone()) : ZoneId.of("UTC");
    });
  }

  // ---------------------------------------------------------------- saving and announcing

  private Write write(Event e, long expected, String answers) {
    return new Write(e, expected, Occurrences.seriesStart(e), Occurrences.seriesEnd(e), answers);
  }

  /** After a save: the involvement indexes and the reminders follow the series. */
  private Future<Void> afterSave(Event before, Event after) {
    return store.indexInvolvement(before, after, Occurrences.seriesEnd(after))
        .compose(v -> planner.plan(after));
  }

  /** Retries an attempt that failed with {@code conflict} (a concurrent save) from a fresh read. */
  private <T> Future<T> retrying(Supplier<Future<T>> attempt, int left) {
    return attempt.get().recover(e -> {
      if (left > 1 && e instanceof RelaisException re && re.code() == ErrorCode.CONFLICT) {
        return retrying(attempt, left - 1);
      }
      return Future.failedFuture(e);
    });
  }

  /** Who hears about a change of these series (see the class comment of {@link CalendarService}). */
  private Future<Set<String>> audience(Calendar c, Collection<Event> changed, String actor) {
    Set<String> ids = new LinkedHashSet<>();
    ids.add(actor);
    Set<String> orgs = new LinkedHashSet<>();
    for (Event e : changed) {
      ids.add(e.organizerId());
      ids.addAll(e.attendeeIds());
      orgs.addAll(e.orgIds());
    }
    Future<Set<String>> orgPeople = people.orgMembers(orgs, settings.maxAudience());
    Future<Collection<String>> more = switch (c.kind()) {
      case PERSONAL, SHARED -> store.shares(c.id()).map(shares -> {
        List<String> users = new ArrayList<>();
        users.add(c.ownerId());
        shares.keySet().stream().filter(t -> t.startsWith("u:")).forEach(t -> users.add(t.substring(2)));
        return users;
      });
      case CHANNEL -> channelMembers != null ? channelMembers.of(c.channelId()) : Future.succeededFuture(List.of());
      default -> Future.succeededFuture(List.of());
    };
    return Future.all(orgPeople, more).map(x -> {
      ids.addAll(orgPeople.result());
      ids.addAll(more.result());
      ids.remove(null);
      return ids.stream().limit(settings.maxAudience()).collect(Collectors.toCollection(LinkedHashSet::new));
    });
  }

  private Future<Void> announce(Collection<String> users, String ev, JsonObject data) {
    if (users.isEmpty()) {
      return Future.succeededFuture();
    }
    return events.toUsers(users, ev, data).recover(e -> {
      LOG.warn("{} not pushed: {}", ev, e.toString());
      return Future.succeededFuture();
    });
  }

  // ---------------------------------------------------------------- events

  @Override
  public Future<JsonObject> createEvent(Principal p, JsonObject data) {
    return createEvent(p, data, null);
  }

  private Future<JsonObject> createEvent(Principal p, JsonObject data, String uid) {
    String calendarId = data.getString("calendarId");
    return zoneOf(p, null).compose(defaultZone -> {
      String id = Ids.newId();
      String now = Instant.now().toString();
      Identity who = new Identity(id, "", uid != null ? uid : id + "@relais", p.userId(), null, p.userId(), now);
      Event checked = build(null, data, who, defaultZone, now);
      Future<Seen> calendar = calendarId != null ? writable(p, calendarId)
          : personalCalendar(p).map(c -> new Seen(c, new Access(Level.WRITE, true)));
      return calendar.compose(s -> {
        Event e = checked.with(Map.of("calendarId", s.calendar().id()));
        return checkInvitees(e, null)
            .compose(v -> store.registerEvent(id, s.calendar().id()))
            .compose(v -> store.save(s.calendar().id(), List.of(write(e, 0, "keep")), now)
                .recover(err -> store.unregisterEvent(id).transform(x -> Future.failedFuture(err))))
            .compose(saved -> {
              Event created = saved.get(0).event();
              JsonObject reply = new JsonObject().put("event", created.toJson());
              return afterSave(null, created)
                  .compose(v -> audience(s.calendar(), List.of(created), p.userId()))
                  .compose(users -> announce(users, "event.created", reply))
                  .map(reply);
            });
      });
    });
  }

  @Override
  public Future<JsonObject> updateEvent(Principal p, JsonObject data) {
    return retrying(() -> updateOnce(p, data), SAVE_ATTEMPTS);
  }

  private Future<JsonObject> updateOnce(Principal p, JsonObject data) {
    String scope = data.getString("scope", "all");
    return view(p, data.getString("eventId")).compose(CalendarServiceImpl::requireEdit).compose(v -> {
      Event base = v.event();
      if (base.cancelled()) {
        throw bad("This event is cancelled");
      }
      String now = Instant.now().toString();
      if (scope.equals("all")) {
        return updateAll(p, v, data, now);
      }
      String rid = occurrenceOf(base, data);
      if (scope.equals("this")) {
        return updateOne(p, v, rid, data, now);
      }
      if (rid.equals(base.start())) {
        return updateAll(p, v, data, now);
      }
      return updateFollowing(p, v, rid, data, now);
    });
  }

  /** The occurrence a "this" or "following" change names: one the series generates. */
  private String occurrenceOf(Event base, JsonObject data) {
    if (!base.recurring()) {
      throw bad("data.scope: this event does not recur; use scope all");
    }
    if (!data.containsKey("recurrenceId")) {
      throw bad("data.recurrenceId: required with scope " + data.getString("scope"));
    }
    String rid = recurrenceId(base, data.getString("recurrenceId"));
    if (!Occurrences.generates(base, rid)) {
      throw RelaisException.notFound("No such occurrence of this event");
    }
    return rid;
  }

  private Future<JsonObject> updateAll(Principal p, View v, JsonObject data, String now) {
    Event base = v.event();
    Event after = build(base, data, Identity.of(base), base.zone(), now);
    boolean moved = moved(base, after);
    return checkInvitees(after, base)
        .compose(x -> store.save(base.calendarId(), List.of(write(after, base.seq(), moved ? "reask" : "keep")), now))
        .compose(saved -> {
          Saved s = saved.get(0);
          JsonObject reply = new JsonObject().put("event", s.event().toJson()).put("scope", "all").put("moved", moved)
              .put("reasked", new JsonArray(new ArrayList<>(s.reasked())));
          return afterSave(base, s.event())
              .compose(x -> audience(v.calendar(), List.of(base, s.event()), p.userId()))
              .compose(users -> announce(users, "event.updated", reply))
              .map(reply);
        });
  }

  private Future<JsonObject> updateOne(Principal p, View v, String rid, JsonObject data, String now) {
    Event base = v.event();
    for (String field : data.fieldNames()) {
      if (!OCCURRENCE_FIELDS.contains(field)) {
        throw bad("data." + field + ": applies to the whole series; use scope all or following");
      }
    }
    Occurrence current = Occurrences.find(base, rid)
        .orElseThrow(() -> RelaisException.notFound("This occurrence was cancelled"));
    ZoneId inZone = data.containsKey("zone") ? Times.zone("data.zone", data.getString("zone")) : base.zone();
    String start;
    String end;
    if (base.allDay()) {
      LocalDate s = data.containsKey("start") ? Times.date("data.start", data.getString("start"))
          : current.start().toLocalDate();
      LocalDate e = data.containsKey("end") ? Times.date("data.end", data.getString("end"))
          : s.plusDays(ChronoUnit.DAYS.between(current.start().toLocalDate(), current.end().toLocalDate()));
      if (!e.isAfter(s)) {
        throw bad("data.end: must be after data.start (the end date of an all-day event is exclusive)");
      }
      start = s.toString();
      end = e.toString();
    } else {
      ZonedDateTime s = data.containsKey("start")
          ? ZonedDateTime.of(Times.localDateTime("data.start", data.getString("start"), inZone), inZone)
              .withZoneSameInstant(base.zone())
          : current.start();
      ZonedDateTime e = data.containsKey("end")
          ? ZonedDateTime.of(Times.localDateTime("data.end", data.getString("end"), inZone), inZone)
              .withZoneSameInstant(base.zone())
          : s.plus(Duration.between(current.start(), current.end()));
      if (e.isBefore(s)) {
        throw bad("data.end: must not be before data.start");
      }
      start = Times.local(s.toLocalDateTime());
      end = Times.local(e.toLocalDateTime());
    }
    String url = data.containsKey("onlineUrl") ? data.getString("onlineUrl").strip() : null;
    if (url != null && !url.isEmpty()) {
      checkHttps(url);
    }
    if (data.containsKey("title") && data.getString("title").isBlank()) {
      throw bad("data.title: must not be empty");
    }
    OccurrenceChange previous = current.override();
    OccurrenceChange o = new OccurrenceChange(rid, start, end,
        data.containsKey("title") ? data.getString("title") : previous != null ? previous.title() : null,
        data.containsKey("description") ? data.getString("description") : previous != null ? previous.description() : null,
        data.containsKey("location") ? data.getString("location") : previous != null ? previous.location() : null,
        url != null ? url : previous != null ? previous.onlineUrl() : null,
        data.containsKey("status") ? EventStatus.fromWire(data.getString("status"))
            : previous != null ? previous.status() : null);
    Map<String, OccurrenceChange> overrides = new TreeMap<>(base.overrides());
    overrides.put(rid, o);
    Event after = withSeries(base, base.rrule(), base.exdates(), overrides).with(Map.of("updatedAt", now));
    boolean moved = !start.equals(stored(base, current.start())) || !end.equals(stored(base, current.end()));
    return store.save(base.calendarId(), List.of(write(after, base.seq(), "keep")), now).compose(saved -> {
      Event e = saved.get(0).event();
      JsonObject reply = new JsonObject().put("event", e.toJson()).put("scope", "this").put("recurrenceId", rid)
          .put("moved", moved).put("reasked", new JsonArray());
      return afterSave(base, e)
          .compose(x -> audience(v.calendar(), List.of(e), p.userId()))
          .compose(users -> announce(users, "event.updated", reply))
          .map(reply);
    });
  }

  /** A time of the series in its stored local form. */
  private static String stored(Event e, ZonedDateTime t) {
    return e.allDay() ? t.toLocalDate().toString() : Times.local(t.toLocalDateTime());
  }

  /** The series ending just before {@code rid}: COUNT cut to what came before, or UNTIL set before it. */
  private static Event endBefore(Event base, String rid, String now) {
    String rule;
    if (Recurrence.count(base.rrule()) > 0) {
      rule = Recurrence.withCount(base.rrule(), Math.max(1, Occurrences.generatedBefore(base, rid)));
    } else if (base.allDay()) {
      rule = Recurrence.endingAt(base.rrule(), Recurrence.untilDate(LocalDate.parse(rid).minusDays(1)));
    } else {
      rule = Recurrence.endingAt(base.rrule(), Recurrence.untilUtc(
          ZonedDateTime.of(LocalDateTime.parse(rid), base.zone()).toInstant().minusSeconds(1)));
    }
    List<String> exdates = base.exdates().stream().filter(x -> x.compareTo(rid) < 0).toList();
    Map<String, OccurrenceChange> overrides = new TreeMap<>(base.overrides().entrySet().stream()
        .filter(x -> x.getKey().compareTo(rid) < 0)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    return withSeries(base, rule, exdates, overrides).with(Map.of("updatedAt", now));
  }

  private Future<JsonObject> updateFollowing(Principal p, View v, String rid, JsonObject data, String now) {
    Event base = v.event();
    Event old = endBefore(base, rid, now);
    String id = Ids.newId();
    String rule = base.rrule();
    int count = Recurrence.count(rule);
    if (count > 0) {
      rule = Recurrence.withCount(rule, Math.max(1, count - Occurrences.generatedBefore(base, rid)));
    }
    String end = base.allDay() ? LocalDate.parse(rid).plusDays(base.days()).toString()
        : Times.local(ZonedDateTime.of(LocalDateTime.parse(rid), base.zone()).plus(base.duration()).toLocalDateTime());
    Map<String, OccurrenceChange> overrides = new TreeMap<>();
    base.overrides().forEach((k, o) -> {
      if (k.compareTo(rid) >= 0) {
        overrides.put(k, o);
      }
    });
    Identity who = new Identity(id, base.calendarId(), id + "@relais", base.organizerId(), base.id(), p.userId(), now);
    Event seed = new Event(id, base.calendarId(), who.uid(), base.title(), base.description(), base.location(),
        base.onlineUrl(), base.allDay(), base.zone(), rid, end, rule,
        base.exdates().stream().filter(x -> x.compareTo(rid) >= 0).toList(), overrides, base.status(),
        base.organizerId(), base.attendeeIds(), base.orgIds(), base.reminders(), 0, base.id(), p.userId(), now, now);
    JsonObject changes = data.copy();
    changes.remove("eventId");
    changes.remove("scope");
    changes.remove("recurrenceId");
    Event next = build(seed, changes, who, base.zone(), now);
    boolean moved = moved(seed, next);
    return checkInvitees(next, base)
        .compose(x -> store.registerEvent(id, base.calendarId()))
        .compose(x -> store.save(base.calendarId(), List.of(write(old, base.seq(), "keep"),
                write(next, 0, (moved ? "copyreask:" : "copy:") + base.id())), now)
            .recover(err -> store.unregisterEvent(id).transform(y -> Future.failedFuture(err))))
        .compose(saved -> {
          Event before = saved.get(0).event();
          Saved after = saved.get(1);
          JsonObject reply = new JsonObject().put("event", after.event().toJson()).put("scope", "following")
              .put("recurrenceId", rid).put("moved", moved)
              .put("reasked", new JsonArray(new ArrayList<>(after.reasked())))
              .put("previous", before.toJson());
          return afterSave(base, before)
              .compose(x -> afterSave(null, after.event()))
              .compose(x -> audience(v.calendar(), List.of(before, after.event()), p.userId()))
              .compose(users -> announce(users, "event.updated", reply))
              .map(reply);
        });
  }

  @Override
  public Future<JsonObject> cancelEvent(Principal p, JsonObject data) {
    return retrying(() -> cancelOnce(p, data), SAVE_ATTEMPTS);
  }

  private Future<JsonObject> cancelOnce(Principal p, JsonObject data) {
    String scope = data.getString("scope", "all");
    return view(p, data.getString("eventId")).compose(CalendarServiceImpl::requireEdit).compose(v -> {
      Event base = v.event();
      if (base.cancelled()) {
        return Future.succeededFuture(new JsonObject().put("eventId", base.id()).put("calendarId", base.calendarId())
            .put("scope", "all").put("event", base.toJson()));
      }
      String now = Instant.now().toString();
      String rid = scope.equals("all") ? null : occurrenceOf(base, data);
      Event after;
      if (rid == null || (scope.equals("following") && rid.equals(base.start()))) {
        after = base.with(Map.of("status", EventStatus.CANCELLED.wire(), "updatedAt", now));
      } else if (scope.equals("this")) {
        List<String> exdates = new ArrayList<>(base.exdates());
        if (!exdates.contains(rid)) {
          exdates.add(rid);
        }
        exdates.sort(null);
        Map<String, OccurrenceChange> overrides = new TreeMap<>(base.overrides());
        overrides.remove(rid);
        after = withSeries(base, base.rrule(), exdates, overrides).with(Map.of("updatedAt", now));
      } else {
        after = endBefore(base, rid, now);
      }
      String effectiveScope = after.cancelled() ? "all" : scope;
      return store.save(base.calendarId(), List.of(write(after, base.seq(), "keep")), now).compose(saved -> {
        Event e = saved.get(0).event();
        JsonObject reply = new JsonObject().put("eventId", e.id()).put("calendarId", e.calendarId())
            .put("scope", effectiveScope).put("event", e.toJson());
        if (rid != null && !e.cancelled()) {
          reply.put("recurrenceId", rid);
        }
        return afterSave(base, e)
            .compose(x -> audience(v.calendar(), List.of(e), p.userId()))
            .compose(users -> announce(users, "event.cancelled", reply))
            .map(reply);
      });
    });
  }

  @Override
  public Future<JsonObject> getEvent(Principal p, JsonObject data) {
    return view(p, data.getString("eventId")).compose(v -> store.answers(v.event().calendarId(), v.event().id())
        .map(answers -> {
          Event e = v.event();
          JsonObject rsvp = new JsonObject().put("counts", counts(e, answers));
          JsonObject mine = answers.get(p.userId());
          if (mine != null) {
            rsvp.put("mine", mine);
          } else if (e.involves(p.userId(), p.orgId())) {
            rsvp.put("mine", new JsonObject().put("status", RsvpStatus.NEEDS_ACTION.wire()));
          }
          if (v.canEdit()) {
            JsonArray all = new JsonArray();
            new TreeMap<>(answers).forEach((u, a) -> all.add(a.copy().put("userId", u)));
            rsvp.put("answers", all);
          }
          return new JsonObject().put("event", e.toJson().put("rsvp", rsvp))
              .put("access", v.access().level().wire()).put("canEdit", v.canEdit());
        }));
  }

  /** Answers counted; people invited by name who have not answered count as needs-action. */
  private static JsonObject counts(Event e, Map<String, JsonObject> answers) {
    Map<String, Integer> n = new HashMap<>();
    for (RsvpStatus s : RsvpStatus.values()) {
      n.put(s.wire(), 0);
    }
    answers.values().forEach(a -> n.merge(a.getString("status"), 1, Integer::sum));
    long unanswered = e.attendeeIds().stream().filter(u -> !answers.containsKey(u)).count();
    return new JsonObject()
        .put("accepted", n.get("accepted"))
        .put("declined", n.get("declined"))
        .put("tentative", n.get("tentative"))
        .put("needsAction", n.get("needs-action") + unanswered);
  }

  @Override
  public Future<JsonObject> listEvents(Principal p, JsonObject data) {
    String calendarId = data.getString("calendarId");
    boolean includeCancelled = data.getBoolean("includeCancelled", false);
    return zoneOf(p, data.getString("zone")).compose(viewer -> {
      Instant from = Times.bound("data.from", data.getString("from"), viewer, false);
      Instant to = Times.bound("data.to", data.getString("to"), viewer, Times.isDate(data.getString("to")));
      if (!to.isAfter(from)) {
        throw bad("data.to: must be after data.from");
      }
      if (Duration.between(from, to).toMillis() > settings.maxRangeDays() * DAY_MS) {
        throw bad("data: the range is longer than " + settings.maxRangeDays() + " days");
      }
      return visibleEvents(p, calendarId, from.toEpochMilli() - 2 * DAY_MS, to.toEpochMilli() + 2 * DAY_MS)
          .map(list -> {
            List<Occurrence> all = new ArrayList<>();
            boolean truncated = false;
            for (Event e : list) {
              Occurrences.Expansion x = Occurrences.between(e, from, to, viewer, settings.maxOccurrencesPerEvent());
              truncated |= x.truncated();
              x.occurrences().stream().filter(o -> includeCancelled || o.status() != EventStatus.CANCELLED)
                  .forEach(all::add);
            }
            all.sort(Comparator.comparing((Occurrence o) -> sortKey(o, viewer)).thenComparing(o -> o.event().id()));
            if (all.size() > settings.maxOccurrencesPerList()) {
              all = all.subList(0, settings.maxOccurrencesPerList());
              truncated = true;
            }
            JsonArray out = new JsonArray();
            all.forEach(o -> out.add(o.toJson(viewer)));
            return new JsonObject().put("from", Times.utc(from)).put("to", Times.utc(to))
                .put("viewerZone", viewer.getId()).put("occurrences", out).put("truncated", truncated);
          });
    });
  }

  private static Instant sortKey(Occurrence o, ZoneId viewer) {
    return o.event().allDay() ? o.start().toLocalDate().atStartOfDay(viewer).toInstant() : o.startInstant();
  }

  /**
   * The series the person may see whose span may meet [fromMs, toMs]: of one calendar (read access needed), or of all
   * their calendars plus the events they are involved in.
   */
  private Future<List<Event>> visibleEvents(Principal p, String calendarId, long fromMs, long toMs) {
    Future<List<Seen>> calendars = calendarId != null ? readable(p, calendarId).map(List::of) : visibleCalendars(p);
    return calendars.compose(seen -> {
      Set<String> readableIds = new LinkedHashSet<>();
      seen.forEach(s -> readableIds.add(s.calendar().id()));
      Future<Map<String, String>> involved = calendarId != null ? Future.succeededFuture(Map.of())
          : store.involvedEventIds(p.userId(), p.orgId(), fromMs).compose(store::calendarsOf);
      Future<Map<String, List<String>>> byCalendar = store.eventIdsBetween(readableIds, fromMs, toMs);
      return Future.all(involved, byCalendar).compose(x -> {
        Map<String, String> wanted = new LinkedHashMap<>();
        byCalendar.result().forEach((cal, ids) -> ids.forEach(id -> wanted.put(id, cal)));
        wanted.putAll(involved.result());
        return store.events(wanted);
      }).map(list -> list.stream()
          .filter(e -> readableIds.contains(e.calendarId()) || e.involves(p.userId(), p.orgId()))
          .filter(e -> Occurrences.seriesStart(e).toEpochMilli() <= toMs)
          .toList());
    });
  }

  @Override
  public Future<JsonObject> rsvp(Principal p, JsonObject data) {
    RsvpStatus status = RsvpStatus.fromWire(data.getString("status"));
    if (status == RsvpStatus.NEEDS_ACTION) {
      return Future.failedFuture(bad("data.status: expected one of accepted, declined, tentative"));
    }
    return view(p, data.getString("eventId")).compose(v -> {
      Event e = v.event();
      if (!e.involves(p.userId(), p.orgId())) {
        throw RelaisException.forbidden("You are not invited to this event");
      }
      if (e.cancelled()) {
        throw bad("This event is cancelled");
      }
      JsonObject answer = new JsonObject().put("status", status.wire()).put("at", Instant.now().toString());
      if (data.containsKey("comment") && !data.getString("comment").isBlank()) {
        answer.put("comment", data.getString("comment"));
      }
      return store.answer(e.calendarId(), e.id(), p.userId(), answer)
          .compose(x -> store.answers(e.calendarId(), e.id()))
          .compose(answers -> {
            JsonObject counts = counts(e, answers);
            JsonObject everyone = new JsonObject().put("eventId", e.id()).put("calendarId", e.calendarId())
                .put("counts", counts);
            JsonObject detailed = everyone.copy().put("userId", p.userId()).put("status", status.wire());
            if (answer.containsKey("comment")) {
              detailed.put("comment", answer.getString("comment"));
            }
            Set<String> close = new LinkedHashSet<>(List.of(e.organizerId(), p.userId()));
            return planner.plan(e)
                .compose(x -> audience(v.calendar(), List.of(e), p.userId()))
                .compose(users -> {
                  users.removeAll(close);
                  return announce(users, "rsvp.changed", everyone);
                })
                .compose(x -> announce(close, "rsvp.changed", detailed))
                .map(x -> new JsonObject().put("eventId", e.id()).put("rsvp", answer).put("counts", counts));
          });
    });
  }

  @Override
  public Future<JsonObject> importEvent(Principal p, JsonObject data) {
    String ics = data.getString("ics");
    if (ics.getBytes(StandardCharsets.UTF_8).length > settings.maxIcsBytes()) {
      return Future.failedFuture(new RelaisException(ErrorCode.TOO_LARGE,
          "data.ics: larger than " + settings.maxIcsBytes() + " bytes"));
    }
    return zoneOf(p, null)
        .compose(zone -> vertx.executeBlocking(() -> IcsReader.read(ics, zone), false))
        .compose(parsed -> {
          String uid = (String) parsed.remove("uid");
          if (data.containsKey("calendarId")) {
            parsed.put("calendarId", data.getString("calendarId"));
          }
          return createEvent(p, parsed, uid);
        });
  }

  @Override
  public Future<JsonObject> suggest(Principal p, JsonObject data) {
    int minutes = data.getLong("durationMinutes").intValue();
    int limit = data.getLong("limit", 5L).intValue();
    int step = data.getLong("stepMinutes", 30L).intValue();
    List<String> named = data.containsKey("attendeeIds") ? strings(data.getJsonArray("attendeeIds")) : List.of();
    List<String> orgs = data.containsKey("orgIds") ? strings(data.getJsonArray("orgIds")) : List.of();
    if (named.isEmpty() && orgs.isEmpty()) {
      return Future.failedFuture(bad("data: name attendeeIds or orgIds"));
    }
    return zoneOf(p, data.getString("zone")).compose(zone -> {
      LocalDate fromDate = Times.date("data.from", data.getString("from"));
      LocalDate toDate = Times.date("data.to", data.getString("to"));
      if (toDate.isBefore(fromDate)) {
        throw bad("data.to: must not be before data.from");
      }
      if (ChronoUnit.DAYS.between(fromDate, toDate) + 1 > settings.maxSuggestDays()) {
        throw bad("data: the range is longer than " + settings.maxSuggestDays() + " days");
      }
      Instant from = fromDate.atStartOfDay(zone).toInstant();
      Instant to = toDate.plusDays(1).atStartOfDay(zone).toInstant();
      return people.orgMembers(orgs, settings.maxSuggestPeople() + 1).compose(members -> {
        Set<String> ids = new LinkedHashSet<>(named);
        ids.addAll(members);
        if (ids.size() > settings.maxSuggestPeople()) {
          throw bad("data: more than " + settings.maxSuggestPeople() + " people");
        }
        return people.activeUsers(ids).compose(users -> {
          for (String u : named) {
            if (!users.containsKey(u)) {
              throw RelaisException.notFound("No such user: " + u);
            }
          }
          List<User> attendees = ids.stream().map(users::get).filter(Objects::nonNull).toList();
          return busyTimes(attendees, from, to).map(busy -> {
            List<SlotFinder.Person> persons = new ArrayList<>();
            for (User u : attendees) {
              ZoneId z = Times.isZone(u.timeZone()) ? ZoneId.of(u.timeZone()) : ZoneId.of("UTC");
              persons.add(new SlotFinder.Person(u.id(), u.displayName(), z, u.workingHours(),
                  busy.getOrDefault(u.id(), List.of())));
            }
            return SlotFinder.suggest(persons, from, to, Duration.ofMinutes(minutes), step, limit, Instant.now(), zone)
                .put("zone", zone.getId()).put("durationMinutes", minutes);
          });
        });
      });
    });
  }

  /** Each person's busy intervals in [from, to): occurrences of events they organise or attend and did not decline. */
  private Future<Map<String, List<SlotFinder.Busy>>> busyTimes(List<User> users, Instant from, Instant to) {
    List<Future<Set<String>>> ids = new ArrayList<>();
    users.forEach(u -> ids.add(store.involvedEventIds(u.id(), u.orgId(), from.toEpochMilli())));
    return Future.all(ids).compose(x -> {
      Set<String> all = new LinkedHashSet<>();
      ids.forEach(f -> all.addAll(f.result()));
      return store.calendarsOf(all).compose(store::events);
    }).compose(list -> {
      List<Event> live = list.stream().filter(e -> !e.cancelled()).toList();
      List<Future<Map<String, JsonObject>>> answers = new ArrayList<>();
      live.forEach(e -> answers.add(store.answers(e.calendarId(), e.id())));
      return Future.all(answers).map(x -> {
        Map<String, List<SlotFinder.Busy>> busy = new HashMap<>();
        for (int i = 0; i < live.size(); i++) {
          Event e = live.get(i);
          Map<String, JsonObject> a = answers.get(i).result();
          for (User u : users) {
            JsonObject answer = a.get(u.id());
            boolean declined = answer != null && RsvpStatus.DECLINED.wire().equals(answer.getString("status"));
            if (!e.involves(u.id(), u.orgId()) || declined) {
              continue;
            }
            ZoneId dayZone = Times.isZone(u.timeZone()) ? ZoneId.of(u.timeZone()) : ZoneId.of("UTC");
            for (Occurrence o : Occurrences.between(e, from, to, dayZone, settings.maxOccurrencesPerEvent()).occurrences()) {
              if (o.status() == EventStatus.CANCELLED) {
                continue;
              }
              Instant s = e.allDay() ? o.start().toLocalDate().atStartOfDay(dayZone).toInstant() : o.startInstant();
              Instant en = e.allDay() ? o.end().toLocalDate().atStartOfDay(dayZone).toInstant() : o.endInstant();
              busy.computeIfAbsent(u.id(), k -> new ArrayList<>()).add(new SlotFinder.Busy(s, en));
            }
          }
        }
        return busy;
      });
    });
  }

  // ---------------------------------------------------------------- iCalendar feeds

  @Override
  public Future<IcsFeed> feed(String secret) {
    return store.feedBySecret(secret).compose(f -> {
      if (f.isEmpty()) {
        return Future.failedFuture(RelaisException.notFound("No such feed"));
      }
      String userId = f.get("userId");
      String calendarId = f.get("calendarId");
      return people.users(List.of(userId)).compose(users -> {
        User u = users.get(userId);
        if (u == null || u.status() == UserStatus.DISABLED) {
          return Future.failedFuture(RelaisException.notFound("No such feed"));
        }
        Principal owner = People.principalOf(u);
        String only = calendarId == null || calendarId.isEmpty() ? null : calendarId;
        Future<String> name = only == null ? Future.succeededFuture("Relais — " + u.displayName())
            : readable(owner, only).map(s -> s.calendar().name().isEmpty() ? "Relais" : s.calendar().name());
        long since = System.currentTimeMillis() - settings.feedPastDays() * DAY_MS;
        return name.compose(n -> visibleEvents(owner, only, since, Long.MAX_VALUE).compose(list ->
            vertx.executeBlocking(() -> {
              String body = IcsWriter.write(n, list);
              Instant modified = list.stream().map(e -> Instant.parse(e.updatedAt()))
                  .max(Comparator.naturalOrder()).orElse(Instant.parse(u.createdAt()))
                  .truncatedTo(ChronoUnit.SECONDS);
              String etag = "\"" + Ids.sha256Hex(body).substring(0, 32) + "\"";
              return new IcsFeed(body, etag, modified);
            }, false)));
      });
    });
  }
}
