package org.relais.identity;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.relais.core.Role;
import org.relais.redis.LuaScript;
import org.relais.redis.RedisDb;
import org.relais.redis.Responses;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Organisations and users in Redis. Knows keys and scripts, not rules: callers check before they write. */
final class IdentityStore {
  private static final LuaScript CREATE_USER = LuaScript.load(IdentityStore.class, "identity_create_user");
  private static final LuaScript UPDATE_USER = LuaScript.load(IdentityStore.class, "identity_update_user");
  private static final LuaScript SET_DISABLED = LuaScript.load(IdentityStore.class, "identity_set_disabled");
  /**
   * Users read per round trip. One batch queues one waiting handler per command in the Redis client, whose queue is
   * bounded: reading a whole large directory at once would fail.
   */
  private static final int READ_CHUNK = 500;

  private final RedisDb db;

  IdentityStore(RedisDb db) {
    this.db = db;
  }

  Future<Void> saveOrg(Org org) {
    return db.batch(List.of(
        Request.cmd(Command.HSET).arg(IdentityKeys.org(org.id()))
            .arg("id").arg(org.id()).arg("name").arg(org.name()).arg("shortName").arg(org.shortName())
            .arg("country").arg(org.country()).arg("kind").arg(org.kind().wire())
            .arg("createdAt").arg(org.createdAt()).arg("updatedAt").arg(org.updatedAt()),
        Request.cmd(Command.SADD).arg(IdentityKeys.orgs()).arg(org.id()))).mapEmpty();
  }

  Future<Optional<Org>> org(String orgId) {
    return db.send(Command.HGETALL, IdentityKeys.org(orgId)).map(r -> {
      Map<String, String> h = Responses.toMap(r);
      return h.isEmpty() ? Optional.empty() : Optional.of(Org.fromHash(h));
    });
  }

  Future<List<Org>> orgs() {
    return db.send(Command.SMEMBERS, IdentityKeys.orgs()).compose(r -> {
      List<Request> reads = new ArrayList<>();
      for (String id : Responses.toList(r)) {
        reads.add(Request.cmd(Command.HGETALL).arg(IdentityKeys.org(id)));
      }
      return db.batch(reads);
    }).map(replies -> {
      List<Org> orgs = new ArrayList<>();
      for (Response reply : replies) {
        Map<String, String> h = Responses.toMap(reply);
        if (!h.isEmpty()) {
          orgs.add(Org.fromHash(h));
        }
      }
      return orgs;
    });
  }

  Future<Long> orgUserCount(String orgId) {
    return db.send(Command.SCARD, IdentityKeys.orgUsers(orgId)).map(Responses::num);
  }

  /**
   * Creates the user unless the email is taken.
   *
   * @return the new user's id, or empty with the existing id's owner left as is
   */
  Future<Optional<String>> createUser(User user) {
    List<String> entries = Directory.nameEntries(user.id(), user.displayName(), user.email());
    List<String> args = new ArrayList<>();
    args.add(user.email().toLowerCase(Locale.ROOT));
    args.add(user.id());
    args.add(String.valueOf(entries.size()));
    args.addAll(entries);
    args.addAll(userFields(user));
    args.add("nameIndex");
    args.add(String.join("\n", entries));
    return db.eval(CREATE_USER, List.of(IdentityKeys.emails(), IdentityKeys.user(user.id()), IdentityKeys.users(),
            IdentityKeys.orgUsers(user.orgId()), IdentityKeys.names()), args)
        .map(r -> r.get(0).toInteger() == 1 ? Optional.of(user.id()) : Optional.empty());
  }

  /** Writes the given fields; a changed display name re-indexes the user in the directory. */
  Future<Boolean> updateUser(User user, boolean nameChanged, Map<String, String> fields) {
    List<String> args = new ArrayList<>();
    if (nameChanged) {
      List<String> entries = Directory.nameEntries(user.id(), user.displayName(), user.email());
      args.add(String.valueOf(entries.size()));
      args.addAll(entries);
    } else {
      args.add("0");
    }
    fields.forEach((k, v) -> {
      args.add(k);
      args.add(v);
    });
    return db.eval(UPDATE_USER, List.of(IdentityKeys.user(user.id()), IdentityKeys.names()), args)
        .map(r -> r.toInteger() == 1);
  }

  Future<Optional<User>> user(String userId) {
    return db.send(Command.HGETALL, IdentityKeys.user(userId)).map(r -> {
      Map<String, String> h = Responses.toMap(r);
      return h.isEmpty() ? Optional.empty() : Optional.of(User.fromHash(h));
    });
  }

