package org.relais.server;

import org.relais.core.Op;

import java.util.Set;

/**
 * The budgets kept in Redis, shared by every node: what each counts, and what happens when Redis cannot be asked.
 * A fail-closed class refuses with {@code unavailable} when its budget cannot be checked; a fail-open class lets the
 * request through (the per-socket bucket still applies, and the request itself needs Redis anyway).
 */
enum RateClass {
  /** message.send, message.edit, message.delete: one unit each. Fail-open: chat keeps working when only the limiter fails. */
  SEND("send", "messages", false),
  /** message.react, message.unreact: one unit each. Fail-open, as sends. */
  REACT("react", "reactions", false),
  /**
   * Every op of cost 2 or more (search, listings, imports, slot finding, invitations, partnership requests…) and
   * the history reads: as many units as the op's cost. Fail-closed: these are what an attacker would repeat to
   * exhaust the server, and they are refused anyway when Redis is away.
   */
  EXPENSIVE("expensive", "costly requests", true),
  /** Every op over {@code POST /api/ops/{op}} (standing in for the socket's bucket): one unit. Fail-open. */
  HTTP("http", "requests", false),
  /**
   * {@code /api/auth/refresh}, {@code /api/auth/logout} and {@code /api/auth/accept-invite}, per address: one unit.
   * Fail-closed: they take secrets that could be guessed. Sign-in has its own budgets (per account and address).
   */
  AUTH("auth", "sign-in requests", true);

  /** Ops that read much without costing more than one token on the socket. */
  private static final Set<String> HEAVY_READS = Set.of("message.history", "thread.history", "channel.members");

  final String wire;
  final String what;
  final boolean failClosed;

  RateClass(String wire, String what, boolean failClosed) {
    this.wire = wire;
    this.what = what;
    this.failClosed = failClosed;
  }

  /** The class an op counts against, or null for cheap ops (only the socket's bucket, or {@link #HTTP}). */
  static RateClass of(Op op) {
    return switch (op.name()) {
      case "message.send", "message.edit", "message.delete" -> SEND;
      case "message.react", "message.unreact" -> REACT;
      default -> op.cost() >= 2 || HEAVY_READS.contains(op.name()) ? EXPENSIVE : null;
    };
  }

  /**
   * Ops that only read (Redis changes nothing but caches a read may fill): checked against their budgets at the
   * same time as they run ({@link Dispatcher}).
   */
  static boolean isRead(Op op) {
    return HEAVY_READS.contains(op.name());
  }

  /** The units an op takes from its class's budget. */
  static int units(RateClass c, Op op) {
    return c == EXPENSIVE ? Math.max(1, op.cost()) : 1;
  }
}
