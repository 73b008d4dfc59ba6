package org.relais.partnerships;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * What an accepted partnership opens in the other features: implemented by the server, which owns messaging and
 * calendars. The partnership module lists each organisation as the other's partner itself, in the same atomic step as
 * the acceptance; this interface creates the rest.
 *
 * <p><b>Exactly once.</b> The module calls {@link #open} after the request has become accepted, holding a per-request
 * lease ({@link PartnershipSettings#spacesLease()}) so that only one caller on one node opens a request's spaces at a
 * time, and records the returned ids on the request; once they are recorded it never calls again. But a call can be
 * repeated: when it failed (a later accept retry or the sweeper tries again), when the node crashed after the spaces
 * were made but before the ids were recorded, or when a call outlived its lease. So <b>{@code open} must be idempotent
 * by the request id</b>: called again with the same {@code request.id}, it returns the same ids and creates nothing
 * more (for instance: keep {@code requestId → {channelId, calendarId}} in Redis, written with SET NX, and create the
 * channel and calendar under ids derived from or recorded against it).
 */
public interface PartnershipSpaces {

  /**
   * Opens the spaces of an accepted partnership: a private channel of kind {@code partnership} whose members are the
   * focal points of both sides ({@code request.focalPoints.from} and {@code .to}, the accepted terms), and a calendar
   * shared by the two organisations for their joint actions (the implementation may add a {@code jointAction} of kind
   * {@code event} to it as a tentative event).
   *
   * @param request the accepted request in its wire shape (id, fromOrgId, toOrgId, purpose, themes, jointAction,
   *                focalPoints, acceptedBy, …)
   * @return {@code {"channelId", "calendarId"}}, both non-empty; a failed future (or one without both ids) leaves the
   *     request accepted with its spaces still to open, and the call is made again later
   */
  Future<JsonObject> open(JsonObject request);

  /**
   * The partnership whose spaces were opened has ended: the implementation may archive the channel or make the
   * calendar read-only. Called at most once per request, after the end was recorded, best effort (a failure is logged,
   * not retried). The default does nothing.
   *
   * @param request the ended request, with its {@code channelId} and {@code calendarId}
   */
  default Future<Void> close(JsonObject request) {
    return Future.succeededFuture();
  }
}
