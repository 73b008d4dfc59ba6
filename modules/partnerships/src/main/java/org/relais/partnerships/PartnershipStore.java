package org.relais.partnerships;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.relais.core.ErrorCode;
import org.relais.core.RelaisException;
import org.relais.redis.LuaScript;
import org.relais.redis.RedisDb;
import org.relais.redis.Responses;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Partnership requests in Redis. Knows keys and scripts, not rules: the scripts check states, callers check people. */
final class PartnershipStore {
  private static final LuaScript CREATE = script("partnership_create");
  private static final LuaScript TRANSITION = script("partnership_transition");
  private static final LuaScript COMMENT = script("partnership_comment");
  private static final LuaScript EXPIRE = script("partnership_expire");
  private static final LuaScript NOTICES = script("partnership_notices");
  private static final LuaScript SPACES_CLAIM = script("partnership_spaces_claim");
  private static final LuaScript SPACES_RECORD = script("partnership_spaces_record");
  private static final LuaScript SPACES_RELEASE = script("partnership_spaces_release");
  private static final String P = PartnershipKeys.PREFIX;

  private final RedisDb db;

  PartnershipStore(RedisDb db) {
    this.db = db;
  }

  private static LuaScript script(String name) {
    return LuaScript.withLibrary(PartnershipStore.class, "partnership_lib", name);
  }

  /** A transition's outcome: the request after it, and whether it was the accepting person accepting again. */
  record Transitioned(PartnershipRequest request, boolean repeated) {
  }

  /** The outcome of claiming the opening of a request's spaces: the request when this caller holds the lease. */
  record SpacesClaim(PartnershipRequest claimed) {
  }

  /**
   * Creates a request; fails with {@code conflict} (details: {@code requestId} of the open one) when one is already
   * pending or countered in the same direction.
   */
  Future<PartnershipRequest> create(String id, String fromOrgId, String toOrgId, long createdAtMs, long deadlineMs,
                                    long noticeMs, String trailEntry, List<String> fields) {
    List<String> args = new ArrayList<>(List.of(P, id, fromOrgId, toOrgId, PartnershipKeys.sortKey(createdAtMs, id),
        String.valueOf(deadlineMs), String.valueOf(noticeMs), trailEntry));
    args.addAll(fields);
    return db.eval(CREATE, List.of(PartnershipKeys.request(id)), args).compose(r -> {
      if (isError(r) && r.size() >= 4) {
        return Future.failedFuture(new RelaisException(ErrorCode.CONFLICT, r.get(2).toString(),
            new JsonObject().put("requestId", r.get(3).toString())));
      }
      return snapshot(r);
    });
  }

  /** The request, or empty. */
  Future<Optional<PartnershipRequest>> load(String id) {
    return db.batch(List.of(
            Request.cmd(Command.HGETALL).arg(PartnershipKeys.request(id)),
            Request.cmd(Command.LRANGE).arg(PartnershipKeys.trail(id)).arg(0).arg(-1),
            Request.cmd(Command.LLEN).arg(PartnershipKeys.comments(id))))
        .map(replies -> {
          Map<String, String> h = Responses.toMap(replies.get(0));
          if (h.isEmpty()) {
            return Optional.empty();
          }
          return Optional.of(PartnershipRequest.from(h, Responses.toList(replies.get(1)),
              Responses.num(replies.get(2))));
        });
  }

  /** Requests by id, without their trails, in the given order; missing ones are left out. */
  Future<List<PartnershipRequest>> loadAll(List<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Request> reads = new ArrayList<>();
    for (String id : ids) {
      reads.add(Request.cmd(Command.HGETALL).arg(PartnershipKeys.request(id)));
      reads.add(Request.cmd(Command.LLEN).arg(PartnershipKeys.comments(id)));
    }
    return db.batch(reads).map(replies -> {
      List<PartnershipRequest> out = new ArrayList<>();
      for (int i = 0; i < replies.size(); i += 2) {
        Map<String, String> h = Responses.toMap(replies.get(i));
        if (!h.isEmpty()) {
          out.add(PartnershipRequest.from(h, List.of(), Responses.num(replies.get(i + 1))));
        }
      }
      return out;
    });
  }

  Future<List<JsonObject>> comments(String id) {
    return db.send(Command.LRANGE, PartnershipKeys.comments(id), 0, -1).map(r -> {
      List<JsonObject> out = new ArrayList<>();
      for (String c : Responses.toList(r)) {
        out.add(new JsonObject(c));
      }
      return out;
    });
  }

