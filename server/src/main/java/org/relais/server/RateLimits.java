package org.relais.server;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Response;
import org.relais.core.Addresses;
import org.relais.core.Op;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.redis.Keys;
import org.relais.redis.LuaScript;
import org.relais.redis.RedisDb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rate limits kept in Redis, so that they hold across nodes: per user and per client address, by {@link RateClass}.
 * One script checks every budget a request counts against and takes from all of them only if all have room, so a
 * refused request changes nothing. Budgets are per minute and refill continuously; a full budget may be spent at once.
 * Reads draw on this node's share of their budgets first ({@link ReadShares}) and are settled in Redis in batches.
 * All keys share the {@code {rl}} hash tag (one script touches a user's and an address's budget together).
 */
final class RateLimits {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimits.class);
  private static final LuaScript SCRIPT = LuaScript.load(RateLimits.class, "rate_limit");
  private static final String PREFIX = Keys.PREFIX + "{rl}:";
  static final long PERIOD_MS = 60_000;

  private final RedisDb db;
  private final RelaisConfig config;
  private final Metrics metrics;
  private final ReadShares reads;

  /** Budgets that refused a request, by key: until when (ms) they would still refuse it (bounded: forgotten at once when full). */
  private final Map<String, Long> refusedUntil = new ConcurrentHashMap<>();
  private static final int REFUSED_REMEMBERED = 10_000;
  /** {@link Addresses#budgetKey} of the addresses seen lately (parsed once, not on every request); bounded. */
  private final Map<String, String> budgetKeys = new ConcurrentHashMap<>();
  private static final int BUDGET_KEYS_REMEMBERED = 10_000;

  /** One budget a request counts against. */
  record Budget(RateClass rateClass, String scope, String key, int limit, int units) {
  }

  RateLimits(Vertx vertx, RedisDb db, RelaisConfig config, Metrics metrics) {
    this.db = db;
    this.config = config;
    this.metrics = metrics;
    this.reads = new ReadShares(vertx, db);
  }

  /** Stops settling reads admitted on shares, after settling those admitted since the last settle. */
  Future<Void> close() {
    return reads.close();
  }

  /**
   * Admits a read ({@link RateClass#isRead}) on this node's shares of its budgets, without asking Redis, if they
   * have room ({@link ReadShares}); false: check it in Redis.
   */
  boolean takeRead(List<Budget> budgets) {
    return reads.take(budgets);
  }

  /**
   * The budgets an op call counts against ({@link #check}); calls over HTTP also count against
   * {@link RateClass#HTTP}.
   */
  List<Budget> budgets(Principal principal, Op op, boolean http) {
    List<Budget> budgets = new ArrayList<>(4);
    RateClass c = RateClass.of(op);
    if (c != null) {
      add(budgets, c, principal.userId(), principal.address(), RateClass.units(c, op));
    }
    if (http) {
      add(budgets, RateClass.HTTP, principal.userId(), principal.address(), 1);
    }
    return budgets;
  }

  /**
   * Whether one of these budgets refused this node a request lately (within the wait it gave then): a read that
   * would run alongside its check ({@link Dispatcher}) waits for the check instead, so that a client that keeps
   * asking past its budget does not keep reading.
   */
  boolean refusedLately(List<Budget> budgets) {
    if (refusedUntil.isEmpty()) {
      return false;
    }
    long now = System.currentTimeMillis();
    for (Budget b : budgets) {
      Long until = refusedUntil.get(b.key());
      if (until != null) {
        if (until > now) {
          return true;
        }
        refusedUntil.remove(b.key(), until);
      }
    }
    return false;
  }

  /** Admits a request of {@code rateClass} from an address alone (before anyone is known). */
  Future<Void> admitAddress(RateClass rateClass, String address) {
    List<Budget> budgets = new ArrayList<>(1);
    add(budgets, rateClass, null, address, 1);
    return check(budgets);
  }

  private void add(List<Budget> budgets, RateClass c, String userId, String address, int units) {
    int perUser = perUser(c);
    int perIp = perIp(c);
    if (userId != null && perUser > 0) {
      budgets.add(new Budget(c, "user", PREFIX + c.wire + ":u:" + userId, perUser, units));
    }
    if (address != null && perIp > 0) {
      budgets.add(new Budget(c, "ip", PREFIX + c.wire + ":a:" + budgetKey(address), perIp, units));
    }
  }

  private String budgetKey(String address) {
    String key = budgetKeys.get(address);
    if (key == null) {
      if (budgetKeys.size() >= BUDGET_KEYS_REMEMBERED) {
        budgetKeys.clear();
      }
      key = Addresses.budgetKey(address);
      budgetKeys.put(address, key);
    }
    return key;
  }

  /**
   * Admits a request counted against these budgets, or fails with {@code rate_limited} (with {@code retryAfterMs})
   * having taken nothing. When Redis cannot be asked, fails with {@code unavailable} if any class concerned is
   * fail-closed, and admits otherwise.
   */
  Future<Void> check(List<Budget> budgets) {
    if (budgets.isEmpty()) {
      return Future.succeededFuture();
    }
    long[] carried = reads.carry(budgets);
    List<String> keys = new ArrayList<>(budgets.size());
    List<String> args = new ArrayList<>(budgets.size() * 3);
    for (int i = 0; i < budgets.size(); i++) {
      Budget b = budgets.get(i);
      keys.add(b.key());
      args.add(String.valueOf(b.limit()));
      args.add(String.valueOf(PERIOD_MS));
      // with the units this node admitted on its share of the budget and has not yet settled (ReadShares)
      args.add(String.valueOf(b.units() + carried[i]));
    }
    long sentAt = System.currentTimeMillis();
    return db.eval(SCRIPT, keys, args).transform(ar -> {
      if (ar.failed()) {
        reads.checked(budgets, carried, null, -1, 0, sentAt);
        return unchecked(budgets, ar.cause());
      }
      Response r = ar.result();
      long wait;
      int refusedAt;
      try {
        wait = r.get(0).toLong();
        refusedAt = r.get(1).toInteger() - 1;
        long redisAt = r.get(2).toLong();
        long[] held = wait <= 0 ? new long[budgets.size()] : null;
        for (int i = 0; held != null && i < held.length; i++) {
          held[i] = r.get(i + 3).toLong();
        }
        reads.checked(budgets, carried, held, refusedAt, redisAt, sentAt);
      } catch (RuntimeException e) {
        reads.checked(budgets, carried, null, -1, 0, sentAt);
        return unchecked(budgets, e);
      }
      if (wait <= 0) {
        return Future.succeededFuture();
      }
      Budget refused = budgets.get(refusedAt);
      // Redis judged after sentAt: the budget refuses at least until sentAt + wait (requests of this cost or more)
      if (refusedUntil.size() >= REFUSED_REMEMBERED) {
        refusedUntil.clear();
      }
      refusedUntil.put(refused.key(), sentAt + wait);
      counter("relais.ratelimit.refused", refused.rateClass(), refused.scope()).increment();
      return Future.failedFuture(RelaisException.rateLimited("Too many " + refused.rateClass().what + " from this "
          + (refused.scope().equals("user") ? "account" : "address") + "; retry later", wait));
    });
  }

  /** Whether reads count against budgets of this class (the ones {@link ReadShares} keeps shares of). */
  static boolean readsCount(Budget b) {
    return b.rateClass() == RateClass.EXPENSIVE || b.rateClass() == RateClass.HTTP;
  }

  private Future<Void> unchecked(List<Budget> budgets, Throwable cause) {
    boolean closed = budgets.stream().anyMatch(b -> b.rateClass().failClosed);
    for (Budget b : budgets) {
      counter("relais.ratelimit.unchecked", b.rateClass(), b.scope()).increment();
    }
    LOG.warn("rate limits could not be checked ({}); {}", cause.getMessage(), closed ? "refusing" : "admitting");
    return closed
        ? Future.failedFuture(RelaisException.unavailable("Rate limits cannot be checked now; try again shortly"))
        : Future.succeededFuture();
  }

  private Counter counter(String name, RateClass c, String scope) {
    return Counter.builder(name).tag("class", c.wire).tag("scope", scope).register(metrics.registry);
  }

  private int perUser(RateClass c) {
    return switch (c) {
      case SEND -> config.rateSendPerUser();
      case REACT -> config.rateReactPerUser();
      case EXPENSIVE -> config.rateExpensivePerUser();
      case HTTP -> config.rateHttpPerUser();
      case AUTH -> 0;
    };
  }

  private int perIp(RateClass c) {
    return switch (c) {
      case SEND -> config.rateSendPerIp();
      case REACT -> config.rateReactPerIp();
      case EXPENSIVE -> config.rateExpensivePerIp();
      case HTTP -> config.rateHttpPerIp();
      case AUTH -> config.rateAuthPerIp();
    };
  }
}
