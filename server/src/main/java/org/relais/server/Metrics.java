package org.relais.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The meters Relais adds to Vert.x's own, exposed in Prometheus format at {@code GET /metrics}. */
final class Metrics {
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final AtomicInteger openSockets = new AtomicInteger();
  /** First hellos refused by the handshake admission (queue full or waited too long). */
  final Counter helloRefused;
  private final ConcurrentHashMap<String, Timer> opTimers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> opCounters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> closeCounters = new ConcurrentHashMap<>();

  Metrics() {
    Gauge.builder("relais.ws.connections", openSockets, AtomicInteger::get)
        .description("Open WebSocket connections on this node")
        .register(registry);
    helloRefused = Counter.builder("relais.ws.hello.refused")
        .description("First hellos refused with unavailable because too many were being checked or waiting")
        .register(registry);
  }

  /** Records one op: {@code outcome} is {@code ok} or an error code. {@code op} must be a registered name. */
  void op(String op, String outcome, long nanos) {
    opTimers.computeIfAbsent(op, o -> Timer.builder("relais.op")
            .description("Op latency, from decoded request to reply")
            .tag("op", o)
            .publishPercentileHistogram()
            .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
    opCounters.computeIfAbsent(op + "|" + outcome, k -> Counter.builder("relais.ops")
            .description("Ops by name and outcome")
            .tag("op", op)
            .tag("outcome", outcome)
            .register(registry))
        .increment();
  }

  private final Counter aborts = Counter.builder("relais.ws.aborts")
      .description("Closed WebSockets whose TCP connection was dropped because the close handshake did not finish")
      .register(registry);

  /** A closed socket's TCP connection was dropped: its peer read nothing, not even the close frame. */
  void aborted() {
    aborts.increment();
  }

  void closed(int code) {
    closeCounters.computeIfAbsent(String.valueOf(code), c -> Counter.builder("relais.ws.closes")
            .description("WebSocket closes initiated by the server, by close code")
            .tag("code", c)
            .register(registry))
        .increment();
  }
}
