package org.relais.partnerships;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.relais.core.PeriodicRound;
import org.relais.core.EventSink;
import org.relais.core.Ids;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.identity.IdentityService;
import org.relais.partnerships.PartnershipRequest.Side;
import org.relais.partnerships.PartnershipStore.Deadline;
import org.relais.redis.RedisDb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

final class PartnershipServiceImpl implements PartnershipService {
  private static final Logger LOG = LoggerFactory.getLogger(PartnershipService.class);
  static final String EVENT = "partnership.updated";
  private static final String NO_SUCH_REQUEST = "No such partnership request";
  private static final int LIST_CHUNK = 50;

  private final PartnershipStore store;
  private final Parties parties;
  private final EventSink events;
  private final PartnershipSpaces spaces;
  private final PartnershipNotifier notifier;
  private final PartnershipSettings settings;
  private final Clock clock;
  private final PeriodicRound rounds;
  private volatile org.relais.core.AuditSink audit = org.relais.core.AuditSink.NONE;

  PartnershipServiceImpl(Vertx vertx, RedisDb db, IdentityService identity, EventSink events, PartnershipSpaces spaces,
                         PartnershipNotifier notifier, PartnershipSettings settings, Clock clock) {
    this.store = new PartnershipStore(db);
    this.parties = new Parties(identity);
    this.events = events;
    this.spaces = spaces;
    this.notifier = notifier;
    this.settings = settings;
    this.clock = clock;
    this.rounds = new PeriodicRound(vertx, settings.sweepInterval().toMillis(), "partnership sweep", this::sweep);
  }

  // ---------------------------------------------------------------- request

  @Override
  public Future<JsonObject> request(Principal p, JsonObject data) {
    String toOrgId = data.getString("toOrgId");
    if (!Parties.actsForOwnOrg(p)) {
      return Future.failedFuture(RelaisException.forbidden(
          "Partnership requests are made by an organisation's org-admins and coordinators"));
    }
    if (toOrgId.equals(p.orgId())) {
      return Future.failedFuture(RelaisException.badRequest("data.toOrgId: an organisation does not partner with itself"));
    }
    Terms terms = Terms.fromData(data);
    return parties.requireOrg(toOrgId)
        .compose(v -> parties.checkFocalPoints(terms, p.orgId(), toOrgId))
        .compose(v -> create(p, toOrgId, terms, data.getString("note")))
        .compose(r -> announce(r, "requested", PartnershipNotifier.NEW, p.userId(), null).map(r))
        .compose(r -> audit.record(auditEntry(p, "partnership.request", r)).map(r))
        .map(PartnershipServiceImpl::reply);
  }

  private Future<PartnershipRequest> create(Principal p, String toOrgId, Terms terms, String note) {
    long nowMs = clock.millis();
    String now = iso(nowMs);
    long deadlineMs = nowMs + settings.expiry().toMillis();
    String id = Ids.newId();
    List<String> fields = new ArrayList<>(List.of("id", id, "fromOrgId", p.orgId(), "toOrgId", toOrgId,
        "state", PartnershipState.PENDING.wire(), "version", "1", "createdBy", p.userId(), "createdAt", now,
        "updatedAt", now, "expiresAt", iso(deadlineMs), "expiresAtMs", String.valueOf(deadlineMs)));
    fields.addAll(terms.fields(""));
    String entry = trailEntry(PartnershipState.PENDING, p.userId(), now, note, terms).encode();
    return store.create(id, p.orgId(), toOrgId, nowMs, deadlineMs, noticeMs(nowMs, deadlineMs), entry, fields);
  }

  // ---------------------------------------------------------------- reading

  @Override
  public Future<JsonObject> get(Principal p, String requestId) {
    return see(p, requestId).compose(r -> {
      if (!Parties.readsConversation(p, r)) {
        return Future.succeededFuture(reply(r));
      }
      return store.comments(requestId).map(comments -> {
        JsonObject reply = reply(r);
        reply.getJsonObject("request").put("comments", new JsonArray(new ArrayList<>(comments)));
        return reply;
      });
    });
  }

