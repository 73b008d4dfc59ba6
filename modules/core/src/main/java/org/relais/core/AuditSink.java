package org.relais.core;

import io.vertx.core.Future;

/**
 * Where modules report security and administration events, without knowing where the audit log lives.
 * {@link #record} completes once the entry is stored, and never fails: a log that cannot be written is reported
 * by the implementation (server log, metrics), not to the caller, whose action has already happened.
 */
@FunctionalInterface
public interface AuditSink {

  /** Records nothing (modules used without a server, tests of one module). */
  AuditSink NONE = entry -> Future.succeededFuture();

  Future<Void> record(AuditEntry entry);
}