  Future<Optional<User>> userByEmail(String email) {
    return db.send(Command.HGET, IdentityKeys.emails(), email.toLowerCase(Locale.ROOT))
        .compose(r -> r == null ? Future.succeededFuture(Optional.empty()) : user(r.toString()));
  }

  /** The users that exist among {@code ids}, in that order, read {@value #READ_CHUNK} per round trip. */
  Future<List<User>> users(Collection<String> ids) {
    List<String> all = new ArrayList<>(ids);
    Future<List<User>> read = Future.succeededFuture(new ArrayList<>(all.size()));
    for (int from = 0; from < all.size(); from += READ_CHUNK) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + READ_CHUNK));
      read = read.compose(users -> readUsers(chunk).map(more -> {
        users.addAll(more);
        return users;
      }));
    }
    return read;
  }

  private Future<List<User>> readUsers(List<String> ids) {
    List<Request> reads = new ArrayList<>();
    for (String id : ids) {
      reads.add(Request.cmd(Command.HGETALL).arg(IdentityKeys.user(id)));
    }
    return db.batch(reads).map(replies -> {
      List<User> users = new ArrayList<>();
      for (Response reply : replies) {
        Map<String, String> h = Responses.toMap(reply);
        if (!h.isEmpty()) {
          users.add(User.fromHash(h));
        }
      }
      return users;
    });
  }

  /** What {@link #setDisabled} did. */
  enum DisableOutcome { DONE, FORBIDDEN, MISSING }

  /** The outcome of {@link #setDisabled} and the user's status afterwards (null unless done). */
  record Disabled(DisableOutcome outcome, UserStatus status) {
  }

  /**
   * Disables (deleting any pending invitation) or re-enables a user, recording whether a network admin or an
   * org-admin disabled them; an org-admin's re-enabling of a user a network admin disabled is refused.
   */
  Future<Disabled> setDisabled(String userId, boolean disabled, boolean byNetworkAdmin, String updatedAt) {
    List<String> args = List.of(disabled ? "1" : "0", byNetworkAdmin ? "admin" : "org-admin", updatedAt);
    return db.eval(SET_DISABLED, List.of(IdentityKeys.user(userId)), args).map(r -> switch (r.get(0).toString()) {
      case "ok" -> new Disabled(DisableOutcome.DONE, UserStatus.fromWire(r.get(1).toString()));
      case "forbidden" -> new Disabled(DisableOutcome.FORBIDDEN, null);
      default -> new Disabled(DisableOutcome.MISSING, null);
    });
  }

  Future<List<String>> allUserIds() {
    return db.send(Command.SMEMBERS, IdentityKeys.users()).map(Responses::toList);
  }

  Future<List<String>> orgUserIds(String orgId) {
    return db.send(Command.SMEMBERS, IdentityKeys.orgUsers(orgId)).map(Responses::toList);
  }

  /** Ids of users with a name word (or email) starting with {@code prefix}. */
  Future<List<String>> userIdsByNamePrefix(String prefix, int limit) {
    return db.send(Command.ZRANGEBYLEX, IdentityKeys.names(), "[" + prefix, "[" + prefix + Directory.LEX_MAX,
        "LIMIT", 0, limit).map(r -> {
          List<String> ids = new ArrayList<>();
          for (String entry : Responses.toList(r)) {
            String id = entry.substring(entry.lastIndexOf(':') + 1);
            if (!ids.contains(id)) {
              ids.add(id);
            }
          }
          return ids;
        });
  }

  static List<String> userFields(User u) {
    List<String> f = new ArrayList<>();
    add(f, "id", u.id());
    add(f, "email", u.email());
    add(f, "displayName", u.displayName());
    add(f, "title", u.title());
    add(f, "orgId", u.orgId());
    add(f, "country", u.country());
    add(f, "locale", u.locale());
    add(f, "timeZone", u.timeZone());
    add(f, "workingHours", u.workingHours().toJson().encode());
    add(f, "roles", Role.toList(u.roles()));
    add(f, "status", u.status().wire());
    if (u.passwordHash() != null) {
      add(f, "passwordHash", u.passwordHash());
    }
    add(f, "createdAt", u.createdAt());
    add(f, "updatedAt", u.updatedAt());
    return f;
  }

  private static void add(List<String> fields, String name, String value) {
    fields.add(name);
    fields.add(value == null ? "" : value);
  }
}
