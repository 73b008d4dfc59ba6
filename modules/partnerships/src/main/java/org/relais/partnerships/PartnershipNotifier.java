package org.relais.partnerships;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Where each step of a request is announced beyond the live {@code partnership.updated} event: the notification
 * center, connected by the server. Called once per step, after the write succeeded, on the node that made the step
 * (the sweeper's node for {@link #EXPIRING} and {@link #EXPIRED}). Implementations must not block and must not throw;
 * a thrown exception is logged and ignored.
 */
@FunctionalInterface
public interface PartnershipNotifier {

  /** A new request reached the receiving organisation. */
  String NEW = "partnership.new";
  /** The receiving organisation answered with a counter-proposal. */
  String COUNTER = "partnership.counter";
  String ACCEPTED = "partnership.accepted";
  String DECLINED = "partnership.declined";
  String WITHDRAWN = "partnership.withdrawn";
  /** The request (or counter-proposal) expires within {@link PartnershipSettings#expiringNotice()}. */
  String EXPIRING = "partnership.expiring";
  String EXPIRED = "partnership.expired";
  String ENDED = "partnership.ended";

  /** Tells nobody. */
  PartnershipNotifier NONE = (kind, request, recipientIds, actorId) -> {
  };

  /**
   * @param kind         one of the constants of this interface (the notification kinds of the same names)
   * @param request      the request after the step, in its wire shape (with its trail, without comments)
   * @param recipientIds the people concerned (org-admins, coordinators and named focal points of both organisations,
   *                     not disabled), without the actor
   * @param actorId      who made the step, or null for the sweeper ({@link #EXPIRING}, {@link #EXPIRED})
   */
  void notify(String kind, JsonObject request, List<String> recipientIds, String actorId);
}
