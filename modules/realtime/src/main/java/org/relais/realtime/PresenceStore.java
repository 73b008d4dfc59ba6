package org.relais.realtime;

import io.vertx.core.Future;
import io.vertx.redis.client.Response;
import org.relais.redis.LuaScript;
import org.relais.redis.RedisDb;
import org.relais.redis.Responses;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Presence in Redis. Every change goes through one script that applies it and settles the user's status, so the
 * rules live in one place and a change is reported to one caller only. Knows keys and scripts, not recipients.
 */
final class PresenceStore {
  private static final LuaScript APPLY = LuaScript.load(PresenceStore.class, "presence_apply");
  private static final LuaScript DUE = LuaScript.load(PresenceStore.class, "presence_due");
  /** Users settled by one script call: keeps each call short, since Redis runs nothing else meanwhile. */
  static final int USERS_PER_CALL = 200;
  /** An untouched state (last seen, last announced status) is forgotten after this long. */
  static final long STATE_LIFETIME_MS = Duration.ofDays(30).toMillis();
  private static final int FIELDS = 9;

  static final int CHANGED_STATUS = 1;
  static final int CHANGED_PUBLIC = 2;
  static final int CHANGED_CHOICE = 4;

  /** One action on one user's presence; see {@code presence_apply.lua}. */
  record Action(String userId, String kind, List<String> args) {
    static Action connect(String userId, String connectionId) {
      return new Action(userId, "connect", List.of(connectionId));
    }

    static Action disconnect(String userId, String connectionId) {
      return new Action(userId, "disconnect", List.of(connectionId));
    }

    static Action beat(String userId, List<String> connectionIds) {
      return new Action(userId, "beat", List.copyOf(connectionIds));
    }

    static Action active(String userId) {
      return new Action(userId, "active", List.of());
    }

    /** {@code status}: online, auto, away, dnd or null to keep; {@code hidden}: null to keep. */
    static Action set(String userId, String status, Boolean hidden) {
      return new Action(userId, "set", List.of(status == null ? "-" : status,
          hidden == null ? "-" : hidden ? "1" : "0"));
    }

    static Action check(String userId) {
      return new Action(userId, "check", List.of());
    }
  }

  /**
   * A user's presence after an action.
   *
   * @param status        the real status
   * @param publicStatus  what others see (offline when hidden)
   * @param seenAt        when the user was last connected or active, or null
   * @param changes       what this call changed: {@link #CHANGED_STATUS}, {@link #CHANGED_PUBLIC}, {@link #CHANGED_CHOICE}
   * @param manualStatus  auto, away or dnd
   * @param liveSessions  sessions not expired
   * @param version       the user's presence version in Redis after this call if it changed something (raised by every
   *                      change), else 0
   */
  record Settled(String userId, PresenceStatus status, PresenceStatus publicStatus, Instant seenAt, int changes,
                 boolean hidden, String manualStatus, int liveSessions, long version) {

    boolean changed(int what) {
      return (changes & what) != 0;
    }

    /** As the user sees themself. */
    UserPresence ownView() {
      return new UserPresence(userId, status, status == PresenceStatus.OFFLINE ? seenAt : null, manualStatus, hidden);
    }

    /** As anyone else sees the user. */
    UserPresence publicView() {
      boolean showSeen = publicStatus == PresenceStatus.OFFLINE && !hidden;
      return new UserPresence(userId, publicStatus, showSeen ? seenAt : null, null, null);
    }
  }

  private final RedisDb db;
  private final PresenceSettings settings;

  PresenceStore(RedisDb db, PresenceSettings settings) {
    this.db = db;
    this.settings = settings;
  }

  /** Applies the actions in order, in calls of at most {@link #USERS_PER_CALL} users; one result per action. */
  Future<List<Settled>> apply(List<Action> actions) {
    if (actions.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Future<List<Settled>>> calls = new ArrayList<>();
    for (int from = 0; from < actions.size(); from += USERS_PER_CALL) {
      calls.add(applyOnce(actions.subList(from, Math.min(actions.size(), from + USERS_PER_CALL))));
    }
    return Future.all(calls).map(all -> {
      List<Settled> settled = new ArrayList<>(actions.size());
      for (int i = 0; i < calls.size(); i++) {
        settled.addAll(all.<List<Settled>>resultAt(i));
      }
      return settled;
    });
  }

  /**
   * Takes this sweep round unless another sweeper holds it, and lists users due for a re-check.
   *
   * @return at most {@code limit} users; none when the round belongs to another sweeper
   */
  Future<List<String>> dueUsers(String sweeperToken, long lockMs, int limit) {
    return db.eval(DUE, List.of(PresenceKeys.due(), PresenceKeys.sweepLock()),
        List.of(sweeperToken, String.valueOf(lockMs), String.valueOf(limit))).map(Responses::toList);
  }

  private Future<List<Settled>> applyOnce(List<Action> actions) {
    List<String> keys = new ArrayList<>(1 + actions.size() * 4);
    List<String> args = new ArrayList<>();
    keys.add(PresenceKeys.due());
    args.add(String.valueOf(settings.sessionLifetimeMs()));
    args.add(String.valueOf(settings.awayAfterSeconds() * 1000));
    args.add(String.valueOf(settings.offlineGraceSeconds() * 1000));
    args.add(String.valueOf(STATE_LIFETIME_MS));
    for (Action action : actions) {
      keys.add(PresenceKeys.sessions(action.userId()));
      keys.add(PresenceKeys.closed(action.userId()));
      keys.add(PresenceKeys.chosen(action.userId()));
      keys.add(PresenceKeys.state(action.userId()));
      args.add(action.userId());
      args.add(action.kind());
      args.add(String.valueOf(action.args().size()));
      args.addAll(action.args());
    }
    return db.eval(APPLY, keys, args).map(PresenceStore::parse);
  }

  private static List<Settled> parse(Response reply) {
    List<String> f = Responses.toList(reply);
    List<Settled> out = new ArrayList<>(f.size() / FIELDS);
    for (int i = 0; i + FIELDS <= f.size(); i += FIELDS) {
      String seen = f.get(i + 3);
      out.add(new Settled(f.get(i),
          PresenceStatus.fromWire(f.get(i + 1)),
          PresenceStatus.fromWire(f.get(i + 2)),
          seen == null || seen.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(seen)),
          Integer.parseInt(f.get(i + 4)),
          "1".equals(f.get(i + 5)),
          f.get(i + 6),
          Integer.parseInt(f.get(i + 7)),
          Long.parseLong(f.get(i + 8))));
    }
    return out;
  }
}
