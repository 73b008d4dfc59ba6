package org.relais.realtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.relais.core.ErrorCode;
import org.relais.core.Ids;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.realtime.PresenceStore.Action;
import org.relais.realtime.PresenceStore.Settled;
import org.relais.redis.RedisDb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
  private final PresenceSettings settings;
  private final PresenceSink sink;
  /** Users whose grace ends in a tick, by the tick's end (epoch ms); each tick has one timer, then one batch. */
  private final Map<Long, Set<String>> graceChecks = new ConcurrentHashMap<>();
  private final String sweeperToken = Ids.newId();
  private final AtomicLong sweepTimer = new AtomicLong(-1);
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private final AtomicReference<Future<Void>> lastSweep = new AtomicReference<>(Future.succeededFuture());
  private volatile boolean stopped;

  PresenceImpl(Vertx vertx, RedisDb db, PresenceSettings settings, PresenceSink sink) {
    this.vertx = vertx;
    this.store = new PresenceStore(db, settings);
    this.settings = settings;
    this.sink = sink;
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

  /**
   * The last session closed: settle the user once the grace has passed, rather than at the next sweep. The checks
   * are grouped by tick of {@link #GRACE_TICK_MS}: one timer and one batch (one script call per
   * {@link PresenceStore#USERS_PER_CALL} users, one announcement) for all the users whose grace ends in the tick.
   */
  private void checkAfterGrace(List<Settled> settled) {
    for (Settled s : settled) {
      if (s.liveSessions() == 0 && s.status() != PresenceStatus.OFFLINE) {
        scheduleCheck(s.userId());
      }
    }
  }

  private void scheduleCheck(String userId) {
    long due = System.currentTimeMillis() + settings.offlineGraceSeconds() * 1000 + GRACE_MARGIN_MS;
    long tick = (due + GRACE_TICK_MS - 1) / GRACE_TICK_MS * GRACE_TICK_MS;
    boolean[] first = new boolean[1];
    graceChecks.compute(tick, (t, users) -> {
      Set<String> set = users;
      if (set == null) {
        set = ConcurrentHashMap.newKeySet();
        first[0] = true;
      }
      set.add(userId);
      return set;
    });
    if (first[0]) {
      vertx.setTimer(Math.max(1, tick - System.currentTimeMillis()), t -> checkTick(tick));
    }
  }

  /** Settles the users of a tick: removed from the map first, so that a later add makes a new tick and timer. */
  private void checkTick(long tick) {
    Set<String> users = graceChecks.remove(tick);
    if (users == null || users.isEmpty() || stopped) {
      return;
    }
    List<Action> checks = new ArrayList<>(users.size());
    for (String userId : users) {
      checks.add(Action.check(userId));
    }
    store.apply(checks).compose(this::announce)
        .onFailure(e -> LOG.warn("presence check of {} users at the end of their grace failed: {}", users.size(),
            e.toString()));
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

  /** Tells whom it concerns about what these calls changed, in one batch for the sink; never fails. */
  private Future<Void> announce(List<Settled> settled) {
    List<PresenceChange> changes = null;
    for (Settled s : settled) {
      if (s.changes() == 0) {
        continue;
      }
      if (LOG.isDebugEnabled()) {
        LOG.debug("presence of {}: {} (shown as {}), changes {}", s.userId(), s.status().wire(),
            s.publicStatus().wire(), s.changes());
      }
      UserPresence own = s.changed(PresenceStore.CHANGED_STATUS | PresenceStore.CHANGED_CHOICE) ? s.ownView() : null;
      UserPresence pub = s.changed(PresenceStore.CHANGED_PUBLIC) ? s.publicView() : null;
      if (own == null && pub == null) {
        continue;
      }
      if (changes == null) {
        changes = new ArrayList<>();
      }
      changes.add(new PresenceChange(s.userId(), pub, own, s.version()));
    }
    if (changes == null) {
      return Future.succeededFuture();
    }
    List<PresenceChange> batch = changes;
    return Future.<Void>future(p -> sink.announce(batch).onComplete(p))
        .onFailure(e -> LOG.warn("presence changes of {} users not announced: {}", batch.size(), e.toString()))
        .otherwiseEmpty();
  }
}
