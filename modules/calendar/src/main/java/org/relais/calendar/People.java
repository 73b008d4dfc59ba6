package org.relais.calendar;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.relais.core.ErrorCode;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.core.Role;
import org.relais.identity.IdentityService;
import org.relais.identity.User;
import org.relais.identity.UserStatus;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Who is who, through the identity service: users by id, and the people of organisations. */
final class People {
  /** Reads the directory as an ordinary member would (disabled people are not listed). */
  private static final Principal READER = new Principal("calendar", "", EnumSet.of(Role.MEMBER), "", "en");

  private final IdentityService identity;

  People(IdentityService identity) {
    this.identity = identity;
  }

  Future<Map<String, User>> users(Collection<String> userIds) {
    if (userIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return identity.usersById(userIds);
  }

  /** Users who exist and are not disabled, by id. */
  Future<Map<String, User>> activeUsers(Collection<String> userIds) {
    return users(userIds).map(found -> {
      Map<String, User> active = new LinkedHashMap<>();
      found.forEach((id, u) -> {
        if (u.status() != UserStatus.DISABLED) {
          active.put(id, u);
        }
      });
      return active;
    });
  }

  /** The ids of the people (not disabled) of these organisations, at most {@code max} in all. */
  Future<Set<String>> orgMembers(Collection<String> orgIds, int max) {
    if (orgIds.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    List<Future<JsonObject>> pages = new ArrayList<>();
    for (String orgId : new LinkedHashSet<>(orgIds)) {
      pages.add(identity.search(READER, new JsonObject().put("orgId", orgId).put("limit", (long) max)));
    }
    return Future.all(pages).map(all -> {
      Set<String> ids = new LinkedHashSet<>();
      for (Future<JsonObject> page : pages) {
        for (Object u : page.result().getJsonArray("users")) {
          if (ids.size() < max) {
            ids.add(((JsonObject) u).getString("id"));
          }
        }
      }
      return ids;
    });
  }

  /** Whether the organisation exists. */
  Future<Boolean> orgExists(String orgId) {
    return identity.getOrg(READER, orgId).map(o -> true).recover(e ->
        e instanceof RelaisException re && re.code() == ErrorCode.NOT_FOUND
            ? Future.succeededFuture(false) : Future.failedFuture(e));
  }

  /** The organisation's name, or its id when it cannot be read. */
  Future<String> orgName(String orgId) {
    return identity.getOrg(READER, orgId)
        .map(o -> o.getJsonObject("org").getString("name"))
        .recover(e -> Future.succeededFuture(orgId));
  }

  /** A principal for a user who is not calling (a feed's owner): their organisation and roles, no session. */
  static Principal principalOf(User user) {
    return new Principal(user.id(), user.orgId(), user.roles(), "", user.locale());
  }
}
