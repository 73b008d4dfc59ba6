package org.relais.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Response;
import org.relais.redis.LuaScript;
import org.relais.redis.RedisDb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This node's shares of the budgets that reads count against ({@link RateClass#isRead}): a read whose budgets all
 * have room in their share is admitted here without asking Redis, and the units it used are taken from the budgets
 * in Redis within {@link #SETTLE_MS}, every budget with units to take in one script ({@code rate_settle.lua}), or
 * sooner by the next check of the same budget in Redis, which carries them ({@link #carry}). A share is half of the
 * units Redis said a budget held at this node's last check or settle of it, if that was at most {@link #FRESH_MS}
 * ago, less what this node has admitted on it since; otherwise the read is checked in Redis as before, and the
 * reply gives the share again. Every unit admitted here reaches Redis before or with the next check of its budget
 * from this node, so on one node a budget is never overspent; two nodes drawing on one budget at the same moment
 * spend at most what it held; each node beyond two can overspend it by half of what it held, once, until its next
 * settle shows the budget spent. What a node learns of a budget is ordered by Redis's clock (the scripts return it),
 * not by when the replies arrive: a node has several connections to Redis.
 *
 * <p>Why: a history page was two Redis calls, the read and the budget script, and the script cost Redis about as
 * much as the page's 50 renderings (docs/BENCHMARKS.md). Safe from any event loop: one lock, held briefly.
 */
final class ReadShares {
  private static final Logger LOG = LoggerFactory.getLogger(ReadShares.class);
  private static final LuaScript SETTLE = LuaScript.load(ReadShares.class, "rate_settle");
  /** How often the units admitted on shares are taken in Redis. */
  static final long SETTLE_MS = 100;
  /** How long what Redis said of a budget may be drawn on. */
  static final long FRESH_MS = 1_000;
  private static final int KEYS_PER_SETTLE = 500;
  private static final int REMEMBERED = 10_000;

  private final Vertx vertx;
  private final RedisDb db;
  private final long timer;
  private final Map<String, Share> shares = new HashMap<>();
  /** The shares with units admitted and not yet on their way to Redis. */
  private final Set<Share> unsettled = new LinkedHashSet<>();
  /** The last settle failed (logged once until one succeeds again). */
  private boolean failing;

  /** One budget as this node knows it (under the lock). */
  private static final class Share {
    final RateLimits.Budget budget;
    /** The units Redis said the budget held, on Redis's clock at {@code redisAt} (µs); seen here at knownAt (ms). */
    long held;
    long redisAt;
    long knownAt;
    /** Units admitted here and not yet taken in Redis (including those on their way, {@code sending}). */
    long pending;
    /** Of pending, the units a settle or a check under way is taking. */
    long sending;
    /** The units of checks under way in Redis (their own, not carried): spent there before their reply says so. */
    long checking;

    Share(RateLimits.Budget budget) {
      this.budget = budget;
    }
  }

  ReadShares(Vertx vertx, RedisDb db) {
    this.vertx = vertx;
    this.db = db;
    // a timer of the node, not of a verticle: it lives until close()
    this.timer = vertx.setPeriodic(SETTLE_MS, t -> settle());
  }

  /** Stops the settles, and settles what was admitted since the last one (the node is stopping). */
  Future<Void> close() {
    vertx.cancelTimer(timer);
    return settle();
  }

  /**
   * Takes a read's units from this node's shares of its budgets if all of them have room, and returns true: the
   * read is admitted and will be settled in Redis; false: check it in Redis ({@link RateLimits#check}).
   */
  synchronized boolean take(List<RateLimits.Budget> budgets) {
    long now = System.currentTimeMillis();
    for (RateLimits.Budget b : budgets) {
      Share s = shares.get(b.key());
      if (s == null || now - s.knownAt > FRESH_MS || s.pending + s.checking + b.units() > s.held / 2) {
        return false;
      }
    }
    for (RateLimits.Budget b : budgets) {
      Share s = shares.get(b.key());
      s.pending += b.units();
      unsettled.add(s);
    }
    return true;
  }

  /**
   * The units admitted here on each of these budgets that are not yet on their way to Redis (0 for a budget without
   * a share): a check of the budgets in Redis takes them with its own ({@link #checked}), so that it judges what was
   * really spent. They are on their way until {@link #checked} is called with the same array.
   */
  synchronized long[] carry(List<RateLimits.Budget> budgets) {
    long[] carried = new long[budgets.size()];
    for (int i = 0; i < budgets.size(); i++) {
      RateLimits.Budget b = budgets.get(i);
      Share s = shares.get(b.key());
      if (s == null && RateLimits.readsCount(b)) {
        s = remember(b);
      }
      if (s != null) {
        carried[i] = s.pending - s.sending;
        s.sending += carried[i];
        s.checking += b.units();
      }
    }
    return carried;
  }

  private Share remember(RateLimits.Budget b) {
    if (shares.size() >= REMEMBERED) {
      shares.values().removeIf(x -> x.pending == 0 && x.checking == 0);
    }
    Share s = new Share(b);
    shares.put(b.key(), s);
    return s;
  }

  /**
   * The outcome of a check in Redis that carried {@code carried} ({@link #carry}): if it was admitted ({@code held}
   * not null: what each budget holds after it, at Redis time {@code redisAt}), the carried units were taken with it;
   * if refused or failed ({@code held} null), they were not and stay for the next settle ({@code refused}: the index
   * of the budget that refused, which then holds nothing; -1 if none or failed).
   */
  synchronized void checked(List<RateLimits.Budget> budgets, long[] carried, long[] held, int refused, long redisAt,
      long sentAt) {
    for (int i = 0; i < budgets.size(); i++) {
      RateLimits.Budget b = budgets.get(i);
      Share s = shares.get(b.key());
      if (s == null) {
        continue;
      }
      s.sending -= carried[i];
      s.checking -= b.units();
      if (held != null) {
        s.pending -= carried[i];
      } else if (carried[i] > 0) {
        unsettled.add(s);
      }
      if ((held != null || i == refused) && redisAt > s.redisAt) {
        s.held = held != null ? held[i] : 0;
        s.redisAt = redisAt;
        s.knownAt = sentAt;
      }
    }
  }

  /** Takes the units admitted since the last settle from their budgets in Redis, and learns what they hold now. */
  private Future<Void> settle() {
    List<List<Share>> batches = new ArrayList<>();
    List<long[]> units = new ArrayList<>();
    long sentAt = System.currentTimeMillis();
    synchronized (this) {
      if (unsettled.isEmpty()) {
        return Future.succeededFuture();
      }
      List<Share> batch = new ArrayList<>();
      for (Share s : unsettled) {
        if (s.pending - s.sending > 0) {
          batch.add(s);
        }
        if (batch.size() == KEYS_PER_SETTLE) {
          batches.add(batch);
          batch = new ArrayList<>();
        }
      }
      unsettled.clear();
      if (!batch.isEmpty()) {
        batches.add(batch);
      }
      for (List<Share> b : batches) {
        long[] n = new long[b.size()];
        for (int i = 0; i < n.length; i++) {
          n[i] = b.get(i).pending - b.get(i).sending;
          b.get(i).sending += n[i];
        }
        units.add(n);
      }
    }
    List<Future<Void>> sent = new ArrayList<>(batches.size());
    for (int i = 0; i < batches.size(); i++) {
      sent.add(send(batches.get(i), units.get(i), sentAt));
    }
    return Future.all(sent).mapEmpty();
  }

  private Future<Void> send(List<Share> batch, long[] units, long sentAt) {
    List<String> keys = new ArrayList<>(batch.size());
    List<String> args = new ArrayList<>(batch.size() * 3);
    for (int i = 0; i < batch.size(); i++) {
      RateLimits.Budget b = batch.get(i).budget;
      keys.add(b.key());
      args.add(String.valueOf(b.limit()));
      args.add(String.valueOf(RateLimits.PERIOD_MS));
      args.add(String.valueOf(units[i]));
    }
    return db.eval(SETTLE, keys, args).transform(ar -> {
      Response r = ar.succeeded() && ar.result() != null && ar.result().size() == batch.size() + 1 ? ar.result() : null;
      boolean wasFailing;
      synchronized (this) {
        long redisAt = r == null ? 0 : r.get(0).toLong();
        for (int i = 0; i < batch.size(); i++) {
          Share s = batch.get(i);
          s.sending -= units[i];
          if (r != null) {
            s.pending -= units[i];
            if (redisAt > s.redisAt) {
              s.held = r.get(i + 1).toLong();
              s.redisAt = redisAt;
              s.knownAt = sentAt;
            }
          } else {
            // not known to be taken (a settle that timed out may still have run: then they are taken twice, which
            // errs towards refusing): kept for the next settle; meanwhile reads on it are checked in Redis
            s.knownAt = 0;
            unsettled.add(s);
          }
        }
        wasFailing = failing;
        failing = r == null;
      }
      if (r == null && !wasFailing) {
        LOG.warn("read budgets could not be settled ({}); kept for the next settle",
            ar.failed() ? ar.cause().getMessage() : "unexpected reply");
      }
      return Future.succeededFuture();
    });
  }
}
