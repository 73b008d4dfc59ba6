package org.relais.partnerships;

import org.relais.core.OpRegistry;
import org.relais.core.Schema;

import java.util.regex.Pattern;

/** Registers the partnership ops in the dispatch table, each with the shape of its {@code data}. */
public final class PartnershipOps {
  /** People one side names as focal points. */
  static final int MAX_FOCAL_POINTS = 20;
  private static final Schema REQUEST_ID = Schema.id();
  private static final Schema PURPOSE = Schema.text(2_000).trim().minLength(1);
  private static final Schema NOTE = Schema.text(1_000).trim();
  private static final Schema VERSION = Schema.integer(1, Schema.MAX_SAFE_INTEGER);
  private static final Schema CURSOR = Schema.string().pattern(Pattern.compile("[0-9]{15}:[0-9A-HJKMNP-TV-Z]{26}"),
      "a nextCursor from a previous page");

  private PartnershipOps() {
  }

  public static void register(OpRegistry ops, PartnershipService partnerships) {
    ops.register("partnership.request", Schema.object()
            .required("toOrgId", Schema.id())
            .required("purpose", PURPOSE)
            .required("themes", themes())
            .optional("jointAction", JointAction.SCHEMA)
            .required("focalPoints", Schema.object()
                .required("from", people(1))
                .optional("to", people(0)))
            .optional("note", NOTE),
        partnerships::request, 3);

    ops.register("partnership.list", Schema.object()
            .optional("box", Schema.oneOf("incoming", "outgoing", "all"))
            .optional("orgId", Schema.id())
            .optional("states", Schema.array(Schema.oneOf(PartnershipState.wireNames()))
                .maxItems(PartnershipState.values().length).unique())
            .optional("theme", Schema.oneOf(Theme.wireNames()))
            .optional("limit", Schema.integer(1, 100))
            .optional("cursor", CURSOR),
        partnerships::list, 2);

    ops.register("partnership.get", Schema.object().required("requestId", REQUEST_ID),
        (p, d) -> partnerships.get(p, d.getString("requestId")));

    ops.register("partnership.accept", answer(), partnerships::accept, 2);
    ops.register("partnership.decline", answer(), partnerships::decline);
    ops.register("partnership.withdraw", answer(), partnerships::withdraw);
    ops.register("partnership.end", answer(), partnerships::end);

    ops.register("partnership.counter", answer()
            .optional("purpose", PURPOSE)
            .optional("themes", themes())
            .optional("jointAction", JointAction.SCHEMA)
            .optional("focalPoints", Schema.object()
                .optional("from", people(1))
                .optional("to", people(0))),
        partnerships::counter, 2);

    ops.register("partnership.comment", Schema.object()
            .required("requestId", REQUEST_ID)
            .required("text", Schema.text(4_000).trim().minLength(1)),
        partnerships::comment);
  }

  /** The data of a transition: {@code {"requestId", "note"?, "version"?}}. */
  private static Schema.ObjectSchema answer() {
    return Schema.object()
        .required("requestId", REQUEST_ID)
        .optional("note", NOTE)
        .optional("version", VERSION);
  }

  private static Schema themes() {
    return Schema.array(Schema.oneOf(Theme.wireNames())).minItems(1).maxItems(Theme.values().length).unique();
  }

  private static Schema people(int min) {
    return Schema.array(Schema.id()).minItems(min).maxItems(MAX_FOCAL_POINTS).unique();
  }
}
