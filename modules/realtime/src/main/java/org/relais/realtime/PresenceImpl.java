package org.relais.realtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.relais.core.ErrorCode;
import org.relais.core.EventSink;
import org.relais.core.Ids;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.realtime.PresenceStore.Action;
import org.relais.realtime.PresenceStore.Settled;
import org.relais.redis.RedisDb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

final class PresenceImpl implements Presence {
  private static final Logger LOG = LoggerFactory.getLogger(Presence.class);
  private static final Set<String> SETTABLE = Set.of("online", "away", "dnd", "auto");
  /** Bounds one sweep round, should a batch keep coming back (it cannot: each check reschedules or removes). */
  private static final int MAX_BATCHES_PER_SWEEP = 50;
  /** Margin after the grace, so that the check runs once it has passed by Redis's clock too. */
  private static final long GRACE_MARGIN_MS = 100;

  private final Vertx vertx;
  private final PresenceStore store;
  private final EventSink events;
  private final PresenceSettings settings;
  private final Watchers watchers;
  private final String sweeperToken = Ids.newId();
  private final AtomicLong sweepTimer = new AtomicLong(-1);
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private final AtomicReference<Future<Void>> lastSweep = new AtomicReference<>(Future.succeededFuture());
  private volatile boolean stopped;

  PresenceImpl(Vertx vertx, RedisDb db, EventSink events, PresenceSettings settings, Watchers watchers) {
    this.vertx = vertx;
    this.store = new PresenceStore(db, settings);
    this.events = events;
    this.settings = settings;
    this.watchers = watchers;
  }

  @Override
  public Future<Void> connected(String userId, String connectionId) {
    return store.apply(List.of(Action.connect(userId, connectionId))).compose(this::announce);
  }

  @Override
  public Future<Void> disconnected(String userId, String connectionId) {
    return store.apply(List.of(Action.disconnect(userId, connectionId)))
        .andThen(ar -> {
          if (ar.succeeded()) {
            checkAfterGrace(ar.result());
          }
        })
        .compose(this::announce);
  }

  @Override
  public Future<Void> heartbeat(Map<String, List<String>> sessionsByUser) {
    List<Action> actions = new ArrayList<>(sessionsByUser.size());
    sessionsByUser.forEach((userId, connectionIds) -> {
      if (!connectionIds.isEmpty()) {
        actions.add(Action.beat(userId, connectionIds));
      }
    });
    return store.apply(actions).compose(this::announce);
  }

  @Override
  public Future<Void> active(String userId) {
    return store.apply(List.of(Action.active(userId))).compose(this::announce);
  }

  @Override
  public Future<JsonObject> set(Principal principal, JsonObject data) {
    String status = data.getString("status");
    if (status != null && !SETTABLE.contains(status)) {
      return Future.failedFuture(RelaisException.badRequest("data.status: expected one of " + SETTABLE));
    }
    Boolean hidden = data.getBoolean("hidden");
    return store.apply(List.of(Action.set(principal.userId(), status, hidden)))
        .compose(settled -> announce(settled)
            .map(v -> new JsonObject().put("presence", settled.get(0).ownView().toJson())));
  }

  @Override
  public Future<JsonObject> get(Principal principal, List<String> userIds) {
    if (userIds.isEmpty() || userIds.size() > MAX_GET) {
      return Future.failedFuture(RelaisException.badRequest("data.userIds: expected 1 to " + MAX_GET + " ids"));
    }
    List<Action> checks = new ArrayList<>(userIds.size());
    for (String userId : userIds) {
      checks.add(Action.check(userId));
    }
    return store.apply(checks)
        .compose(settled -> announce(settled).map(v -> views(principal, settled)));
  }

  @Override
  public void start() {
    if (sweepTimer.get() >= 0 || stopped) {
      return;
    }
    long id = vertx.setPeriodic(settings.sweepIntervalMs(), t -> sweep());
    if (!sweepTimer.compareAndSet(-1, id)) {
      vertx.cancelTimer(id);
    }
  }

  @Override
  public Future<Void> stop() {
    stopped = true;
    long id = sweepTimer.getAndSet(-1);
    if (id >= 0) {
      vertx.cancelTimer(id);
    }
    return lastSweep.get();
  }

