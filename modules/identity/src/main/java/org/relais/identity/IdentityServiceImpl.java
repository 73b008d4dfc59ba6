package org.relais.identity;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.relais.core.AuditEntry;
import org.relais.core.AuditSink;
import org.relais.core.EventSink;
import org.relais.core.Ids;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.core.Role;
import org.relais.redis.RedisDb;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

final class IdentityServiceImpl implements IdentityService {
  private static final int SEARCH_CANDIDATES = 2_000;

  private final RedisDb db;
  private final IdentityStore store;
  private final AuthService auth;
  private final EventSink events;
  private final String inviteLinkBase;
  private final long inviteTtlSeconds;
  private volatile PartnerLookup partners = orgId -> Future.succeededFuture(List.of());
  private volatile AuditSink audit = AuditSink.NONE;

  IdentityServiceImpl(RedisDb db, AuthService auth, EventSink events, String inviteLinkBase, long inviteTtlSeconds) {
    this.db = db;
    this.store = new IdentityStore(db);
    this.auth = auth;
    this.events = events;
    this.inviteLinkBase = inviteLinkBase;
    this.inviteTtlSeconds = inviteTtlSeconds;
  }

  @Override
  public Future<JsonObject> me(Principal principal) {
    return requireUser(principal.userId()).compose(user -> store.org(user.orgId()).map(org -> new JsonObject()
        .put("user", user.toJson())
        .put("org", org.map(Org::toJson).orElse(null))));
  }

  @Override
  public Future<JsonObject> updateMe(Principal principal, JsonObject changes) {
    return requireUser(principal.userId()).compose(user -> {
      Map<String, String> fields = new HashMap<>();
      String displayName = changes.getString("displayName", user.displayName());
      String title = changes.getString("title", user.title());
      String locale = changes.getString("locale", user.locale());
      String timeZone = changes.getString("timeZone", user.timeZone());
      if (!Directory.ZONES.contains(timeZone)) {
        return Future.failedFuture(RelaisException.badRequest("data.timeZone: expected an IANA time zone such as Africa/Bamako"));
      }
      WorkingHours hours = changes.containsKey("workingHours")
          ? WorkingHours.fromJson(changes.getJsonObject("workingHours")) : user.workingHours();
      String now = Instant.now().toString();
      fields.put("displayName", displayName);
      fields.put("title", title);
      fields.put("locale", locale);
      fields.put("timeZone", timeZone);
      fields.put("workingHours", hours.toJson().encode());
      fields.put("updatedAt", now);
      User updated = new User(user.id(), user.email(), displayName, title, user.orgId(), user.country(), locale,
          timeZone, hours, user.roles(), user.status(), user.passwordHash(), user.createdAt(), now);
      return store.updateUser(updated, !displayName.equals(user.displayName()), fields)
          .compose(ok -> announce(updated));
    });
  }

  @Override
  public Future<JsonObject> getUser(Principal principal, String userId) {
    return requireUser(userId).map(user -> new JsonObject().put("user", user.toJson()));
  }

  @Override
  public Future<JsonObject> search(Principal principal, JsonObject q) {
    String query = q.getString("query", "");
    String orgId = q.getString("orgId");
    String country = q.getString("country");
    Role role = q.containsKey("role") ? Role.fromWire(q.getString("role")) : null;
    int limit = q.getLong("limit", 50L).intValue();
    int offset = q.getLong("offset", 0L).intValue();
    boolean includeDisabled = principal.isAdmin() || (orgId != null && principal.canAdminOrg(orgId));
    List<String> words = Directory.tokens(query);

    Future<List<String>> candidates;
    if (!words.isEmpty()) {
      String longest = words.stream().max(Comparator.comparingInt(String::length)).orElseThrow();
      candidates = store.userIdsByNamePrefix(longest, SEARCH_CANDIDATES);
    } else if (orgId != null) {
      candidates = store.orgUserIds(orgId);
    } else {
      candidates = store.allUserIds();
    }
    return candidates.compose(store::users).map(users -> {
      List<Ranked> matches = new ArrayList<>();
      for (User u : users) {
        if ((orgId == null || orgId.equals(u.orgId()))
            && (country == null || country.equals(u.country()))
            && (role == null || u.roles().contains(role))
            && (includeDisabled || u.status() != UserStatus.DISABLED)
            && matchesAll(u, words)) {
          matches.add(new Ranked(Directory.tokens(u.displayName()).toString(), u));
        }
      }
      matches.sort(Comparator.comparing(Ranked::key).thenComparing(r -> r.user().id()));
      JsonArray page = new JsonArray();
      for (int i = offset; i < Math.min(matches.size(), offset + limit); i++) {
        page.add(matches.get(i).user().toJson());
      }
      JsonObject reply = new JsonObject().put("users", page).put("total", matches.size());
      if (offset + limit < matches.size()) {
        reply.put("nextOffset", offset + limit);
      }
      return reply;
    });
  }

