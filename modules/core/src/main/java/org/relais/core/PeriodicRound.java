package org.relais.core;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A round of work run every interval on a Vert.x timer (a sweeper, a scheduler): one round at a time — a slow round
 * is never overlapped by the next — and a failed round is logged, not fatal. {@link #start} is idempotent; after
 * {@link #stop} nothing more runs, and its future completes when the round in progress has finished. Thread-safe.
 */
public final class PeriodicRound {
  private static final Logger LOG = LoggerFactory.getLogger(PeriodicRound.class);

  private final Vertx vertx;
  private final long intervalMs;
  private final String name;
  private final Supplier<Future<?>> round;
  private final AtomicLong timer = new AtomicLong(-1);
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicReference<Future<Void>> current = new AtomicReference<>(Future.succeededFuture());
  private volatile boolean stopped;

  /**
   * @param name  what the round is, for the log
   * @param round one round; its future completing ends the round
   */
  public PeriodicRound(Vertx vertx, long intervalMs, String name, Supplier<Future<?>> round) {
    this.vertx = vertx;
    this.intervalMs = intervalMs;
    this.name = name;
    this.round = round;
  }

  public void start() {
    if (stopped || timer.get() >= 0) {
      return;
    }
    long id = vertx.setPeriodic(intervalMs, t -> tick());
    if (!timer.compareAndSet(-1, id)) {
      vertx.cancelTimer(id);
    }
  }

  public Future<Void> stop() {
    stopped = true;
    long id = timer.getAndSet(-2);
    if (id >= 0) {
      vertx.cancelTimer(id);
    }
    return current.get();
  }

  private void tick() {
    if (stopped || !running.compareAndSet(false, true)) {
      return;
    }
    Future<Void> r;
    try {
      r = round.get().<Void>mapEmpty();
    } catch (RuntimeException e) {
      r = Future.failedFuture(e);
    }
    current.set(r.recover(e -> {
      LOG.warn("{} round failed: {}", name, e.toString());
      return Future.succeededFuture();
    }).andThen(ar -> running.set(false)));
  }
}
