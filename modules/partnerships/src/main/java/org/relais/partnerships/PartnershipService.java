package org.relais.partnerships;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.relais.core.EventSink;
import org.relais.core.Principal;
import org.relais.identity.IdentityService;
import org.relais.redis.RedisDb;

import java.time.Clock;
import java.util.List;

/**
 * Partnership requests between organisations: a request, its answer (accept, decline, or a counter-proposal the
 * requester accepts or declines), its conversation, its expiry, and what an accepted partnership opens.
 *
 * <p><b>Who.</b> A request is made, answered and ended for an organisation by its org-admins and coordinators (a network
 * admin counts as an org-admin of their own organisation, and acts only for it). Every member of the two organisations
 * may read the request and its trail; its comments and live events are for the <em>authorised people</em> of both:
 * org-admins, coordinators and the named focal points (of the terms and of a pending counter-proposal). Network admins
 * read everything, comments included. To anyone else a request does not exist: {@code not_found}, exactly as for an
 * unknown id, from every op.
 *
 * <p><b>Atomic steps.</b> Every transition is one Lua script that checks the state, whose move it is and the version
 * (when given), then writes the state, the trail entry and what follows from it: of two people answering at the same
 * moment exactly one wins and the other gets {@code conflict}. At most one request is open (pending or countered) per
 * direction between two organisations ({@code conflict}). Events and notifications follow the write.
 *
 * <p><b>Errors.</b> {@code not_found} (no such request or organisation, or not visible to the caller),
 * {@code forbidden} (visible, but not the caller's move: wrong role, wrong side), {@code conflict} (not possible in the
 * current state, stale {@code version}, already an open request, past its deadline), {@code bad_request} (input).
 *
 * <p>Methods taking {@code data} receive it validated by the op's schema ({@link PartnershipOps}) and return the op's
 * reply data.
 */
public interface PartnershipService {

  /**
   * @param vertx    for the sweeper's timer
   * @param identity organisations and people (roles, who belongs where)
   * @param events   the live {@code partnership.updated} events
   * @param spaces   opens the channel and calendar of an accepted partnership; must be idempotent by request id
   * @param notifier the notification center ({@link PartnershipNotifier#NONE} for none)
   * @param clock    the time of requests, deadlines and the sweeper (tests move it)
   */
  static PartnershipService create(Vertx vertx, RedisDb db, IdentityService identity, EventSink events,
                                   PartnershipSpaces spaces, PartnershipNotifier notifier,
                                   PartnershipSettings settings, Clock clock) {
    return new PartnershipServiceImpl(vertx, db, identity, events, spaces, notifier, settings, clock);
  }

  /** {@code partnership.request}: from the caller's organisation to {@code toOrgId}. Reply {@code {"request"}}. */
  Future<JsonObject> request(Principal p, JsonObject data);

  /** {@code partnership.list}: incoming, outgoing or all of one organisation, newest first, paged by cursor. */
  Future<JsonObject> list(Principal p, JsonObject data);

  /** {@code partnership.get}: the request with its trail, and its comments for the authorised people. */
  Future<JsonObject> get(Principal p, String requestId);

  /**
   * {@code partnership.accept}: the receiving side accepts a pending request, or the requesting side accepts a
   * counter-proposal (whose terms become the request's). Then the partnership's spaces are opened once.
   * Idempotent for its author: the same person accepting an accepted request gets it back, and nothing more is created
   * (if its spaces are not open yet, this call tries once more).
   */
  Future<JsonObject> accept(Principal p, JsonObject data);

  /** {@code partnership.decline}: the receiving side declines a pending request, or the requester a counter-proposal. */
  Future<JsonObject> decline(Principal p, JsonObject data);

  /** {@code partnership.counter}: the receiving side answers a pending request with changed terms. */
  Future<JsonObject> counter(Principal p, JsonObject data);

  /** {@code partnership.withdraw}: the requesting side withdraws a pending or countered request. */
  Future<JsonObject> withdraw(Principal p, JsonObject data);

  /** {@code partnership.end}: either side ends an accepted partnership. */
  Future<JsonObject> end(Principal p, JsonObject data);

  /** {@code partnership.comment}: the authorised people of either side add to the conversation. */
  Future<JsonObject> comment(Principal p, JsonObject data);

  /**
   * The organisations linked to {@code orgId} by at least one accepted (not ended) partnership, in no particular order:
   * for {@code org.get}. Unchecked: partner lists are public within the network.
   */
  Future<List<String>> partnersOf(String orgId);

  /**
   * Where requests and their transitions (the sweeper's expiries included) are recorded (set once at start-up;
   * nowhere by default).
   */
  void auditTo(org.relais.core.AuditSink sink);

  /**
   * Runs one sweeper round: expires requests past their deadline, sends the "expiring" notices that are due, and tries
   * again to open the spaces of accepted requests whose opening failed. Safe on any number of nodes at once: each
   * request is expired once and noticed once, and its spaces opened by one caller at a time.
   *
   * @return how many requests the round acted on
   */
  Future<Integer> sweep();

  /**
   * Starts this node's sweeper: a round every {@link PartnershipSettings#sweepInterval()}, skipped while the previous
   * one still runs. Idempotent; does nothing after {@link #stop()}.
   */
  void start();

  /** Stops the sweeper; completes when the round under way has finished. */
  Future<Void> stop();
}
