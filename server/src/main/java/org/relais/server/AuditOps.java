package org.relais.server;

import org.relais.core.OpRegistry;
import org.relais.core.Schema;

import java.util.regex.Pattern;

/** Registers {@code audit.list}: the audit log, for network admins. */
final class AuditOps {
  private static final Schema INSTANT = Schema.string().maxLength(40).singleLine();
  private static final Schema CURSOR = Schema.string().pattern(Pattern.compile("[0-9]{1,15}-[0-9]{1,10}"),
      "a nextCursor from a previous page");

  private AuditOps() {
  }

  static void register(OpRegistry ops, AuditLog audit) {
    ops.register("audit.list", Schema.object()
            .optional("action", Schema.string().minLength(1).maxLength(64).singleLine())
            .optional("actor", Schema.id())
            .optional("target", Schema.string().minLength(1).maxLength(64).singleLine())
            .optional("from", INSTANT)
            .optional("to", INSTANT)
            .optional("limit", Schema.integer(1, 200))
            .optional("cursor", CURSOR),
        audit::list, 3);
  }
}
