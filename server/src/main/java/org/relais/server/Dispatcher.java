package org.relais.server;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.relais.core.ErrorCode;
import org.relais.core.Op;
import org.relais.core.OpRegistry;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The one path from a decoded request to its result, shared by the WebSocket and {@code POST /api/ops/{op}}:
 * find the op, check the rate limits kept in Redis ({@link RateLimits}), validate its data against the op's schema,
 * run it, measure it, and turn any failure into a typed error. A request refused by a limit is not run, except
 * the reads that change nothing ({@link RateClass#isRead}): those are validated first, then checked and run at
 * once, and their result is dropped if refused (while a budget of theirs refused lately, they wait for the check;
 * while this node's share of their budgets has room, they are not checked one by one: {@link ReadShares});
 * and a gated op ({@code OpHandler.gated}, e.g. {@code message.send}) may read while the check is under way but
 * changes nothing before it passes. Internal failures are logged here, once, with the connection, user and op; the
 * client sees only
 * {@code internal}.
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  /** The connection name of calls over {@code POST /api/ops/{op}}. */
  static final String HTTP = "http";

  private final OpRegistry ops;
  private final Metrics metrics;
  private final RateLimits limits;

  Dispatcher(OpRegistry ops, Metrics metrics, RateLimits limits) {
    this.ops = ops;
    this.metrics = metrics;
    this.limits = limits;
  }

  RateLimits limits() {
    return limits;
  }

  /** The op, or a failure with {@code unknown_op}. */
  Op find(String name) {
    Op op = ops.find(name);
    if (op == null) {
      throw new RelaisException(ErrorCode.UNKNOWN_OP, "Unknown op '" + truncate(name) + "'");
    }
    return op;
  }

  /**
   * Runs an op.
   *
   * @param connection the connection id, for logs, or {@link #HTTP} for HTTP calls (which also count against the
   *                   {@link RateClass#HTTP} budgets)
   * @param principal  the caller, with the client's address
   * @return the reply data; fails only with {@link RelaisException}
   */
  Future<JsonObject> dispatch(String connection, Principal principal, Op op, JsonObject rawData) {
    long start = System.nanoTime();
    List<RateLimits.Budget> budgets = limits.budgets(principal, op, HTTP.equals(connection));
    Future<JsonObject> result;
    if (RateClass.isRead(op)) {
      // A read that changes nothing: its data is checked first; then its budgets and the read itself are sent at
      // once (one round of Redis replies instead of two in a row), the read's result used only if admitted; while
      // one of its budgets refused lately, the read waits for the check.
      result = validated(op, rawData).compose(data -> {
        if (budgets.isEmpty() || limits.refusedLately(budgets)) {
          return limits.check(budgets).compose(v -> op.handler().handle(principal, data));
        }
        if (limits.takeRead(budgets)) {
          // admitted on this node's share of its budgets, settled in Redis shortly (ReadShares)
          return op.handler().handle(principal, data);
        }
        Future<JsonObject> read = op.handler().handle(principal, data);
        return limits.check(budgets).compose(v -> read);
      });
    } else {
      // The op gets the admission check as it goes: most wait for it; message.send reads meanwhile (OpHandler.gated).
      Future<Void> admitted = limits.check(budgets);
      try {
        JsonObject data = op.schema().validate(rawData);
        result = op.handler().handle(principal, data, admitted);
      } catch (RuntimeException e) {
        // a refusal by the limits still comes first, as when the data was checked after them
        result = admitted.compose(v -> Future.failedFuture(e));
      }
    }
    return result.transform(ar -> {
      if (ar.succeeded()) {
        metrics.op(op.name(), "ok", System.nanoTime() - start);
        return Future.succeededFuture(ar.result() == null ? new JsonObject() : ar.result());
      }
      RelaisException error = RelaisException.from(ar.cause());
      metrics.op(op.name(), error.code().wire(), System.nanoTime() - start);
      if (error.code() == ErrorCode.INTERNAL) {
        LOG.error("op failed conn={} user={} op={}", connection, principal.userId(), op.name(), ar.cause());
      } else {
        LOG.debug("op refused conn={} user={} op={} code={}", connection, principal.userId(), op.name(), error.code().wire());
      }
      return Future.failedFuture(error);
    });
  }

  private static Future<JsonObject> validated(Op op, JsonObject rawData) {
    try {
      return Future.succeededFuture(op.schema().validate(rawData));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  static String truncate(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }
}