  private static JsonObject views(Principal principal, List<Settled> settled) {
    JsonArray presence = new JsonArray();
    for (Settled s : settled) {
      presence.add((s.userId().equals(principal.userId()) ? s.ownView() : s.publicView()).toJson());
    }
    return new JsonObject().put("presence", presence);
  }

  /** The last session closed: settle the user once the grace has passed, rather than at the next sweep. */
  private void checkAfterGrace(List<Settled> settled) {
    for (Settled s : settled) {
      if (s.liveSessions() == 0 && s.status() != PresenceStatus.OFFLINE) {
        vertx.setTimer(settings.offlineGraceSeconds() * 1000 + GRACE_MARGIN_MS, t -> check(s.userId()));
      }
    }
  }

  private void check(String userId) {
    if (stopped) {
      return;
    }
    store.apply(List.of(Action.check(userId))).compose(this::announce)
        .onFailure(e -> LOG.warn("presence check of {} failed: {}", userId, e.toString()));
  }

  private void sweep() {
    if (stopped || !sweeping.compareAndSet(false, true)) {
      return;
    }
    Future<Void> round = sweepBatch(0)
        .onFailure(PresenceImpl::logSweepFailure)
        .<Void>mapEmpty()
        .otherwiseEmpty()
        .andThen(ar -> sweeping.set(false));
    lastSweep.set(round);
  }

  /** Redis being away is reported by the Redis client and by health checks; once per round would be noise. */
  private static void logSweepFailure(Throwable e) {
    if (e instanceof RelaisException r && r.code() == ErrorCode.UNAVAILABLE) {
      LOG.debug("presence sweep skipped: {}", e.getMessage());
    } else {
      LOG.warn("presence sweep failed: {}", e.toString());
    }
  }

  /** One batch of due users; the next batch follows while batches come full. */
  private Future<Void> sweepBatch(int batch) {
    return store.dueUsers(sweeperToken, settings.sweepIntervalMs() / 2, PresenceStore.USERS_PER_CALL)
        .compose(this::settleDue)
        .compose(count -> count < PresenceStore.USERS_PER_CALL || batch + 1 >= MAX_BATCHES_PER_SWEEP || stopped
            ? Future.<Void>succeededFuture()
            : sweepBatch(batch + 1));
  }

  private Future<Integer> settleDue(List<String> userIds) {
    List<Action> checks = new ArrayList<>(userIds.size());
    for (String userId : userIds) {
      checks.add(Action.check(userId));
    }
    return store.apply(checks).compose(this::announce).map(v -> userIds.size());
  }

  /** Tells whom it concerns about what these calls changed; never fails. */
  private Future<Void> announce(List<Settled> settled) {
    List<Future<Void>> sends = new ArrayList<>();
    for (Settled s : settled) {
      if (s.changes() != 0) {
        LOG.debug("presence of {}: {} (shown as {}), changes {}", s.userId(), s.status().wire(),
            s.publicStatus().wire(), s.changes());
        sends.add(announce(s));
      }
    }
    return sends.isEmpty() ? Future.succeededFuture() : Future.join(sends).<Void>mapEmpty().otherwiseEmpty();
  }

  private Future<Void> announce(Settled s) {
    Future<Void> toSelf = s.changed(PresenceStore.CHANGED_STATUS | PresenceStore.CHANGED_CHOICE)
        ? send(List.of(s.userId()), s.ownView())
        : Future.succeededFuture();
    Future<Void> toOthers = s.changed(PresenceStore.CHANGED_PUBLIC)
        ? watchersOf(s.userId()).compose(users -> send(users, s.publicView()))
        : Future.succeededFuture();
    return Future.join(toSelf, toOthers).mapEmpty();
  }

  private Future<Collection<String>> watchersOf(String userId) {
    return Future.<Collection<String>>future(p -> watchers.of(userId).onComplete(p))
        .map(users -> {
          Set<String> others = new LinkedHashSet<>(users);
          others.remove(userId);
          return (Collection<String>) others;
        })
        .onFailure(e -> LOG.warn("watchers of {} unknown, presence change not announced: {}", userId, e.toString()));
  }

  private Future<Void> send(Collection<String> userIds, UserPresence view) {
    if (userIds.isEmpty()) {
      return Future.succeededFuture();
    }
    return Future.<Void>future(p -> events.toUsers(userIds, CHANGED, view.toJson()).onComplete(p))
        .onFailure(e -> LOG.warn("presence.changed of {} not sent: {}", view.userId(), e.toString()));
  }
}
