package org.relais.realtime;

import io.vertx.core.json.JsonObject;
import org.relais.core.OpRegistry;
import org.relais.core.Schema;

import java.util.List;

/** Registers the presence ops in the dispatch table, each with the shape of its {@code data}. */
public final class PresenceOps {
  private static final Schema SET = Schema.object()
      .optional("status", Schema.oneOf("online", "away", "dnd", "auto"))
      .optional("hidden", Schema.bool());
  private static final Schema GET = Schema.object()
      .required("userIds", Schema.array(Schema.id()).minItems(1).maxItems(Presence.MAX_GET).unique());

  private PresenceOps() {
  }

  public static void register(OpRegistry ops, Presence presence) {
    ops.register("presence.set", SET, presence::set);
    ops.register("presence.get", GET, (p, d) -> presence.get(p, userIds(d)));
  }

  @SuppressWarnings("unchecked")
  private static List<String> userIds(JsonObject d) {
    return (List<String>) (List<?>) d.getJsonArray("userIds").getList();
  }
}