  /** A user with their sort key in the directory, computed once. */
  private record Ranked(String key, User user) {
  }

  private static boolean matchesAll(User u, List<String> words) {
    if (words.isEmpty()) {
      return true;
    }
    List<String> tokens = Directory.tokens(u.displayName());
    tokens.add(u.email().toLowerCase(Locale.ROOT));
    for (String w : words) {
      if (tokens.stream().noneMatch(t -> t.startsWith(w))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public Future<JsonObject> listOrgs(Principal principal, JsonObject filter) {
    String country = filter.getString("country");
    String kind = filter.getString("kind");
    return store.orgs().compose(orgs -> {
      List<Org> selected = new ArrayList<>();
      for (Org o : orgs) {
        if ((country == null || country.equals(o.country())) && (kind == null || kind.equals(o.kind().wire()))) {
          selected.add(o);
        }
      }
      selected.sort(Comparator.comparing((Org o) -> o.name().toLowerCase(Locale.ROOT)));
      List<Future<Long>> counts = new ArrayList<>();
      for (Org o : selected) {
        counts.add(store.orgUserCount(o.id()));
      }
      return Future.all(counts).map(all -> {
        JsonArray out = new JsonArray();
        for (int i = 0; i < selected.size(); i++) {
          out.add(selected.get(i).toJson().put("memberCount", counts.get(i).result()));
        }
        return new JsonObject().put("orgs", out);
      });
    });
  }

  @Override
  public Future<JsonObject> getOrg(Principal principal, String orgId) {
    PartnerLookup lookup = partners;
    return requireOrg(orgId).compose(org -> store.orgUserCount(orgId)
        .compose(count -> lookup.partnersOf(orgId).compose(ids -> store.orgs().map(all -> {
          JsonArray listed = new JsonArray();
          for (Org o : all) {
            if (ids.contains(o.id())) {
              listed.add(new JsonObject().put("id", o.id()).put("name", o.name()).put("shortName", o.shortName())
                  .put("country", o.country()).put("kind", o.kind().wire()));
            }
          }
          return new JsonObject().put("org", org.toJson().put("memberCount", count).put("partners", listed));
        }))));
  }

  @Override
  public void partnersFrom(PartnerLookup lookup) {
    this.partners = lookup;
  }

  @Override
  public void auditTo(AuditSink sink) {
    this.audit = sink;
  }

  @Override
  public Future<JsonObject> createOrg(Principal principal, JsonObject data) {
    if (!principal.isAdmin()) {
      return Future.failedFuture(RelaisException.forbidden("Only network admins create organisations"));
    }
    String country = data.getString("country");
    if (!Directory.COUNTRIES.contains(country)) {
      return Future.failedFuture(RelaisException.badRequest("data.country: expected an ISO 3166-1 alpha-2 code such as ML"));
    }
    return createOrgUnchecked(data.getString("name"), data.getString("shortName"), country,
        OrgKind.fromWire(data.getString("kind")))
        .compose(org -> audit.record(AuditEntry.by(principal, "org.create", org.id(), org.id())).map(org))
        .map(org -> new JsonObject().put("org", org.toJson()));
  }

  @Override
  public Future<Org> createOrgUnchecked(String name, String shortName, String country, OrgKind kind) {
    String now = Instant.now().toString();
    Org org = new Org(Ids.newId(), name, shortName, country, kind, now, now);
    return store.saveOrg(org).map(org);
  }

  @Override
  public Future<JsonObject> updateOrg(Principal principal, JsonObject data) {
    if (!principal.isAdmin()) {
      return Future.failedFuture(RelaisException.forbidden("Only network admins change organisations"));
    }
    String country = data.getString("country");
    if (country != null && !Directory.COUNTRIES.contains(country)) {
      return Future.failedFuture(RelaisException.badRequest("data.country: expected an ISO 3166-1 alpha-2 code such as ML"));
    }
    return requireOrg(data.getString("orgId")).compose(org -> {
      Org updated = new Org(org.id(), data.getString("name", org.name()), data.getString("shortName", org.shortName()),
          data.getString("country", org.country()),
          data.containsKey("kind") ? OrgKind.fromWire(data.getString("kind")) : org.kind(),
          org.createdAt(), Instant.now().toString());
      return store.saveOrg(updated)
          .compose(v -> audit.record(AuditEntry.by(principal, "org.update", org.id(), org.id())
              .with("fields", String.join(",", new java.util.TreeSet<>(data.copy().fieldNames()).stream()
                  .filter(f -> !f.equals("orgId")).toList()))))
          .map(v -> new JsonObject().put("org", updated.toJson()));
    });
  }

  @Override
  public Future<JsonObject> invite(Principal principal, JsonObject data) {
    String orgId = data.getString("orgId");
    if (!principal.canAdminOrg(orgId)) {
      return Future.failedFuture(RelaisException.forbidden("Only an admin, or an org-admin of that organisation, may invite into it"));
    }
    Set<Role> roles;
    try {
      roles = grantableRoles(principal, data.getJsonArray("roles", new JsonArray()).getList());
    } catch (RelaisException e) {
      return Future.failedFuture(e);
    }
    String email = data.getString("email");
    return requireOrg(orgId).compose(org -> requireUser(principal.userId()).compose(inviter -> {
      String timeZone = data.getString("timeZone",
          org.country().equals(inviter.country()) ? inviter.timeZone() : "UTC");
      if (!Directory.ZONES.contains(timeZone)) {
        return Future.failedFuture(RelaisException.badRequest("data.timeZone: expected an IANA time zone such as Africa/Bamako"));
      }
      String country = data.getString("country", org.country());
      if (!Directory.COUNTRIES.contains(country)) {
        return Future.failedFuture(RelaisException.badRequest("data.country: expected an ISO 3166-1 alpha-2 code such as ML"));
      }
      return store.userByEmail(email).compose(existing -> {
        if (existing.isPresent() && existing.get().status() != UserStatus.INVITED) {
          return Future.failedFuture(RelaisException.conflict("A user with this email already exists"));
        }
        if (existing.isPresent()) {
          // Re-issuing an invitation is managing that account: only for someone who may manage it, and
          // never a way to move it to another organisation or to gain its roles.
          User pending = existing.get();
          boolean mayManage = principal.canAdminOrg(pending.orgId())
              && (principal.isAdmin() || !pending.roles().contains(Role.ADMIN));
          if (!mayManage || !pending.orgId().equals(orgId)) {
            return Future.failedFuture(RelaisException.conflict("A user with this email already exists"));
          }
          return issueInvite(pending).compose(reply -> invited(principal, pending, reply));
        }
        String now = Instant.now().toString();
        User user = new User(Ids.newId(), email, data.getString("displayName"), data.getString("title", ""), orgId,
            country, data.getString("locale", inviter.locale()), timeZone, WorkingHours.DEFAULT, roles,
            UserStatus.INVITED, null, now, now);
        return store.createUser(user).compose(created -> created.isPresent()
            ? issueInvite(user).compose(reply -> invited(principal, user, reply))
            : Future.failedFuture(RelaisException.conflict("A user with this email already exists")));
      });
    }));
  }

  private Future<JsonObject> invited(Principal principal, User user, JsonObject reply) {
    return audit.record(AuditEntry.by(principal, "user.invite", user.id(), user.orgId())
        .with("roles", Role.toList(user.roles()))).map(reply);
  }

  private Future<JsonObject> issueInvite(User user) {
    String token = Ids.newSecret();
    Instant expiresAt = Instant.now().plusSeconds(inviteTtlSeconds);
    String key = IdentityKeys.invite(Ids.sha256Hex(token));
    // A new invitation replaces the previous one: only the latest token works.
    return db.send(Command.HGET, IdentityKeys.user(user.id()), "inviteKey")
        .compose(previous -> {
          List<Request> writes = new ArrayList<>();
          if (previous != null) {
            writes.add(Request.cmd(Command.DEL).arg(previous.toString()));
          }
          writes.add(Request.cmd(Command.SET).arg(key).arg(user.id()).arg("EX").arg(inviteTtlSeconds));
          writes.add(Request.cmd(Command.HSET).arg(IdentityKeys.user(user.id())).arg("inviteKey").arg(key));
          return db.batch(writes);
        })
        .map(v -> {
          JsonObject reply = new JsonObject()
              .put("inviteToken", token)
              .put("expiresAt", expiresAt.toString())
              .put("user", user.toJson());
          if (inviteLinkBase != null) {
            reply.put("inviteUrl", inviteLinkBase + "/#/invite/" + token);
          }
          return reply;
        });
  }

  private static Set<Role> grantableRoles(Principal principal, List<?> requested) {
    Set<Role> roles = EnumSet.of(Role.MEMBER);
    for (Object r : requested) {
      roles.add(Role.fromWire((String) r));
    }
    if (roles.contains(Role.ADMIN) && !principal.isAdmin()) {
      throw RelaisException.forbidden("Only network admins grant the admin role");
    }
    return roles;
  }

  @Override
  public Future<JsonObject> setRoles(Principal principal, String userId, List<String> requested) {
    return requireUser(userId).compose(user -> {
      if (!principal.canAdminOrg(user.orgId())) {
        return Future.failedFuture(RelaisException.forbidden("Only an admin, or an org-admin of their organisation, may change roles"));
      }
      Set<Role> roles = grantableRoles(principal, new ArrayList<>(new LinkedHashSet<>(requested)));
      if (!principal.isAdmin() && user.roles().contains(Role.ADMIN)) {
        return Future.failedFuture(RelaisException.forbidden("Only network admins change the roles of a network admin"));
      }
      if (userId.equals(principal.userId()) && principal.isAdmin() && !roles.contains(Role.ADMIN)) {
        return Future.failedFuture(RelaisException.forbidden("You cannot remove your own admin role"));
      }
      String now = Instant.now().toString();
      User updated = new User(user.id(), user.email(), user.displayName(), user.title(), user.orgId(), user.country(),
          user.locale(), user.timeZone(), user.workingHours(), roles, user.status(), user.passwordHash(),
          user.createdAt(), now);
      return store.updateUser(updated, false, Map.of("roles", Role.toList(roles), "updatedAt", now))
          .compose(ok -> audit.record(AuditEntry.by(principal, "user.roles", userId, user.orgId())
              .with("before", Role.toList(user.roles())).with("after", Role.toList(roles))))
          .compose(ok -> announce(updated));
    });
  }

  @Override
  public Future<JsonObject> setDisabled(Principal principal, String userId, boolean disabled) {
    return requireUser(userId).compose(user -> {
      if (!principal.canAdminOrg(user.orgId())) {
        return Future.failedFuture(RelaisException.forbidden("Only an admin, or an org-admin of their organisation, may disable a user"));
      }
      if (!principal.isAdmin() && user.roles().contains(Role.ADMIN)) {
        return Future.failedFuture(RelaisException.forbidden("Only network admins disable a network admin"));
      }
      if (userId.equals(principal.userId())) {
        return Future.failedFuture(RelaisException.forbidden("You cannot disable yourself"));
      }
      String now = Instant.now().toString();
      return store.setDisabled(userId, disabled, principal.isAdmin(), now)
          .compose(IdentityServiceImpl::disabledStatus)
          .compose(status -> disabled ? auth.revokeSession(userId, null).map(status) : Future.succeededFuture(status))
          .compose(status -> audit.record(AuditEntry.by(principal, disabled ? "user.disable" : "user.enable", userId,
              user.orgId()).with("status", status.wire())).map(status))
          .compose(status -> announce(new User(user.id(), user.email(), user.displayName(), user.title(),
              user.orgId(), user.country(), user.locale(), user.timeZone(), user.workingHours(), user.roles(), status,
              user.passwordHash(), user.createdAt(), now)));
    });
  }

  private static Future<UserStatus> disabledStatus(IdentityStore.Disabled outcome) {
    return switch (outcome.outcome()) {
      case DONE -> Future.succeededFuture(outcome.status());
      case FORBIDDEN -> Future.failedFuture(RelaisException.forbidden(
          "Only network admins re-enable a user a network admin disabled"));
      case MISSING -> Future.failedFuture(RelaisException.notFound("No such user"));
    };
  }

  @Override
  public Future<Map<String, User>> usersById(java.util.Collection<String> userIds) {
    return store.users(userIds).map(users -> {
      Map<String, User> byId = new HashMap<>();
      users.forEach(u -> byId.put(u.id(), u));
      return byId;
    });
  }

  /** Tells the user's own sessions and every node that the user changed. */
  private Future<JsonObject> announce(User updated) {
    JsonObject data = new JsonObject().put("user", updated.toJson());
    return events.userChanged(updated.id())
        .compose(v -> events.toUsers(List.of(updated.id()), "user.updated", data))
        .map(data);
  }

  private Future<User> requireUser(String userId) {
    return store.user(userId).compose(u -> u.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(RelaisException.notFound("No such user"))));
  }

  private Future<Org> requireOrg(String orgId) {
    return store.org(orgId).compose((Optional<Org> o) -> o.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(RelaisException.notFound("No such organisation"))));
  }
}
