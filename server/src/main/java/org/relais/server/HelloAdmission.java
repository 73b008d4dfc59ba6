package org.relais.server;

import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.relais.core.ErrorCode;
import org.relais.core.RelaisException;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Admission of first {@code hello}s, node-wide (shared by every gateway instance): at most {@code concurrency} are
 * checked at once (token, session, the user's channels); the next ones wait in a queue of at most {@code queue},
 * each for {@code maxWaitMs} — and longer, up to {@link #MAX_QUEUED_MS}, while the node keeps ending checks (a
 * storm it is working through: a refusal would only make the client pay its upgrade again and come back later).
 * A hello that finds the queue full, or waits {@code maxWaitMs} while the node makes no progress, is refused at
 * once with {@code unavailable} and a {@code retryAfterMs}, so that a burst of connections (a reconnect storm) makes
 * slower progress rather than hellos that all pass their deadline together. The {@code retryAfterMs} is sized to the
 * queue: the time the hellos queued then should take at the rate checks ended in the last second (see
 * {@link #busy(long)}); the queue itself is sized so that a storm the node can check within the deadline is queued
 * whole (README, helloQueue): a refusal costs the client and the node a whole WebSocket upgrade again. One client
 * address may hold at most a tenth of the queue (at least {@code concurrency}) in checks and waits at once, so that
 * one address sending hellos with bogus tokens cannot fill the queue and lock everyone else out.
 *
 * <p>Safe from any event loop: one lock around a counter and a queue. A waiter is admitted, or refused, on the
 * context it asked from.
 */
final class HelloAdmission {
  private static final long RETRY_AFTER_MS = 1_000;
  /** The longest retryAfterMs asked for (before its spread), however long the queue. */
  private static final long MAX_RETRY_AFTER_MS = 30_000;
  /** The longest a hello waits in the queue, while checks keep ending. */
  static final long MAX_QUEUED_MS = 30_000;
  /** No check ended for this long while hellos wait: the node is stalled (Redis slow or not answering). */
  private static final long STALL_MS = 2_000;

  private final Vertx vertx;
  private final int concurrency;
  private final int queueMax;
  private final long maxWaitMs;
  private final Metrics metrics;
  /** The most hellos of one address being checked or waiting at once. */
  private final int perAddressMax;
  private final Map<String, Integer> byAddress = new HashMap<>();
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private int running;
  /** Checks ended in the current one-second window, and the rate of the last full window (checks per second). */
  private long windowStart = System.nanoTime();
  private int doneInWindow;
  private int donePerSecond;
  /**
   * When the node last made progress: a check ended, or checks began after an idle spell. The rate's window above
   * only moves while checks end, so after a quiet spell it is old, and a storm on an idle node is not a stuck node.
   */
  private long progressAt = System.nanoTime();

  private static final class Waiter {
    final Context context;
    final String address;
    final Promise<Void> promise = Promise.promise();
    final long queuedAt = System.nanoTime();
    /** Out of the queue: admitted or refused (under the lock). */
    boolean left;
    volatile long timer = -1;

    Waiter(Context context, String address) {
      this.context = context;
      this.address = address;
    }
  }

  HelloAdmission(Vertx vertx, int concurrency, int queueMax, long maxWaitMs, Metrics metrics) {
    this.vertx = vertx;
    this.concurrency = concurrency;
    this.queueMax = queueMax;
    this.maxWaitMs = maxWaitMs;
    this.metrics = metrics;
    this.perAddressMax = Math.max(concurrency, queueMax / 10);
    Gauge.builder("relais.ws.hello.checking", this, a -> a.load()[0])
        .description("First hellos being checked now (at most helloConcurrency)")
        .register(metrics.registry);
    Gauge.builder("relais.ws.hello.waiting", this, a -> a.load()[1])
        .description("First hellos waiting in the admission queue (at most helloQueue)")
        .register(metrics.registry);
  }

  /**
   * Completes when the hello of a client at {@code address} may be checked; the caller then calls
   * {@link #release(String)} with the same address exactly once when the check is over. Fails with
   * {@code unavailable} (with {@code retryAfterMs}) when the queue is full, the address holds its share of it, or
   * the wait is too long; then there is nothing to release.
   */
  Future<Void> acquire(String address) {
    Waiter waiter;
    synchronized (this) {
      int mine = byAddress.getOrDefault(address, 0);
      if (mine >= perAddressMax) {
        metrics.helloRefused.increment();
        return Future.failedFuture(busy(drainMs(queue.size())));
      }
      if (running < concurrency) {
        if (running == 0) {
          progressAt = System.nanoTime();
        }
        running++;
        byAddress.put(address, mine + 1);
        return Future.succeededFuture();
      }
      if (queue.size() >= queueMax) {
        metrics.helloRefused.increment();
        return Future.failedFuture(busy(drainMs(queue.size())));
      }
      waiter = new Waiter(vertx.getOrCreateContext(), address);
      queue.add(waiter);
      byAddress.put(address, mine + 1);
    }
    waiter.timer = vertx.setTimer(maxWaitMs, t -> waited(waiter));
    return waiter.promise.future();
  }

  /**
   * A waiter's deadline: it keeps its place, looked at again each second, while the node ends checks and it has
   * waited less than {@link #MAX_QUEUED_MS}; otherwise it is refused.
   */
  private void waited(Waiter waiter) {
    long drain;
    synchronized (this) {
      if (waiter.left) {
        return;
      }
      boolean keep = stalledMs() <= STALL_MS && System.nanoTime() - waiter.queuedAt < MAX_QUEUED_MS * 1_000_000L;
      if (!keep) {
        queue.remove(waiter);
        waiter.left = true;
        leave(waiter.address);
      }
      drain = keep ? -1 : drainMs(queue.size());
    }
    if (drain < 0) {
      // looked at again in a second (release() cancels this timer if the hello is admitted meanwhile)
      waiter.timer = vertx.setTimer(1_000, t -> waited(waiter));
      return;
    }
    metrics.helloRefused.increment();
    waiter.promise.tryFail(busy(drain));
  }

  /** How long since the node last made progress (under the lock). */
  private long stalledMs() {
    return (System.nanoTime() - progressAt) / 1_000_000L;
  }

  /** One hello of the address is no longer checked or waiting (under the lock). */
  private void leave(String address) {
    byAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
  }

  /** Ends a check of a hello from {@code address}: the slot goes to the longest waiting hello, if any. */
  void release(String address) {
    Waiter next;
    synchronized (this) {
      leave(address);
      counted();
      next = queue.poll();
      if (next == null) {
        running--;
        return;
      }
      next.left = true;
    }
    if (next.timer >= 0) {
      vertx.cancelTimer(next.timer);
    }
    next.context.runOnContext(v -> {
      if (!next.promise.tryComplete()) {
        // completed otherwise meanwhile: it will not release, so its slot (and its address's count) goes on
        release(next.address);
      }
    });
  }

  /** Counts an ended check in the rate's window (under the lock). */
  private void counted() {
    doneInWindow++;
    long now = System.nanoTime();
    progressAt = now;
    long elapsed = now - windowStart;
    if (elapsed >= 1_000_000_000L) {
      donePerSecond = (int) (doneInWindow * 1_000_000_000L / elapsed);
      doneInWindow = 0;
      windowStart = now;
    }
  }

  /**
   * How long the hellos queued now should take to be checked, at the rate checks ended in the last full second;
   * {@link #RETRY_AFTER_MS} when nothing is known yet (under the lock).
   */
  private long drainMs(int queued) {
    long stalledMs = stalledMs();
    if (stalledMs > STALL_MS && queued > concurrency) {
      // no check has ended for two seconds while hellos wait: Redis is slow or not answering. A retry within a
      // second would rebuild the storm; 30 s after a two-second hiccup (a starved Redis in a storm) would keep
      // clients out long after it: the wait grows with the stall, twice its length, at most 30 s
      return Math.min(MAX_RETRY_AFTER_MS, 2 * stalledMs);
    }
    if (donePerSecond <= 0 || System.nanoTime() - windowStart > 2_000_000_000L) {
      return RETRY_AFTER_MS;
    }
    return queued * 1_000L / donePerSecond;
  }

  /** The hellos being checked and waiting now (for tests and metrics). */
  synchronized int[] load() {
    return new int[] {running, queue.size()};
  }

  /** The refusal: retry after about a second, spread so that the retries do not come back as one burst again. */
  static RelaisException busy() {
    return busy(RETRY_AFTER_MS);
  }

  /**
   * The refusal of a hello that the queue could not take or hold: retry once the hellos queued now should have been
   * checked ({@code drainMs}, at least a second, at most 30), plus a random spread (up to a second at the minimum,
   * up to half of it above), so that the retries come back to a queue that has room rather than as one burst again,
   * and not so late that the node idles once the queue is empty.
   */
  static RelaisException busy(long drainMs) {
    long base = Math.max(RETRY_AFTER_MS, Math.min(MAX_RETRY_AFTER_MS, drainMs));
    long spread = base == RETRY_AFTER_MS ? RETRY_AFTER_MS : base / 2;
    long retryAfter = base + ThreadLocalRandom.current().nextLong(spread);
    return new RelaisException(ErrorCode.UNAVAILABLE, "Too many connections being set up; retry after retryAfterMs",
        new JsonObject().put("retryAfterMs", retryAfter));
  }
}
