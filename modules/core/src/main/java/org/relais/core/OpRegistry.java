package org.relais.core;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dispatch table: every op registered once, by name, and reached the same way from the WebSocket and
 * from {@code POST /api/ops/{op}}. Filled at start-up by each module's {@code XxxOps}, read-only afterwards.
 */
public final class OpRegistry {
  private final Map<String, Op> ops = new TreeMap<>();

  public OpRegistry register(String name, Schema schema, OpHandler handler) {
    return register(name, schema, handler, 1);
  }

  public OpRegistry register(String name, Schema schema, OpHandler handler, int cost) {
    if (ops.putIfAbsent(name, new Op(name, schema, handler, cost)) != null) {
      throw new IllegalStateException("op registered twice: " + name);
    }
    return this;
  }

  /** The op, or null. */
  public Op find(String name) {
    return ops.get(name);
  }

  public Map<String, Op> all() {
    return Collections.unmodifiableMap(ops);
  }
}
