package org.relais.identity;

import io.vertx.core.json.JsonObject;
import org.relais.core.OpRegistry;
import org.relais.core.Role;
import org.relais.core.Schema;

import java.util.List;

/** Registers the identity ops in the dispatch table, each with the shape of its {@code data}. */
public final class IdentityOps {
  private static final Schema COUNTRY = Schema.string().pattern(java.util.regex.Pattern.compile("[A-Z]{2}"),
      "an ISO 3166-1 alpha-2 code such as ML");
  private static final Schema TIME_ZONE = Schema.string().maxLength(64).pattern(
      java.util.regex.Pattern.compile("[A-Za-z0-9_+\\-/]+"), "an IANA time zone such as Africa/Bamako");
  private static final Schema LOCALE = Schema.oneOf(Directory.LOCALES);
  private static final Schema DISPLAY_NAME = Schema.name(80);
  private static final Schema TITLE = Schema.name(120).minLength(0);
  private static final Schema ORG_NAME = Schema.name(160);
  private static final Schema SHORT_NAME = Schema.name(24);
  private static final Schema ROLES = Schema.array(Schema.oneOf(Role.wireNames())).maxItems(4).unique();
  private static final Schema EMPTY = Schema.object();

  private IdentityOps() {
  }

  public static void register(OpRegistry ops, IdentityService identity) {
    ops.register("user.me", EMPTY, (p, d) -> identity.me(p));

    ops.register("user.update", Schema.object()
            .optional("displayName", DISPLAY_NAME)
            .optional("title", TITLE)
            .optional("locale", LOCALE)
            .optional("timeZone", TIME_ZONE)
            .optional("workingHours", WorkingHours.SCHEMA),
        identity::updateMe);

    ops.register("user.get", Schema.object().required("userId", Schema.id()),
        (p, d) -> identity.getUser(p, d.getString("userId")));

    ops.register("user.search", Schema.object()
            .optional("query", Schema.string().maxLength(80))
            .optional("orgId", Schema.id())
            .optional("country", COUNTRY)
            .optional("role", Schema.oneOf(Role.wireNames()))
            .optional("limit", Schema.integer(1, 100))
            .optional("offset", Schema.integer(0, 100_000)),
        identity::search, 2);

    ops.register("org.list", Schema.object()
            .optional("country", COUNTRY)
            .optional("kind", Schema.oneOf(OrgKind.wireNames())),
        identity::listOrgs);

    ops.register("org.get", Schema.object().required("orgId", Schema.id()),
        (p, d) -> identity.getOrg(p, d.getString("orgId")));

    ops.register("org.create", Schema.object()
            .required("name", ORG_NAME)
            .required("shortName", SHORT_NAME)
            .required("country", COUNTRY)
            .required("kind", Schema.oneOf(OrgKind.wireNames())),
        identity::createOrg);

    ops.register("org.update", Schema.object()
            .required("orgId", Schema.id())
            .optional("name", ORG_NAME)
            .optional("shortName", SHORT_NAME)
            .optional("country", COUNTRY)
            .optional("kind", Schema.oneOf(OrgKind.wireNames())),
        identity::updateOrg);

    ops.register("user.invite", Schema.object()
            .required("email", Schema.email())
            .required("displayName", DISPLAY_NAME)
            .required("orgId", Schema.id())
            .optional("roles", ROLES)
            .optional("title", TITLE)
            .optional("country", COUNTRY)
            .optional("locale", LOCALE)
            .optional("timeZone", TIME_ZONE),
        identity::invite, 5);

    ops.register("user.setRoles", Schema.object()
            .required("userId", Schema.id())
            .required("roles", ROLES),
        (p, d) -> identity.setRoles(p, d.getString("userId"), strings(d)));

    ops.register("user.disable", Schema.object()
            .required("userId", Schema.id())
            .optional("disabled", Schema.bool()),
        (p, d) -> identity.setDisabled(p, d.getString("userId"), d.getBoolean("disabled", true)));
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(JsonObject d) {
    return (List<String>) (List<?>) d.getJsonArray("roles").getList();
  }
}
