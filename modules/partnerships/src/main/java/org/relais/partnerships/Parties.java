package org.relais.partnerships;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.core.Role;
import org.relais.identity.IdentityService;
import org.relais.identity.User;
import org.relais.identity.UserStatus;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who is who for a request, through the identity service: who may act for a side, who may take part in the
 * conversation, and who hears about each step.
 */
final class Parties {
  /** Reads the directory as an ordinary member would: disabled people are not listed. */
  private static final Principal READER = new Principal("partnerships", "", EnumSet.of(Role.MEMBER), "", "en");
  /** People of one organisation read at once; the network's organisations are far smaller. */
  private static final long ORG_PEOPLE_MAX = 10_000;
  private static final Set<String> ACTING_ROLES = Set.of(Role.ORG_ADMIN.wire(), Role.COORDINATOR.wire(),
      Role.ADMIN.wire());

  private final IdentityService identity;

  Parties(IdentityService identity) {
    this.identity = identity;
  }

  /**
   * Whether {@code p} acts for their own organisation in partnerships: its org-admins and coordinators, and a network
   * admin for the organisation they belong to.
   */
  static boolean actsForOwnOrg(Principal p) {
    return p.isAdmin() || p.isCoordinator() || p.roles().contains(Role.ORG_ADMIN);
  }

  /** The side {@code p} acts for on this request, or null. */
  static PartnershipRequest.Side actingSide(Principal p, PartnershipRequest r) {
    return actsForOwnOrg(p) ? r.sideOf(p.orgId()) : null;
  }

  /** Members of either organisation, and network admins, see the request. */
  static boolean sees(Principal p, PartnershipRequest r) {
    return p.isAdmin() || r.sideOf(p.orgId()) != null;
  }

  /** The conversation (comments) is for the authorised people of both sides and for network admins. */
  static boolean readsConversation(Principal p, PartnershipRequest r) {
    return p.isAdmin() || takesPart(p, r);
  }

  /** The authorised people of both sides: they may comment. A network admin of a third organisation only reads. */
  static boolean takesPart(Principal p, PartnershipRequest r) {
    return actingSide(p, r) != null || (r.sideOf(p.orgId()) != null && r.focalPoints().contains(p.userId()));
  }

  /** Fails with {@code not_found} unless the organisation exists. */
  Future<Void> requireOrg(String orgId) {
    return identity.getOrg(READER, orgId).mapEmpty();
  }

  /**
   * Checks that every person named for a side exists, is not disabled and belongs to that side's organisation;
   * fails with {@code bad_request} naming the first that does not.
   */
  Future<Void> checkFocalPoints(Terms terms, String fromOrgId, String toOrgId) {
    Set<String> all = new LinkedHashSet<>(terms.focalFrom());
    all.addAll(terms.focalTo());
    if (all.isEmpty()) {
      return Future.succeededFuture();
    }
    return identity.usersById(all).compose(found -> {
      RelaisException wrong = firstWrong(found, terms.focalFrom(), fromOrgId, "data.focalPoints.from",
          "the requesting organisation");
      if (wrong == null) {
        wrong = firstWrong(found, terms.focalTo(), toOrgId, "data.focalPoints.to", "the receiving organisation");
      }
      return wrong == null ? Future.succeededFuture() : Future.failedFuture(wrong);
    });
  }

  private static RelaisException firstWrong(Map<String, User> found, List<String> people, String orgId, String path,
                                            String which) {
    for (int i = 0; i < people.size(); i++) {
      User u = found.get(people.get(i));
      if (u == null || u.status() == UserStatus.DISABLED) {
        return RelaisException.badRequest(path + "[" + i + "]: no such person");
      }
      if (!u.orgId().equals(orgId)) {
        return RelaisException.badRequest(path + "[" + i + "]: not a person of " + which);
      }
    }
    return null;
  }

  /**
   * The authorised people of a request, who hear about each step: the org-admins and coordinators (and network admins)
   * of both organisations, and its named focal points; never anyone disabled, never anyone of another organisation.
   */
  Future<List<String>> authorised(PartnershipRequest r) {
    Future<JsonObject> from = orgPeople(r.fromOrgId());
    Future<JsonObject> to = orgPeople(r.toOrgId());
    Future<Map<String, User>> focal = identity.usersById(r.focalPoints());
    return Future.all(from, to, focal).map(all -> {
      Set<String> people = new LinkedHashSet<>();
      actingPeople(from.result(), people);
      actingPeople(to.result(), people);
      focal.result().values().forEach(u -> {
        if (u.status() != UserStatus.DISABLED && r.sideOf(u.orgId()) != null) {
          people.add(u.id());
        }
      });
      return new ArrayList<>(people);
    });
  }

  private Future<JsonObject> orgPeople(String orgId) {
    return identity.search(READER, new JsonObject().put("orgId", orgId).put("limit", ORG_PEOPLE_MAX));
  }

  private static void actingPeople(JsonObject page, Collection<String> into) {
    for (Object o : page.getJsonArray("users")) {
      JsonObject u = (JsonObject) o;
      for (Object role : u.getJsonArray("roles")) {
        if (ACTING_ROLES.contains((String) role)) {
          into.add(u.getString("id"));
          break;
        }
      }
    }
  }
}