  /**
   * Runs one transition (see partnership_transition.lua for its checks).
   *
   * @param side            "from" or "to": the side the caller acts for
   * @param expectedVersion the version the caller saw, or null for any
   * @param spacesDueMs     accept: when the spaces are due again if this caller does not open them
   * @param counter         counter: the counter-proposal's terms; else null
   * @param deadline        counter: the new deadline (ISO, ms) and notice (ms); else null
   */
  Future<Transitioned> transition(String id, Action action, String side, String actorId, Long expectedVersion,
                                  String now, long nowMs, String trailEntry, long spacesDueMs, Terms counter,
                                  Deadline deadline) {
    List<String> args = new ArrayList<>(List.of(P, id, action.wire(), side, actorId,
        expectedVersion == null ? "" : expectedVersion.toString(), now, String.valueOf(nowMs), trailEntry,
        String.valueOf(spacesDueMs)));
    if (counter != null) {
      args.addAll(List.of(deadline.at(), String.valueOf(deadline.atMs()), String.valueOf(deadline.noticeMs())));
      List<String> fields = counter.fields("");
      for (int i = 1; i < fields.size(); i += 2) {
        args.add(fields.get(i));
      }
    }
    return db.eval(TRANSITION, List.of(PartnershipKeys.request(id)), args)
        .compose(r -> snapshot(r).map(req -> new Transitioned(req, "same".equals(r.get(0).toString()))));
  }

  /** When an open request expires, and when it is noticed as expiring (-1: no notice). */
  record Deadline(String at, long atMs, long noticeMs) {
  }

  /** Appends a comment; {@code conflict} on a closed request or past {@code max} comments. */
  Future<PartnershipRequest> comment(String id, JsonObject comment, int max) {
    return db.eval(COMMENT, List.of(PartnershipKeys.request(id)), List.of(P, comment.encode(), String.valueOf(max)))
        .compose(PartnershipStore::snapshot);
  }

  /** Expires at most {@code max} requests past their deadline; the ids this call expired. */
  Future<List<String>> expire(long nowMs, String now, int max) {
    return db.eval(EXPIRE, List.of(PartnershipKeys.deadlines()),
        List.of(P, String.valueOf(nowMs), now, String.valueOf(max))).map(Responses::toList);
  }

  /** Takes at most {@code max} due "expiring" notices; the ids this call took. */
  Future<List<String>> takeNotices(long nowMs, int max) {
    return db.eval(NOTICES, List.of(PartnershipKeys.notices()), List.of(P, String.valueOf(nowMs), String.valueOf(max)))
        .map(Responses::toList);
  }

  /** Accepted requests whose spaces are due to be (re)tried. */
  Future<List<String>> spacesDue(long nowMs, int max) {
    return db.send(Command.ZRANGEBYSCORE, PartnershipKeys.spaces(), "-inf", nowMs, "LIMIT", 0, max)
        .map(Responses::toList);
  }

  Future<SpacesClaim> claimSpaces(String id, String token, long leaseMs, long nowMs) {
    return db.eval(SPACES_CLAIM, List.of(PartnershipKeys.request(id), PartnershipKeys.spaces()),
            List.of(P, id, token, String.valueOf(leaseMs), String.valueOf(nowMs)))
        .compose(r -> "claimed".equals(r.get(0).toString())
            ? snapshot(r).map(SpacesClaim::new)
            : Future.succeededFuture(new SpacesClaim(null)));
  }

  /** Records the opened spaces; the request, and whether this call recorded them (false: they already were). */
  Future<Transitioned> recordSpaces(String id, String token, String channelId, String calendarId) {
    return db.eval(SPACES_RECORD, List.of(PartnershipKeys.request(id), PartnershipKeys.spaces()),
            List.of(P, id, token, channelId, calendarId))
        .compose(r -> snapshot(r).map(req -> new Transitioned(req, !"ok".equals(r.get(0).toString()))));
  }

  Future<Void> releaseSpaces(String id, String token, long retryAtMs) {
    return db.eval(SPACES_RELEASE, List.of(PartnershipKeys.request(id), PartnershipKeys.spaces()),
        List.of(P, id, token, String.valueOf(retryAtMs))).mapEmpty();
  }

  /**
   * Index members (see {@link PartnershipKeys#sortKey}) of an organisation's requests, newest first, strictly older
   * than {@code after} when given.
   */
  Future<List<String>> index(Collection<String> keys, String after) {
    List<Request> reads = new ArrayList<>();
    for (String key : keys) {
      reads.add(Request.cmd(Command.ZREVRANGEBYLEX).arg(key).arg(after == null ? "+" : "(" + after).arg("-"));
    }
    return db.batch(reads).map(replies -> {
      List<String> members = new ArrayList<>();
      replies.forEach(r -> members.addAll(Responses.toList(r)));
      members.sort(Comparator.reverseOrder());
      return members;
    });
  }

  Future<List<String>> partners(String orgId) {
    return db.send(Command.HKEYS, PartnershipKeys.partners(orgId)).map(Responses::toList);
  }

  private static boolean isError(Response r) {
    return r != null && r.size() >= 3 && "err".equals(r.get(0).toString());
  }

  /** A script's {'status', hash, trail, commentCount} as a request, or its {'err', code, message} as a failure. */
  private static Future<PartnershipRequest> snapshot(Response r) {
    if (isError(r)) {
      return Responses.checked(r).mapEmpty();
    }
    List<String> flat = Responses.toList(r.get(1));
    Map<String, String> h = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      h.put(flat.get(i), flat.get(i + 1));
    }
    return Future.succeededFuture(PartnershipRequest.from(h, Responses.toList(r.get(2)), Responses.num(r.get(3))));
  }
}
