package org.relais.server;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.relais.core.AuditEntry;
import org.relais.core.AuditSink;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.redis.Keys;
import org.relais.redis.RedisDb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * The audit log: security and administration events appended to one Redis stream, newest last, kept for
 * {@code auditRetentionDays} and at most {@code auditMaxEntries} entries (trimmed approximately, as Redis does).
 * Nothing in Relais edits or deletes an entry. Entries hold ids, addresses and outcomes, never a secret or a
 * message body (see {@link AuditEntry}). Readable by network admins with {@code audit.list}.
 */
final class AuditLog implements AuditSink {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  static final String KEY = Keys.PREFIX + "{audit}:log";
  /** Entries read at most per {@code audit.list} call while looking for matches. */
  static final int MAX_SCAN = 5_000;
  private static final int BATCH = 500;

  private final RedisDb db;
  private final String node;
  private final long retentionMs;
  private final int maxEntries;
  private final Counter failures;

  AuditLog(RedisDb db, String node, int retentionDays, int maxEntries, Metrics metrics) {
    this.db = db;
    this.node = node;
    this.retentionMs = retentionDays * 86_400_000L;
    this.maxEntries = maxEntries;
    this.failures = Counter.builder("relais.audit.failures")
        .description("Audit entries that could not be written (Redis unavailable)")
        .register(metrics.registry);
  }

  @Override
  public Future<Void> record(AuditEntry entry) {
    Request add = Request.cmd(Command.XADD).arg(KEY).arg("MAXLEN").arg("~").arg(maxEntries).arg("*")
        .arg("time").arg(Instant.now().toString())
        .arg("action").arg(entry.action())
        .arg("outcome").arg(entry.outcome())
        .arg("node").arg(node);
    put(add, "actor", entry.actorId());
    put(add, "target", entry.target());
    put(add, "org", entry.orgId());
    put(add, "ip", entry.address());
    if (!entry.details().isEmpty()) {
      add.arg("details").arg(new JsonObject(Map.copyOf(entry.details())).encode());
    }
    Request trim = Request.cmd(Command.XTRIM).arg(KEY).arg("MINID").arg("~")
        .arg(System.currentTimeMillis() - retentionMs);
    return db.batch(List.of(add, trim)).<Void>mapEmpty().recover(e -> {
      failures.increment();
      LOG.warn("audit entry not written: action={} actor={} target={} outcome={}: {}", entry.action(),
          entry.actorId(), entry.target(), entry.outcome(), e.getMessage());
      return Future.succeededFuture();
    });
  }

  private static void put(Request request, String field, String value) {
    if (value != null && !value.isEmpty()) {
      request.arg(field).arg(value);
    }
  }

  /**
   * One page of entries, newest first: {@code {"entries": [...], "nextCursor"?}}. Network admins only. Filters:
   * {@code action} (exact, or a prefix when it ends with a dot), {@code actor}, {@code target}, {@code from} and
   * {@code to} (instants, inclusive). At most {@link #MAX_SCAN} entries are read per call: a page may hold fewer
   * than {@code limit} entries and still have a {@code nextCursor}.
   */
  Future<JsonObject> list(Principal principal, JsonObject query) {
    if (!principal.isAdmin()) {
      return Future.failedFuture(RelaisException.forbidden("Only network admins read the audit log"));
    }
    int limit = query.getInteger("limit", 50);
    // A cursor comes from the previous page of the same query, so it is already within "to".
    String end = query.containsKey("cursor") ? "(" + query.getString("cursor")
        : query.containsKey("to") ? String.valueOf(millis(query.getString("to"), "to")) : "+";
    String start = query.containsKey("from") ? String.valueOf(millis(query.getString("from"), "from")) : "-";
    JsonArray entries = new JsonArray();
    return scan(query, start, end, limit, entries, 0).map(next -> {
      JsonObject reply = new JsonObject().put("entries", entries);
      if (next != null) {
        reply.put("nextCursor", next);
      }
      return reply;
    });
  }

  /** Reads batches backwards until the page is full, the range is exhausted or enough was read; the next cursor. */
  private Future<String> scan(JsonObject query, String start, String end, int limit, JsonArray out, int scanned) {
    return db.send(Command.XREVRANGE, KEY, end, start, "COUNT", BATCH).compose(r -> {
      String last = null;
      int n = r == null ? 0 : r.size();
      for (int i = 0; i < n; i++) {
        Response item = r.get(i);
        last = item.get(0).toString();
        JsonObject entry = entry(last, item.get(1));
        if (matches(entry, query)) {
          out.add(entry);
          if (out.size() == limit) {
            return Future.succeededFuture(i == n - 1 && n < BATCH ? null : last);
          }
        }
      }
      if (n < BATCH) {
        return Future.succeededFuture((String) null);
      }
      if (scanned + n >= MAX_SCAN) {
        return Future.succeededFuture(last);
      }
      return scan(query, start, "(" + last, limit, out, scanned + n);
    });
  }

  private static JsonObject entry(String id, Response fields) {
    JsonObject entry = new JsonObject().put("id", id);
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      String name = fields.get(i).toString();
      String value = fields.get(i + 1).toString();
      entry.put(name, name.equals("details") ? new JsonObject(value) : value);
    }
    return entry;
  }

  private static boolean matches(JsonObject entry, JsonObject query) {
    String action = query.getString("action");
    if (action != null) {
      String a = entry.getString("action", "");
      if (action.endsWith(".") ? !a.startsWith(action) : !a.equals(action)) {
        return false;
      }
    }
    String actor = query.getString("actor");
    if (actor != null && !actor.equals(entry.getString("actor"))) {
      return false;
    }
    String target = query.getString("target");
    return target == null || target.equals(entry.getString("target"));
  }

  private static long millis(String instant, String field) {
    try {
      return Instant.parse(instant).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw RelaisException.badRequest("data." + field + ": expected an instant such as 2026-03-02T09:00:00Z");
    }
  }
}