  /** The request, if {@code p} may see it; else {@code not_found}, exactly as for an id that does not exist. */
  private Future<PartnershipRequest> see(Principal p, String requestId) {
    return store.load(requestId).compose(found -> found
        .filter(r -> Parties.sees(p, r))
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(RelaisException.notFound(NO_SUCH_REQUEST))));
  }

  @Override
  public Future<JsonObject> list(Principal p, JsonObject data) {
    String orgId = data.getString("orgId", p.orgId());
    if (!orgId.equals(p.orgId()) && !p.isAdmin()) {
      return Future.failedFuture(RelaisException.forbidden("You see the partnership requests of your own organisation"));
    }
    List<String> keys = switch (data.getString("box", "all")) {
      case "incoming" -> List.of(PartnershipKeys.incoming(orgId));
      case "outgoing" -> List.of(PartnershipKeys.outgoing(orgId));
      default -> List.of(PartnershipKeys.incoming(orgId), PartnershipKeys.outgoing(orgId));
    };
    Predicate<PartnershipRequest> wanted = filter(data);
    int limit = data.getLong("limit", 20L).intValue();
    Future<Void> known = orgId.equals(p.orgId()) ? Future.succeededFuture() : parties.requireOrg(orgId);
    return known
        .compose(v -> store.index(keys, data.getString("cursor")))
        .compose(members -> page(members, 0, limit, wanted, new ArrayList<>()))
        .map(Page::toJson);
  }

  private static Predicate<PartnershipRequest> filter(JsonObject data) {
    Set<String> states = new HashSet<>();
    data.getJsonArray("states", new JsonArray()).forEach(s -> states.add((String) s));
    String theme = data.getString("theme");
    return r -> (states.isEmpty() || states.contains(r.state().wire()))
        && (theme == null || r.terms().themes().contains(theme));
  }

  /** One page of a list: the requests, and the cursor after the last one when more may follow. */
  private record Page(List<PartnershipRequest> requests, String nextCursor) {
    JsonObject toJson() {
      JsonArray out = new JsonArray();
      requests.forEach(r -> out.add(r.toJson(false)));
      JsonObject json = new JsonObject().put("requests", out);
      if (nextCursor != null) {
        json.put("nextCursor", nextCursor);
      }
      return json;
    }
  }

  /** Reads the candidates from {@code from} on, {@value #LIST_CHUNK} at a time, until the page is full. */
  private Future<Page> page(List<String> members, int from, int limit, Predicate<PartnershipRequest> wanted,
                            List<PartnershipRequest> found) {
    if (from >= members.size()) {
      return Future.succeededFuture(new Page(found, null));
    }
    List<String> chunk = members.subList(from, Math.min(members.size(), from + LIST_CHUNK));
    List<String> ids = chunk.stream().map(PartnershipKeys::idOf).toList();
    return store.loadAll(ids).compose(requests -> {
      Map<String, PartnershipRequest> byId = new HashMap<>();
      requests.forEach(r -> byId.put(r.id(), r));
      for (int i = 0; i < chunk.size(); i++) {
        PartnershipRequest r = byId.get(ids.get(i));
        if (r != null && wanted.test(r)) {
          found.add(r);
          if (found.size() == limit) {
            boolean more = from + i + 1 < members.size();
            return Future.succeededFuture(new Page(found, more ? chunk.get(i) : null));
          }
        }
      }
      return page(members, from + chunk.size(), limit, wanted, found);
    });
  }

  @Override
  public void auditTo(org.relais.core.AuditSink sink) {
    this.audit = sink;
  }

  /** An audit entry for a request: the caller's organisation, both sides and the state reached. */
  private static org.relais.core.AuditEntry auditEntry(Principal p, String action, PartnershipRequest r) {
    return org.relais.core.AuditEntry.by(p, action, r.id(), p == null ? r.fromOrgId() : p.orgId())
        .with("fromOrgId", r.fromOrgId()).with("toOrgId", r.toOrgId()).with("state", r.state().wire());
  }

  @Override
  public Future<List<String>> partnersOf(String orgId) {
    return store.partners(orgId);
  }

  // ---------------------------------------------------------------- transitions

  @Override
  public Future<JsonObject> accept(Principal p, JsonObject data) {
    return act(p, Action.ACCEPT, data);
  }

  @Override
  public Future<JsonObject> decline(Principal p, JsonObject data) {
    return act(p, Action.DECLINE, data);
  }

  @Override
  public Future<JsonObject> counter(Principal p, JsonObject data) {
    return act(p, Action.COUNTER, data);
  }

  @Override
  public Future<JsonObject> withdraw(Principal p, JsonObject data) {
    return act(p, Action.WITHDRAW, data);
  }

  @Override
  public Future<JsonObject> end(Principal p, JsonObject data) {
    return act(p, Action.END, data);
  }

  /** A transition about to be tried: the request as read, the side the caller acts for, a counter-proposal's terms. */
  private record Step(PartnershipRequest before, Side side, Terms counter) {
  }

  /** A transition done: the request after it, whether it was a repeated accept, whether this call opened the spaces. */
  private record Done(PartnershipRequest request, boolean repeated, boolean spacesOpened) {
  }

  private Future<JsonObject> act(Principal p, Action action, JsonObject data) {
    return see(p, data.getString("requestId"))
        .compose(r -> checkActor(p, r))
        .compose(step -> action == Action.COUNTER ? proposeCounter(p, step, data) : Future.succeededFuture(step))
        .compose(step -> transition(p, action, data, step))
        .compose(done -> action == Action.ACCEPT ? afterAccept(done) : Future.succeededFuture(done))
        .compose(done -> afterStep(p, action, done))
        .compose(done -> done.repeated() ? Future.succeededFuture(done)
            : audit.record(auditEntry(p, "partnership." + action.name().toLowerCase(java.util.Locale.ROOT),
                done.request())).map(done))
        .map(done -> reply(done.request()));
  }

  private static Future<Step> checkActor(Principal p, PartnershipRequest r) {
    Side side = Parties.actingSide(p, r);
    if (side == null) {
      return Future.failedFuture(RelaisException.forbidden(
          "Requests are answered by the org-admins and coordinators of the two organisations"));
    }
    return Future.succeededFuture(new Step(r, side, null));
  }

  /**
   * The counter-proposal's terms: the request's, changed by what the data gives. Worked out only when it is the
   * caller's move as far as this read shows; otherwise the transition script answers {@code forbidden} or
   * {@code conflict} as it would for any other action.
   */
  private Future<Step> proposeCounter(Principal p, Step step, JsonObject data) {
    PartnershipRequest r = step.before();
    if (step.side() != Side.TO || r.state() != PartnershipState.PENDING) {
      return Future.succeededFuture(step);
    }
    Terms proposed = r.terms().changedBy(data);
    if (proposed.equals(r.terms())) {
      return Future.failedFuture(RelaisException.badRequest("A counter-proposal changes at least one term"));
    }
    Terms named = proposed.focalTo().isEmpty() ? proposed.withFocalTo(List.of(p.userId())) : proposed;
    return parties.checkFocalPoints(named, r.fromOrgId(), r.toOrgId()).map(v -> new Step(r, step.side(), named));
  }

  private Future<Done> transition(Principal p, Action action, JsonObject data, Step step) {
    long nowMs = clock.millis();
    String now = iso(nowMs);
    Long expected = data.getLong("version");
    Deadline deadline = null;
    if (step.counter() != null) {
      // The terms were worked out from this read: they apply to this version only.
      expected = expected == null ? step.before().version() : expected;
      long at = nowMs + settings.expiry().toMillis();
      deadline = new Deadline(iso(at), at, noticeMs(nowMs, at));
    }
    String entry = trailEntry(action.result(), p.userId(), now, data.getString("note"), step.counter()).encode();
    return store.transition(step.before().id(), action, step.side().wire(), p.userId(), expected, now, nowMs, entry,
            nowMs + settings.spacesLease().toMillis(), step.counter(), deadline)
        .map(t -> new Done(t.request(), t.repeated(), false));
  }

  /** Opens the spaces of the request just accepted (or accepted again by the same person, if they are not open yet). */
  private Future<Done> afterAccept(Done done) {
    PartnershipRequest r = done.request();
    if (r.channelId() != null || r.state() != PartnershipState.ACCEPTED) {
      return Future.succeededFuture(done);
    }
    return openSpaces(r.id()).compose(opened -> {
      if (opened.isPresent()) {
        return Future.succeededFuture(new Done(opened.get(), done.repeated(), true));
      }
      // Not opened by this call: another caller may have meanwhile; answer with what is recorded now.
      return store.load(r.id()).map(now -> new Done(now.orElse(r), done.repeated(), false));
    });
  }

  /** What follows a step: the event and notification (none for a repeated accept), the spaces' close on an end. */
  private Future<Done> afterStep(Principal p, Action action, Done done) {
    PartnershipRequest r = done.request();
    if (done.repeated()) {
      return done.spacesOpened() ? announce(r, "spaces-opened", null, p.userId(), null).map(done)
          : Future.succeededFuture(done);
    }
    Future<Void> announced = announce(r, action.result().wire(), action.notification(), p.userId(), null);
    if (action == Action.END && r.channelId() != null) {
      announced = announced.compose(v -> closeSpaces(r));
    }
    return announced.map(done);
  }

  // ---------------------------------------------------------------- spaces

  /**
   * Opens the spaces of an accepted request if this caller gets the lease and they are not open yet.
   *
   * @return the request with its spaces recorded, when this call recorded them; empty otherwise (not accepted, already
   *     open, another caller holds the lease, or the opening failed and is left to a later try)
   */
  private Future<Optional<PartnershipRequest>> openSpaces(String requestId) {
    String token = Ids.newSecret();
    return store.claimSpaces(requestId, token, settings.spacesLease().toMillis(), clock.millis())
        .compose(claim -> claim.claimed() == null
            ? Future.succeededFuture(Optional.empty())
            : openClaimed(claim.claimed(), token));
  }

  private Future<Optional<PartnershipRequest>> openClaimed(PartnershipRequest r, String token) {
    return callOpen(r)
        .compose(ids -> store.recordSpaces(r.id(), token, ids.getString("channelId"), ids.getString("calendarId")))
        .map(recorded -> recorded.repeated() ? Optional.<PartnershipRequest>empty() : Optional.of(recorded.request()))
        .recover(failure -> {
          LOG.warn("opening the spaces of partnership {} failed; tried again later: {}", r.id(), failure.toString());
          return store.releaseSpaces(r.id(), token, clock.millis() + settings.spacesRetry().toMillis())
              .<Optional<PartnershipRequest>>map(v -> Optional.empty())
              .otherwise(Optional.empty());
        });
  }

  private Future<JsonObject> callOpen(PartnershipRequest r) {
    Future<JsonObject> opened;
    try {
      opened = spaces.open(r.toJson(false));
    } catch (RuntimeException e) {
      opened = Future.failedFuture(e);
    }
    if (opened == null) {
      opened = Future.failedFuture(new IllegalStateException("PartnershipSpaces.open returned null"));
    }
    return opened.compose(ids -> ids != null && nonEmpty(ids.getValue("channelId")) && nonEmpty(ids.getValue("calendarId"))
        ? Future.succeededFuture(ids)
        : Future.failedFuture(new IllegalStateException("PartnershipSpaces.open answered without channelId and calendarId")));
  }

  private static boolean nonEmpty(Object value) {
    return value instanceof String s && !s.isEmpty();
  }

  private Future<Void> closeSpaces(PartnershipRequest r) {
    Future<Void> closed;
    try {
      closed = spaces.close(r.toJson(false));
    } catch (RuntimeException e) {
      closed = Future.failedFuture(e);
    }
    return (closed == null ? Future.<Void>succeededFuture() : closed).recover(failure -> {
      LOG.warn("closing the spaces of partnership {} failed: {}", r.id(), failure.toString());
      return Future.succeededFuture();
    });
  }

  // ---------------------------------------------------------------- comments

  @Override
  public Future<JsonObject> comment(Principal p, JsonObject data) {
    return see(p, data.getString("requestId"))
        .compose(r -> Parties.takesPart(p, r) ? Future.succeededFuture(r) : Future.failedFuture(
            RelaisException.forbidden("Comments are for the org-admins, coordinators and focal points of the two organisations")))
        .compose(r -> addComment(p, r, data.getString("text")))
        .compose(c -> announce(c.request(), "commented", null, p.userId(), c.comment()).map(c))
        .map(c -> new JsonObject().put("comment", c.comment()).put("request", c.request().toJson(true)));
  }

  private record Commented(PartnershipRequest request, JsonObject comment) {
  }

  private Future<Commented> addComment(Principal p, PartnershipRequest r, String text) {
    JsonObject comment = new JsonObject().put("id", Ids.newId()).put("by", p.userId())
        .put("at", iso(clock.millis())).put("text", text);
    return store.comment(r.id(), comment, settings.maxComments()).map(after -> new Commented(after, comment));
  }

  // ---------------------------------------------------------------- announcing

  /**
   * Pushes {@code partnership.updated} to the authorised people of both sides, then notifies them (without the actor)
   * when {@code kind} is given. Never fails: the write it announces has succeeded, and the record is in Redis.
   */
  private Future<Void> announce(PartnershipRequest r, String change, String kind, String actorId, JsonObject comment) {
    return parties.authorised(r).compose(people -> {
      JsonObject request = r.toJson(true);
      JsonObject data = new JsonObject().put("change", change).put("by", actorId).put("request", request);
      if (comment != null) {
        data.put("comment", comment);
      }
      return events.toUsers(people, EVENT, data).andThen(ar -> {
        if (kind != null) {
          notifySafely(kind, request.copy(), people, actorId);
        }
      });
    }).recover(failure -> {
      LOG.warn("announcing partnership {} ({}) failed: {}", r.id(), change, failure.toString());
      return Future.succeededFuture();
    });
  }

  private void notifySafely(String kind, JsonObject request, List<String> people, String actorId) {
    List<String> recipients = new ArrayList<>(people);
    recipients.remove(actorId);
    try {
      notifier.notify(kind, request, List.copyOf(recipients), actorId);
    } catch (RuntimeException e) {
      LOG.warn("partnership notifier failed for {} ({}): {}", request.getString("id"), kind, e.toString());
    }
  }

  // ---------------------------------------------------------------- sweeper

  @Override
  public Future<Integer> sweep() {
    long nowMs = clock.millis();
    return expireDue(nowMs)
        .compose(expired -> noticeDue(nowMs).map(noticed -> expired + noticed))
        .compose(done -> retrySpaces(nowMs).map(opened -> done + opened));
  }

  private Future<Integer> expireDue(long nowMs) {
    return store.expire(nowMs, iso(nowMs), settings.sweepBatch())
        .compose(ids -> announceEach(ids, PartnershipState.EXPIRED.wire(), PartnershipNotifier.EXPIRED));
  }

  private Future<Integer> noticeDue(long nowMs) {
    return store.takeNotices(nowMs, settings.sweepBatch())
        .compose(ids -> announceEach(ids, "expiring", PartnershipNotifier.EXPIRING));
  }

  private Future<Integer> announceEach(List<String> ids, String change, String kind) {
    List<Future<Void>> all = new ArrayList<>();
    for (String id : ids) {
      all.add(store.load(id)
          .compose(found -> found.map(r -> announce(r, change, kind, null, null)
              .compose(v -> change.equals(PartnershipState.EXPIRED.wire())
                  ? audit.record(auditEntry(null, "partnership.expire", r)) : Future.<Void>succeededFuture()))
              .orElse(Future.succeededFuture()))
          .otherwise(e -> null));
    }
    return Future.join(all).map(ids.size());
  }

  private Future<Integer> retrySpaces(long nowMs) {
    return store.spacesDue(nowMs, settings.sweepBatch()).compose(ids -> {
      List<Future<Boolean>> tries = new ArrayList<>();
      for (String id : ids) {
        tries.add(openSpaces(id)
            .compose(opened -> opened.isPresent()
                ? announce(opened.get(), "spaces-opened", null, null, null).map(true)
                : Future.succeededFuture(false))
            .otherwise(false));
      }
      return Future.join(tries).map(v -> (int) tries.stream().filter(Future::result).count());
    });
  }

  @Override
  public void start() {
    rounds.start();
  }

  @Override
  public Future<Void> stop() {
    return rounds.stop();
  }

  // ---------------------------------------------------------------- helpers

  /**
   * When the "expiring" notice of a deadline set at {@code nowMs} is due, or -1 for none: when the whole period is
   * shorter than the notice, the notice would only repeat the step that was just announced.
   */
  private long noticeMs(long nowMs, long deadlineMs) {
    long due = deadlineMs - settings.expiringNotice().toMillis();
    return due > nowMs ? due : -1;
  }

  private static String iso(long epochMs) {
    return Instant.ofEpochMilli(epochMs).toString();
  }

  private static JsonObject reply(PartnershipRequest r) {
    return new JsonObject().put("request", r.toJson(true));
  }

  /**
   * A trail entry: {@code {"state", "by", "at", "note"}}, with the proposed {@code terms} for the request and for a
   * counter-proposal, so that the trail keeps every version of the terms.
   */
  private static JsonObject trailEntry(PartnershipState state, String by, String at, String note, Terms terms) {
    JsonObject entry = new JsonObject().put("state", state.wire()).put("by", by).put("at", at)
        .put("note", note == null || note.isEmpty() ? null : note);
    if (terms != null) {
      entry.put("terms", terms.toJson());
    }
    return entry;
  }
}
