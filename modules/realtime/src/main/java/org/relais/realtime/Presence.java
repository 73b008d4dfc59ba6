package org.relais.realtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.relais.core.EventSink;
import org.relais.core.Principal;
import org.relais.redis.RedisDb;

import java.util.List;
import java.util.Map;

/**
 * Who is online, away, busy or offline, shared by every node through Redis.
 *
 * <p><b>Statuses.</b> A user is <em>live</em> while one of their sessions is connected and heartbeating, and during
 * the offline grace after the last one closes. A live user is {@code dnd} if they chose it, else {@code away} if they
 * chose it or did nothing for {@link PresenceSettings#awayAfterSeconds()}, else {@code online}; a user who is not
 * live is {@code offline}, with {@code lastSeenAt} the last time a session was seen or the user was active.
 * Choices (away, dnd, hidden) are kept until changed, across sessions.
 *
 * <p><b>Expiry.</b> Every session entry in Redis expires by itself unless refreshed by {@link #heartbeat}; cleanup
 * never relies on {@link #disconnected} alone. When a node dies without closing its sockets, its users are
 * announced offline within {@link PresenceSettings#ttlSeconds()} of its last heartbeat, by the sweeper of any node
 * that called {@link #start()}. Time is Redis's clock, so nodes with skewed clocks agree.
 *
 * <p><b>Events.</b> {@code presence.changed} with a {@link UserPresence} as data: the watchers (see {@link Watchers})
 * get the public view when what they see changes; the user's own sessions get their own view when their real status
 * or their choices change. Each change is announced once across all nodes: the statuses last announced are kept in
 * Redis and compared-and-set by the same script that changes them. Nothing is announced when nothing visible changes:
 * a second device, a heartbeat, a reconnect within the grace. A hidden user is announced offline to others once,
 * when they hide, and then nothing until they show again. Events are sent after the write and are best effort:
 * {@code presence.get} always tells the truth. Two changes of one user within milliseconds, made on different
 * nodes, may reach a watcher in either order. The changes settled together (a sweep round, the graces ending in one
 * tick) reach the {@link PresenceSink} in one call.
 *
 * <p><b>Threads.</b> Methods may be called from any event loop at once: the instance holds no state but its
 * configuration, its sweeper's timer and the grace checks it has scheduled. Futures fail only when Redis fails
 * ({@code unavailable}) or, for {@link #set} and {@link #get}, with {@code bad_request}; a failure to deliver an
 * event never fails a call.
 */
public interface Presence {

  /** The event every change is announced with. */
  String CHANGED = "presence.changed";
  /** The most users one {@link #get} may ask about. */
  int MAX_GET = 200;
  /** The ends of grace periods are checked in ticks of this length: one batch per tick. */
  long GRACE_TICK_MS = 100;

  /**
   * @param vertx    for timers only: the sweeper's run on the context that calls {@link #start()}, a grace's on the
   *                 context that calls {@link #disconnected}
   * @param events   where {@code presence.changed} goes
   * @param watchers who shares a channel with a user
   */
  static Presence create(Vertx vertx, RedisDb db, EventSink events, PresenceSettings settings, Watchers watchers) {
    return new PresenceImpl(vertx, db, settings, PresenceSink.of(events, watchers));
  }

  /**
   * With the changes handed to {@code sink} in batches (see {@link PresenceSink}) rather than user by user.
   *
   * @param vertx for timers only, as above
   */
  static Presence create(Vertx vertx, RedisDb db, PresenceSettings settings, PresenceSink sink) {
    return new PresenceImpl(vertx, db, settings, sink);
  }

  /**
   * A session of the user connected (after its hello); connecting counts as activity. Idempotent. Completes after
   * any change is announced. The session stays live for {@link PresenceSettings#sessionLifetimeMs()} unless
   * {@link #heartbeat} refreshes it. Connection ids must be unique and never reused: a connect that reaches Redis
   * after the disconnect of the same connection (the two calls raced) is ignored.
   */
  Future<Void> connected(String userId, String connectionId);

  /**
   * The session closed. A heartbeat or connect that arrives later for it is ignored. When no live session remains,
   * the user turns offline after {@link PresenceSettings#offlineGraceSeconds()}, unless a session connects within the
   * grace (then nothing is announced). Closing a session that is not live changes nothing. Idempotent. The users
   * whose grace ends within the same {@value #GRACE_TICK_MS} ms are settled together, in one batch, by the node
   * that saw their last session close (or, should it stop or fail, by the next sweep of any node).
   */
  Future<Void> disconnected(String userId, String connectionId);

  /**
   * Refreshes these live sessions: user id to connection ids. Each gateway calls it for all its open sessions every
   * {@link PresenceSettings#heartbeatIntervalMs()}. Sessions closed with {@link #disconnected} stay closed; a live
   * session that had expired (its node stalled longer than the lifetime) comes back, and that is announced.
   */
  Future<Void> heartbeat(Map<String, List<String>> sessionsByUser);

  /**
   * The user did something (sent an op): an inactive user who was away by inactivity turns online. Callers call it
   * at most about once a minute per session.
   */
  Future<Void> active(String userId);

  /**
   * {@code presence.set} for the caller: {@code {"status": "online"|"away"|"dnd"|"auto"?, "hidden": boolean?}}.
   * {@code away} and {@code dnd} stay until changed; {@code auto} clears them; {@code online} clears them and counts
   * as activity. {@code hidden} makes the caller offline to everyone else. Returns {@code {"presence": own view}}.
   */
  Future<JsonObject> set(Principal principal, JsonObject data);

  /**
   * {@code presence.get}: {@code {"presence": [view, ...]}} in the order asked, for 1 to {@value #MAX_GET} user ids.
   * Hidden users appear offline, with no {@code lastSeenAt}, to everyone but themselves; the caller gets their own
   * view. Unknown users are offline. Any user may see anyone's presence. A change found while answering (a session
   * expired moments ago) is announced, so the answer agrees with the events.
   */
  Future<JsonObject> get(Principal principal, List<String> userIds);

  /**
   * Starts this node's sweeper: every {@link PresenceSettings#sweepIntervalMs()} it takes the round (one node per
   * round, through an expiring lock in Redis) and settles the users whose status changes by itself: sessions
   * expired, inactivity, end of the grace. Idempotent. Every node should call it: the round goes to whoever
   * is alive.
   */
  void start();

  /**
   * Stops this node's sweeper and its checks at the end of a grace (the other nodes' sweepers take them over);
   * completes when a sweep under way has finished. The other methods still work afterwards; {@link #start()}
   * does nothing.
   */
  Future<Void> stop();
}
