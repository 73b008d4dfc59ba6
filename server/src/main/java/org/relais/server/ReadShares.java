package org.relais.server;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Response;
import org.relais.redis.LuaScript;
import org.relais.redis.RedisDb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * This node's shares of the budgets that reads count against ({@link RateClass#isRead}): a read whose budgets all
 * have room in their share is admitted here without asking Redis, and the units served are taken from the budgets
 * in Redis {@link #SETTLE_MS} later, many budgets in one script ({@code rate_settle.lua}). A share is half of the
 * units Redis said a budget held at its last exact check or settle on this node, if that was at most
 * {@link #FRESH_MS} ago, less what this node has served on it since; otherwise the read is checked in Redis as
 * before (and its reply gives the share again). So on one node a budget is never overspent; two nodes drawing on
 * the same budget at once spend at most what it held; each further node can overspend it by half of what it held
 * once, before its next settle shows the budget spent and the reads are checked in Redis again.
 *
 * <p>Why: a history page was two Redis calls, the read and the budget script, and the script cost Redis about as
 * much as the page's 50 renderings (docs/BENCHMARKS.md). Safe from any event loop: one lock, held briefly.
 */
final class ReadShares {
  private static final Logger LOG = LoggerFactory.getLogger(ReadShares.class);
  private static final LuaScript SETTLE = LuaScript.load(ReadShares.class, "rate_settle");
  /** How long served units wait before they are taken in Redis, in one script for all budgets. */
  static final long SETTLE_MS = 100;
  /** How long what Redis said of a budget may be drawn on. */
  static final long FRESH_MS = 1_000;
  private static final int KEYS_PER_SETTLE = 500;
  private static final int REMEMBERED = 10_000;

  private final Vertx vertx;
  private final RedisDb db;
  private final Map<String, Share> shares = new HashMap<>();
  private boolean settleScheduled;
  /** The last settle failed (logged once until one succeeds again). */
  private boolean failing;

  /** One budget as this node knows it (under the lock). */
  private static final class Share {
    final RateLimits.Budget budget;
    /** The units Redis said the budget held, when this node asked at knownAt (ms). */
    long held;
    long knownAt;
    /** Units served here and not yet settled in Redis (including those in a settle under way). */
    long pending;
    /** Of pending, the units a settle under way is taking. */
    long settling;

    Share(RateLimits.Budget budget) {
      this.budget = budget;
    }
  }

  ReadShares(Vertx vertx, RedisDb db) {
    this.vertx = vertx;
    this.db = db;
  }

  /**
   * Takes a read's units from this node's shares of its budgets if all of them have room, and returns true: the
   * read is admitted and will be settled in Redis; false: check it in Redis ({@link RateLimits#check}).
   */
  boolean take(List<RateLimits.Budget> budgets) {
    long now = System.currentTimeMillis();
    boolean schedule;
    synchronized (this) {
      for (RateLimits.Budget b : budgets) {
        Share s = shares.get(b.key());
        if (s == null || now - s.knownAt > FRESH_MS || s.pending + b.units() > s.held / 2) {
          return false;
        }
      }
      for (RateLimits.Budget b : budgets) {
        shares.get(b.key()).pending += b.units();
      }
      schedule = !settleScheduled;
      settleScheduled = true;
    }
    if (schedule) {
      vertx.setTimer(SETTLE_MS, t -> settle());
    }
    return true;
  }

  /** What an exact check sent at {@code sentAt} learnt of a budget: it holds {@code held} units (0: it refused). */
  synchronized void learned(RateLimits.Budget b, long held, long sentAt) {
    Share s = shares.get(b.key());
    if (s == null) {
      if (shares.size() >= REMEMBERED) {
        shares.values().removeIf(x -> x.pending == 0);
      }
      s = new Share(b);
      shares.put(b.key(), s);
    }
    if (sentAt >= s.knownAt) {
      s.held = held;
      s.knownAt = sentAt;
    }
  }

  /** Takes the units served since the last settle from their budgets in Redis, and learns what they hold now. */
  private void settle() {
    List<List<Share>> batches = new ArrayList<>();
    List<List<Long>> units = new ArrayList<>();
    long sentAt = System.currentTimeMillis();
    synchronized (this) {
      settleScheduled = false;
      List<Share> batch = null;
      List<Long> batchUnits = null;
      for (Share s : shares.values()) {
        long n = s.pending - s.settling;
        if (n <= 0) {
          continue;
        }
        if (batch == null || batch.size() == KEYS_PER_SETTLE) {
          batch = new ArrayList<>();
          batchUnits = new ArrayList<>();
          batches.add(batch);
          units.add(batchUnits);
        }
        s.settling += n;
        batch.add(s);
        batchUnits.add(n);
      }
    }
    for (int i = 0; i < batches.size(); i++) {
      send(batches.get(i), units.get(i), sentAt);
    }
  }

  private void send(List<Share> batch, List<Long> units, long sentAt) {
    List<String> keys = new ArrayList<>(batch.size());
    List<String> args = new ArrayList<>(batch.size() * 3);
    for (int i = 0; i < batch.size(); i++) {
      RateLimits.Budget b = batch.get(i).budget;
      keys.add(b.key());
      args.add(String.valueOf(b.limit()));
      args.add(String.valueOf(RateLimits.PERIOD_MS));
      args.add(String.valueOf(units.get(i)));
    }
    db.eval(SETTLE, keys, args).onComplete(ar -> {
      Response r = ar.succeeded() ? ar.result() : null;
      boolean again = false;
      synchronized (this) {
        for (int i = 0; i < batch.size(); i++) {
          Share s = batch.get(i);
          long n = units.get(i);
          s.settling -= n;
          if (r != null) {
            s.pending -= n;
            if (sentAt >= s.knownAt) {
              s.held = r.get(i).toLong();
              s.knownAt = sentAt;
            }
          } else {
            // not taken: kept, and taken at the next settle; meanwhile reads on it are checked in Redis
            s.knownAt = 0;
          }
          again |= s.pending - s.settling > 0;
        }
        if (again && !settleScheduled) {
          settleScheduled = true;
        } else {
          again = false;
        }
      }
      if (r == null && !failing) {
        LOG.warn("read budgets could not be settled ({}); kept for the next settle", ar.cause().getMessage());
      }
      failing = r == null;
      if (again) {
        vertx.setTimer(SETTLE_MS, t -> settle());
      }
    });
  }
}
