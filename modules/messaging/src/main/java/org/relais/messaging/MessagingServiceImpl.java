package org.relais.messaging;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.relais.core.ErrorCode;
import org.relais.core.EventSink;
import org.relais.core.Ids;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.identity.IdentityService;
import org.relais.identity.User;
import org.relais.identity.UserStatus;
import org.relais.redis.LuaScript;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisMode;
import org.relais.redis.Responses;

import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class MessagingServiceImpl implements MessagingService {
  private static final LuaScript SEND = script("messaging_send");
  private static final LuaScript EDIT = script("messaging_edit");
  private static final LuaScript REACT = script("messaging_react");
  private static final LuaScript MEMBERS = script("messaging_members");
  private static final LuaScript UPDATE = script("messaging_update");
  private static final LuaScript MARK_READ = script("messaging_mark_read");
  private static final LuaScript SET_ROLE = script("messaging_set_role");
  private static final Pattern USER_MENTION = Pattern.compile("<@([0-9A-HJKMNP-TV-Z]{26})>");
  private static final Pattern CHANNEL_MENTION = Pattern.compile("(?<![\\w@])@(channel|here|all)\\b");
  private static final int MAX_MENTIONS = 50;
  private static final Mentions NO_MENTIONS = new Mentions(List.of(), false);
  /** Channels whose last seq {@link #history} remembers, to read a page with its access check in one round trip. */
  private static final int LAST_SEQ_SEEN_MAX = 10_000;
  private final ConcurrentHashMap<String, Long> lastSeqSeen = new ConcurrentHashMap<>();

  private final RedisDb db;
  private final IdentityService identity;
  private final ChannelBus bus;
  private final EventSink events;
  private final MessagingSettings settings;
  private final MessageReader reader;
  private volatile MessagingObserver observer = MessagingObserver.NONE;
  private volatile org.relais.core.AuditSink audit = org.relais.core.AuditSink.NONE;

  MessagingServiceImpl(RedisDb db, IdentityService identity, ChannelBus bus, EventSink events,
                       MessagingSettings settings) {
    this.db = db;
    this.identity = identity;
    this.bus = bus;
    this.events = events;
    this.settings = settings;
    this.reader = new MessageReader(db);
  }

  private static LuaScript script(String name) {
    return LuaScript.withLibrary(MessagingServiceImpl.class, "messaging_lib", name);
  }

  @Override
  public void observe(MessagingObserver observer) {
    this.observer = observer;
  }

  @Override
  public void auditTo(org.relais.core.AuditSink sink) {
    this.audit = sink;
  }

  @Override
  public Future<List<String>> memberIds(String channelId) {
    return db.send(Command.HKEYS, MessagingKeys.members(channelId)).map(Responses::toList);
  }

  @Override
  public Future<java.util.Optional<Channel>> channel(String channelId) {
    return db.send(Command.HGETALL, MessagingKeys.channel(channelId)).map(r -> {
      Map<String, String> h = Responses.toMap(r);
      return h.isEmpty() ? java.util.Optional.<Channel>empty() : java.util.Optional.of(Channel.fromHash(h));
    });
  }

  // ---------------------------------------------------------------- access

  /** A channel seen by one principal. {@code role} is null for non-members and for implicit channels. */
  record Access(Channel channel, MemberRole role, boolean member, boolean moderates) {
  }

  /**
   * Loads the channel and the caller's relation to it. Fails with {@code not_found} when the channel does not
   * exist or is private and the caller is not a member: a non-member learns nothing about a private channel.
   */
  private Future<Access> access(Principal p, String channelId) {
    return db.batch(accessRequests(p, channelId, null)).compose(replies -> access(p, replies));
  }

  /**
   * The two reads of {@link #access} (the channel hash, the caller's role), then {@code more} if given, all of the
   * channel's slot, to send in one batch; {@link #access(Principal, List)} decides from the first two replies.
   */
  private static List<Request> accessRequests(Principal p, String channelId, Request more) {
    Request channel = Request.cmd(Command.HGETALL).arg(MessagingKeys.channel(channelId));
    Request role = Request.cmd(Command.HGET).arg(MessagingKeys.members(channelId)).arg(p.userId());
    return more == null ? List.of(channel, role) : List.of(channel, role, more);
  }

  private static Future<Access> access(Principal p, List<Response> replies) {
    Map<String, String> h = Responses.toMap(replies.get(0));
    if (h.isEmpty()) {
      return Future.failedFuture(RelaisException.notFound("No such channel"));
    }
    Channel ch = Channel.fromHash(h);
    String roleName = Responses.str(replies.get(1));
    MemberRole role = roleName == null ? null : MemberRole.fromWire(roleName);
    boolean member = switch (ch.kind()) {
      case NETWORK -> true;
      case ORGANISATION -> p.orgId().equals(ch.orgId());
      default -> role != null;
    };
    if (!member && !ch.isPublic()) {
      return Future.failedFuture(RelaisException.notFound("No such channel"));
    }
    boolean adminReach = p.isAdmin() && ch.kind() != ChannelKind.DIRECT && (member || ch.isPublic());
    boolean orgAdminReach = ch.kind() == ChannelKind.ORGANISATION && p.canAdminOrg(ch.orgId());
    boolean moderates = (role != null && role.moderates()) || adminReach || orgAdminReach;
    return Future.succeededFuture(new Access(ch, role, member, moderates));
  }

  private static Future<Access> requireMember(Access a) {
    if (!a.member()) {
      return Future.failedFuture(RelaisException.forbidden("You are not a member of this channel"));
    }
    return Future.succeededFuture(a);
  }

  private static String implicitFlag(Access a) {
    return a.channel().kind().implicit() && a.member() ? "1" : "0";
  }

  private Future<Void> publish(String channelId, String eventJson) {
    return bus.publish(channelId, eventJson);
  }

  // ---------------------------------------------------------------- channels

  @Override
  public Future<JsonObject> createChannel(Principal p, JsonObject data) {
    ChannelKind kind = ChannelKind.fromWire(data.getString("kind"));
    boolean isPublic = !"private".equals(data.getString("visibility", "public"));
    String orgId = null;
    switch (kind) {
      case NETWORK -> {
        if (!p.isAdmin()) {
          return Future.failedFuture(RelaisException.forbidden("Only network admins create network channels"));
        }
        isPublic = true;
      }
      case ORGANISATION -> {
        orgId = data.getString("orgId", p.orgId());
        if (!orgId.equals(p.orgId()) || !p.canAdminOrg(orgId)) {
          return Future.failedFuture(RelaisException.forbidden("An organisation's channels are created by its own org-admins"));
        }
        isPublic = false;
      }
      case PARTNERSHIP, DIRECT -> {
        return Future.failedFuture(RelaisException.badRequest(
            "data.kind: " + kind.wire() + " channels are opened by " + (kind == ChannelKind.DIRECT ? "dm.open" : "an accepted partnership request")));
      }
      default -> {
        // regional and thematic channels: anyone in the network may open one, as in Slack or Mattermost
      }
    }
    String now = Instant.now().toString();
    String id = Ids.newId();
    List<String> fields = new ArrayList<>(List.of("id", id, "kind", kind.wire(), "visibility", isPublic ? "public" : "private",
        "name", data.getString("name"), "topic", data.getString("topic", ""), "description", data.getString("description", ""),
        "createdBy", p.userId(), "createdAt", now, "updatedAt", now, "seq", "0", "offset", "0", "memberCount", "0",
        "implicit", kind.implicit() ? "1" : "0", "sensitive", data.getBoolean("sensitive", false) ? "1" : "0"));
    if (orgId != null) {
      fields.add("orgId");
      fields.add(orgId);
    }
    List<Request> writes = new ArrayList<>();
    Request hset = Request.cmd(Command.HSET).arg(MessagingKeys.channel(id));
    fields.forEach(hset::arg);
    writes.add(hset);
    if (kind == ChannelKind.NETWORK) {
      writes.add(Request.cmd(Command.SADD).arg(MessagingKeys.networkChannels()).arg(id));
    } else if (kind == ChannelKind.ORGANISATION) {
      writes.add(Request.cmd(Command.SADD).arg(MessagingKeys.orgChannels(orgId)).arg(id));
    }
    if (isPublic) {
      writes.add(Request.cmd(Command.SADD).arg(MessagingKeys.publicChannels()).arg(id));
    }
    String channelOrg = orgId;
    List<String> invited = data.getJsonArray("memberIds", new JsonArray()).stream().map(String::valueOf)
        .filter(u -> !u.equals(p.userId())).toList();
    if (kind.implicit() && !invited.isEmpty()) {
      return Future.failedFuture(RelaisException.badRequest("data.memberIds: everyone concerned is a member of this kind of channel"));
    }
    // Check the invited people before anything is written: a refused create leaves no channel behind.
    Future<List<String>> checked = invited.isEmpty() ? Future.succeededFuture(invited) : activeUsers(invited);
    return checked.compose(ok -> db.batch(writes)).compose(v -> {
      if (kind.implicit()) {
        // Logged so that every member's sockets, which start following at once, learn of the new channel.
        return db.send(Command.HGETALL, MessagingKeys.channel(id))
            .compose(r -> updateFields(p, Channel.fromHash(Responses.toMap(r)), List.of()))
            .compose(x -> bus.followAll(channelOrg, id, 0)).map(x -> (JsonObject) null);
      }
      return addMembers(id, List.of(p.userId()), MemberRole.OWNER, p.userId())
          .compose(x -> invited.isEmpty() ? Future.<List<String>>succeededFuture(List.of())
              : addMembers(id, invited, MemberRole.MEMBER, p.userId()))
          .compose(added -> channel(id).map(ch -> {
            ch.ifPresent(c -> notifyAdded(c, added, p.userId()));
            return (JsonObject) null;
          }));
    }).compose(v -> channelJson(id)).map(ch -> new JsonObject().put("channel", ch));
  }

  private Future<JsonObject> channelJson(String channelId) {
    return db.send(Command.HGETALL, MessagingKeys.channel(channelId))
        .map(r -> Channel.fromHash(Responses.toMap(r)).toJson());
  }

  /** The ids among {@code userIds} of users who exist and are not disabled; fails if any does not. */
  private Future<List<String>> activeUsers(List<String> userIds) {
    return identity.usersById(userIds).compose(found -> {
      for (String id : userIds) {
        User u = found.get(id);
        if (u == null || u.status() == UserStatus.DISABLED) {
          return Future.failedFuture(RelaisException.notFound("No such user: " + id));
        }
      }
      return Future.succeededFuture(userIds);
    });
  }

  /** Adds listed members (one script, one member.joined each), indexes them, and makes their sockets follow. */
  private Future<List<String>> addMembers(String channelId, List<String> userIds, MemberRole role, String actor) {
    return changeMembers(channelId, userIds, "add", role.wire(), actor, "").compose(changed -> {
      if (changed.users().isEmpty()) {
        return Future.succeededFuture(changed.users());
      }
      return bus.follow(changed.users(), channelId, changed.firstOffset() - 1).map(changed.users());
    });
  }

  /** Removes listed members (one member.left each); their sockets stop following when they receive it. */
  private Future<List<String>> removeMembers(String channelId, List<String> userIds, String actor, String reason) {
    return changeMembers(channelId, userIds, "remove", "", actor, reason).map(MembershipChange::users);
  }

  /** Who actually changed, and the offset of the first event logged for it. */
  private record MembershipChange(List<String> users, long firstOffset) {
  }

  private Future<MembershipChange> changeMembers(String channelId, List<String> userIds, String mode, String role,
                                                 String actor, String reason) {
    List<String> args = new ArrayList<>(List.of(channelId, mode, role, actor == null ? "" : actor, reason,
        String.valueOf(settings.logMaxEvents())));
    args.addAll(userIds);
    return db.eval(MEMBERS, List.of(MessagingKeys.channel(channelId)), args)
        .compose(Responses::checked)
        .compose(r -> {
          List<String> changed = new ArrayList<>();
          List<Request> index = new ArrayList<>();
          List<Future<Void>> published = new ArrayList<>();
          long firstOffset = Long.MAX_VALUE;
          for (int i = 1; i + 1 < r.size(); i += 2) {
            String user = r.get(i).toString();
            String event = r.get(i + 1).toString();
            changed.add(user);
            index.add(Request.cmd(mode.equals("add") ? Command.SADD : Command.SREM)
                .arg(MessagingKeys.userChannels(user)).arg(channelId));
            published.add(publish(channelId, event));
            firstOffset = Math.min(firstOffset, new JsonObject(event).getJsonObject("data").getLong("offset"));
          }
          long first = firstOffset;
          return (index.isEmpty() ? Future.<List<Response>>succeededFuture(List.of()) : db.batch(index))
              .compose(x -> Future.join(published))
              .map(x -> new MembershipChange(changed, first));
        });
  }

  @Override
  public Future<JsonObject> updateChannel(Principal p, JsonObject data) {
    String channelId = data.getString("channelId");
    return access(p, channelId).compose(a -> {
      if (a.channel().kind() == ChannelKind.DIRECT) {
        return Future.failedFuture(RelaisException.badRequest("Direct conversations have no name, topic or description"));
      }
      if (!a.moderates()) {
        return Future.failedFuture(RelaisException.forbidden("Only the channel's owner or moderators change it"));
      }
      List<String> fields = new ArrayList<>();
      for (String f : List.of("name", "topic", "description")) {
        if (data.containsKey(f)) {
          fields.add(f);
          fields.add(data.getString(f));
        }
      }
      if (data.containsKey("sensitive")) {
        fields.add("sensitive");
        fields.add(data.getBoolean("sensitive") ? "1" : "0");
      }
      return updateFields(p, a.channel(), fields);
    });
  }

  private Future<JsonObject> updateFields(Principal p, Channel before, List<String> fields) {
    String now = Instant.now().toString();
    List<String> all = new ArrayList<>(fields);
    all.add("updatedAt");
    all.add(now);
    JsonObject after = before.toJson().put("updatedAt", now);
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      if (fields.get(i).equals("archived") || fields.get(i).equals("sensitive")) {
        after.put(fields.get(i), "1".equals(fields.get(i + 1)));
      } else {
        after.put(fields.get(i), fields.get(i + 1));
      }
    }
    after.remove("seq");
    after.remove("offset");
    List<String> args = new ArrayList<>(List.of(before.id(), String.valueOf(settings.logMaxEvents()),
        new JsonObject().put("channel", after).put("by", p.userId()).encode()));
    args.addAll(all);
    return db.eval(UPDATE, List.of(MessagingKeys.channel(before.id())), args)
        .compose(Responses::checked)
        .compose(r -> publish(before.id(), r.get(1).toString()))
        .compose(v -> channelJson(before.id()))
        .map(ch -> new JsonObject().put("channel", ch));
  }

  @Override
  public Future<JsonObject> archiveChannel(Principal p, String channelId, boolean archived) {
    return access(p, channelId).compose(a -> {
      if (a.channel().kind() == ChannelKind.DIRECT) {
        return Future.failedFuture(RelaisException.badRequest("Direct conversations are not archived"));
      }
      boolean owner = a.role() == MemberRole.OWNER;
      boolean admin = p.isAdmin() && a.channel().kind() != ChannelKind.DIRECT;
      boolean orgAdmin = a.channel().kind() == ChannelKind.ORGANISATION && p.canAdminOrg(a.channel().orgId());
      if (!(owner || admin || orgAdmin)) {
        return Future.failedFuture(RelaisException.forbidden("Only the channel's owner or an admin archives it"));
      }
      Future<Response> index = archived
          ? db.send(Command.SREM, MessagingKeys.publicChannels(), channelId)
          : (a.channel().isPublic() ? db.send(Command.SADD, MessagingKeys.publicChannels(), channelId)
              : Future.succeededFuture());
      return index.compose(x -> updateFields(p, a.channel(), List.of("archived", archived ? "1" : "0")));
    });
  }

  @Override
  public Future<JsonObject> listChannels(Principal p) {
    return channelIdsOf(p).compose(ids -> {
      List<Request> reads = new ArrayList<>();
      for (String id : ids) {
        reads.add(Request.cmd(Command.HGETALL).arg(MessagingKeys.channel(id)));
        reads.add(Request.cmd(Command.HGET).arg(MessagingKeys.read(id)).arg(p.userId()));
        reads.add(Request.cmd(Command.HGET).arg(MessagingKeys.members(id)).arg(p.userId()));
      }
      return db.batch(reads).compose(replies -> {
        List<Channel> channels = new ArrayList<>();
        List<Long> markers = new ArrayList<>();
        List<String> roles = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
          Map<String, String> h = Responses.toMap(replies.get(3 * i));
          if (h.isEmpty()) {
            continue;
          }
          channels.add(Channel.fromHash(h));
          String marker = Responses.str(replies.get(3 * i + 1));
          markers.add(marker == null ? 0 : Long.parseLong(marker));
          roles.add(Responses.str(replies.get(3 * i + 2)));
        }
        List<Request> second = new ArrayList<>();
        for (int i = 0; i < channels.size(); i++) {
          Channel ch = channels.get(i);
          String from = "(" + markers.get(i);
          second.add(Request.cmd(Command.ZCOUNT).arg(MessagingKeys.mentions(ch.id(), p.userId())).arg(from).arg("+inf"));
          second.add(Request.cmd(Command.ZCOUNT).arg(MessagingKeys.mentions(ch.id(), "*")).arg(from).arg("+inf"));
          second.add(Request.cmd(Command.HGETALL).arg(MessagingKeys.message(ch.id(), Math.max(1, ch.seq()))));
          second.add(ch.kind() == ChannelKind.DIRECT
              ? Request.cmd(Command.HKEYS).arg(MessagingKeys.members(ch.id()))
              : Request.cmd(Command.PING));
        }
        return db.batch(second).map(more -> {
          JsonArray out = new JsonArray();
          for (int i = 0; i < channels.size(); i++) {
            Channel ch = channels.get(i);
            long marker = markers.get(i);
            JsonObject item = ch.toJson()
                .put("lastReadSeq", marker)
                .put("unreadCount", Math.max(0, ch.seq() - marker))
                .put("mentionCount", Responses.num(more.get(4 * i)) + Responses.num(more.get(4 * i + 1)));
            if (roles.get(i) != null) {
              item.put("role", roles.get(i));
            }
            Map<String, String> last = Responses.toMap(more.get(4 * i + 2));
            if (ch.seq() > 0 && !last.isEmpty()) {
              item.put("lastMessage", MessageReader.toJson(ch.id(), last));
            }
            if (ch.kind() == ChannelKind.DIRECT) {
              item.put("memberIds", new JsonArray(new ArrayList<>(new TreeSet<>(Responses.toList(more.get(4 * i + 3))))));
            }
            out.add(item);
          }
          return new JsonObject().put("channels", out);
        });
      });
    });
  }

  @Override
  public Future<List<String>> channelIdsOf(Principal p) {
    return db.batch(List.of(
        Request.cmd(Command.SMEMBERS).arg(MessagingKeys.userChannels(p.userId())),
        Request.cmd(Command.SMEMBERS).arg(MessagingKeys.networkChannels()),
        Request.cmd(Command.SMEMBERS).arg(MessagingKeys.orgChannels(p.orgId())))).map(replies -> {
          Set<String> ids = new LinkedHashSet<>();
          replies.forEach(r -> ids.addAll(Responses.toList(r)));
          return new ArrayList<>(ids);
        });
  }

  @Override
  public Future<Map<String, Long>> channelOffsetsOf(Principal p) {
    return channelIdsOf(p).compose(ids -> {
      List<Request> reads = new ArrayList<>();
      for (String id : ids) {
        reads.add(Request.cmd(Command.HGET).arg(MessagingKeys.channel(id)).arg("offset"));
      }
      return db.batch(reads).map(replies -> {
        Map<String, Long> offsets = new java.util.LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
          if (replies.get(i) != null) {
            offsets.put(ids.get(i), replies.get(i).toLong());
          }
        }
        return offsets;
      });
    });
  }

  @Override
  public Future<Boolean> isMember(Principal p, String channelId) {
    // "no such channel" (or not visible) is a definite no; Redis not answering is not: that failure goes to the
    // caller, who asks again (a socket must not silently stop following a channel because of a time-out)
    return access(p, channelId).map(Access::member).recover(e -> e instanceof RelaisException r
        && (r.code() == ErrorCode.NOT_FOUND || r.code() == ErrorCode.FORBIDDEN)
        ? Future.succeededFuture(false) : Future.failedFuture(e));
  }

  @Override
  public Future<JsonObject> browseChannels(Principal p, JsonObject data) {
    List<String> words = words(data.getString("query", ""));
    String kind = data.getString("kind");
    int limit = data.getLong("limit", 50L).intValue();
    int offset = data.getLong("offset", 0L).intValue();
    return db.send(Command.SMEMBERS, MessagingKeys.publicChannels()).compose(r -> {
      List<String> ids = Responses.toList(r);
      List<Request> reads = new ArrayList<>();
      for (String id : ids) {
        reads.add(Request.cmd(Command.HGETALL).arg(MessagingKeys.channel(id)));
        reads.add(Request.cmd(Command.HEXISTS).arg(MessagingKeys.members(id)).arg(p.userId()));
      }
      return db.batch(reads).map(replies -> {
        List<JsonObject> matches = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
          Map<String, String> h = Responses.toMap(replies.get(2 * i));
          if (h.isEmpty()) {
            continue;
          }
          Channel ch = Channel.fromHash(h);
          if (ch.archived() || (kind != null && !kind.equals(ch.kind().wire()))) {
            continue;
          }
          List<String> tokens = words(ch.name() + " " + ch.topic());
          if (!words.stream().allMatch(w -> tokens.stream().anyMatch(t -> t.startsWith(w)))) {
            continue;
          }
          boolean member = ch.kind() == ChannelKind.NETWORK || Responses.num(replies.get(2 * i + 1)) == 1;
          matches.add(ch.toJson().put("member", member));
        }
        matches.sort(Comparator.comparingLong((JsonObject c) -> -c.getLong("memberCount", 0L))
            .thenComparing(c -> c.getString("name").toLowerCase(Locale.ROOT)));
        JsonArray page = new JsonArray();
        for (int i = offset; i < Math.min(matches.size(), offset + limit); i++) {
          page.add(matches.get(i));
        }
        JsonObject reply = new JsonObject().put("channels", page).put("total", matches.size());
        if (offset + limit < matches.size()) {
          reply.put("nextOffset", offset + limit);
        }
        return reply;
      });
    });
  }

  private static List<String> words(String text) {
    String folded = Normalizer.normalize(text, Normalizer.Form.NFD).replaceAll("\\p{M}+", "").toLowerCase(Locale.ROOT);
    List<String> out = new ArrayList<>();
    for (String w : folded.split("[^\\p{L}\\p{N}]+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  @Override
  public Future<JsonObject> join(Principal p, String channelId) {
    return access(p, channelId).compose(a -> {
      if (a.channel().kind().implicit() || a.member()) {
        return Future.succeededFuture(a);
      }
      if (!a.channel().isPublic() || a.channel().archived()) {
        return Future.failedFuture(RelaisException.forbidden("This channel is joined by invitation only"));
      }
      return addMembers(channelId, List.of(p.userId()), MemberRole.MEMBER, null).map(a);
    }).compose(a -> channelJson(channelId)).map(ch -> new JsonObject().put("channel", ch));
  }

  @Override
  public Future<JsonObject> leave(Principal p, String channelId) {
    return access(p, channelId).compose(a -> {
      if (a.channel().kind().implicit() || a.channel().kind() == ChannelKind.DIRECT) {
        return Future.failedFuture(RelaisException.badRequest(a.channel().kind() == ChannelKind.DIRECT
            ? "Direct conversations cannot be left; mute them instead"
            : "Network and organisation channels cannot be left; mute them instead"));
      }
      if (!a.member()) {
        return Future.failedFuture(RelaisException.forbidden("You are not a member of this channel"));
      }
      return removeMembers(channelId, List.of(p.userId()), null, "left").map(x -> new JsonObject().put("channelId", channelId));
    });
  }

  @Override
  public Future<JsonObject> invite(Principal p, String channelId, List<String> userIds) {
    return access(p, channelId).compose(MessagingServiceImpl::requireMember).compose(a -> {
      ChannelKind kind = a.channel().kind();
      if (kind.implicit() || kind == ChannelKind.DIRECT) {
        return Future.failedFuture(RelaisException.badRequest(kind == ChannelKind.DIRECT
            ? "People are not added to a direct conversation; open a new one with everyone"
            : "Everyone concerned is already a member of this channel"));
      }
      if (a.channel().archived()) {
        return Future.failedFuture(RelaisException.forbidden("This channel is archived"));
      }
      return activeUsers(userIds).compose(users -> addMembers(channelId, users, MemberRole.MEMBER, p.userId()))
          .map(added -> {
            notifyAdded(a.channel(), added, p.userId());
            return new JsonObject().put("channelId", channelId).put("added", new JsonArray(added));
          });
    });
  }

  private void notifyAdded(Channel channel, List<String> added, String actor) {
    List<String> others = added.stream().filter(u -> !u.equals(actor)).toList();
    if (!others.isEmpty() && observer != MessagingObserver.NONE) {
      try {
        observer.membersAdded(channel, others, actor);
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(MessagingService.class).warn("messaging observer failed", e);
      }
    }
  }

  @Override
  public Future<JsonObject> kick(Principal p, String channelId, String userId) {
    return access(p, channelId).compose(a -> {
      if (a.channel().kind().implicit() || a.channel().kind() == ChannelKind.DIRECT) {
        return Future.failedFuture(RelaisException.badRequest("Nobody is removed from this kind of channel"));
      }
      if (!a.moderates()) {
        return Future.failedFuture(RelaisException.forbidden("Only the channel's owner or moderators remove members"));
      }
      if (userId.equals(p.userId())) {
        return Future.failedFuture(RelaisException.badRequest("Use channel.leave to leave"));
      }
      return db.send(Command.HGET, MessagingKeys.members(channelId), userId).compose(role -> {
        if (role == null) {
          return Future.failedFuture(RelaisException.notFound("Not a member of this channel"));
        }
        if (MemberRole.fromWire(role.toString()) == MemberRole.OWNER && a.role() != MemberRole.OWNER && !p.isAdmin()) {
          return Future.failedFuture(RelaisException.forbidden("Only an owner or an admin removes an owner"));
        }
        return removeMembers(channelId, List.of(userId), p.userId(), "kicked")
            .compose(x -> audit.record(org.relais.core.AuditEntry.by(p, "channel.kick", userId,
                a.channel().orgId()).with("channelId", channelId)))
            .map(x -> new JsonObject().put("channelId", channelId).put("userId", userId));
      });
    });
  }

  @Override
  public Future<JsonObject> members(Principal p, JsonObject data) {
    String channelId = data.getString("channelId");
    int limit = data.getLong("limit", 200L).intValue();
    int offset = data.getLong("offset", 0L).intValue();
    return access(p, channelId).compose(a -> {
      if (!a.member() && !a.channel().isPublic()) {
        return Future.failedFuture(RelaisException.notFound("No such channel"));
      }
      if (a.channel().kind().implicit()) {
        JsonObject query = new JsonObject().put("limit", limit).put("offset", offset);
        if (a.channel().kind() == ChannelKind.ORGANISATION) {
          query.put("orgId", a.channel().orgId());
        }
        return identity.search(p, query).map(found -> {
          JsonArray members = new JsonArray();
          for (Object u : found.getJsonArray("users")) {
            JsonObject user = (JsonObject) u;
            members.add(new JsonObject().put("userId", user.getString("id")).put("role", "member"));
          }
          JsonObject reply = new JsonObject().put("members", members).put("total", found.getInteger("total"));
          if (found.containsKey("nextOffset")) {
            reply.put("nextOffset", found.getInteger("nextOffset"));
          }
          return reply;
        });
      }
      return db.send(Command.HGETALL, MessagingKeys.members(channelId)).map(r -> {
        List<Map.Entry<String, String>> all = new ArrayList<>(Responses.toMap(r).entrySet());
        all.sort(Comparator.comparing((Map.Entry<String, String> e) -> MemberRole.fromWire(e.getValue()).ordinal())
            .thenComparing(Map.Entry::getKey));
        JsonArray members = new JsonArray();
        for (int i = offset; i < Math.min(all.size(), offset + limit); i++) {
          members.add(new JsonObject().put("userId", all.get(i).getKey()).put("role", all.get(i).getValue()));
        }
        JsonObject reply = new JsonObject().put("members", members).put("total", all.size());
        if (offset + limit < all.size()) {
          reply.put("nextOffset", offset + limit);
        }
        return reply;
      });
    });
  }

  @Override
  public Future<JsonObject> setRole(Principal p, String channelId, String userId, MemberRole role) {
    return access(p, channelId).compose(a -> {
      if (a.channel().kind().implicit() || a.channel().kind() == ChannelKind.DIRECT) {
        return Future.failedFuture(RelaisException.badRequest("This kind of channel has no member roles"));
      }
      boolean admin = p.isAdmin() && (a.member() || a.channel().isPublic());
      if (a.role() != MemberRole.OWNER && !admin) {
        return Future.failedFuture(RelaisException.forbidden("Only the channel's owners change member roles"));
      }
      return db.eval(SET_ROLE, List.of(MessagingKeys.channel(channelId)),
              List.of(channelId, userId, role.wire(), p.userId(), String.valueOf(settings.logMaxEvents())))
          .compose(Responses::checked)
          .compose(r -> {
            String event = r.get(1).toString();
            Future<Void> published = event.isEmpty() ? Future.succeededFuture() : publish(channelId, event);
            return published
                .compose(v -> audit.record(org.relais.core.AuditEntry.by(p, "channel.role", userId,
                    a.channel().orgId()).with("channelId", channelId).with("role", role.wire())))
                .map(v -> new JsonObject().put("channelId", channelId).put("userId", userId)
                    .put("role", role.wire()));
          });
    });
  }

  @Override
  public Future<JsonObject> openPartnershipChannel(String key, String name, String topic, List<String> memberIds,
                                                   String ownerId) {
    String marker = MessagingKeys.partnership(key);
    String id = Ids.newId();
    return db.send(Command.SET, marker, id, "NX", "GET").compose(previous -> {
      if (previous != null) {
        // Opened before (a retried accept): the same channel; members named since are added.
        String existing = previous.toString();
        return addMembers(existing, memberIds, MemberRole.MEMBER, ownerId).compose(x -> channelJson(existing))
            .map(ch -> new JsonObject().put("channel", ch));
      }
      String now = Instant.now().toString();
      return db.send(Command.HSET, MessagingKeys.channel(id), "id", id, "kind", ChannelKind.PARTNERSHIP.wire(),
              "visibility", "private", "name", name, "topic", topic, "description", "", "createdBy", ownerId,
              "createdAt", now, "updatedAt", now, "seq", "0", "offset", "0", "memberCount", "0", "implicit", "0",
              "sensitive", "0")
          .compose(v -> addMembers(id, List.of(ownerId), MemberRole.OWNER, ownerId))
          // No invitation notices: the partnership's own "accepted" notification already tells these people.
          .compose(v -> addMembers(id, memberIds.stream().filter(u -> !u.equals(ownerId)).toList(), MemberRole.MEMBER, ownerId))
          .compose(v -> channelJson(id))
          .map(ch -> new JsonObject().put("channel", ch));
    });
  }

  @Override
  public Future<Void> closePartnershipChannel(String key, String byUserId) {
    return db.send(Command.GET, MessagingKeys.partnership(key)).compose(id -> {
      if (id == null) {
        return Future.succeededFuture();
      }
      return channel(id.toString()).compose(ch -> {
        if (ch.isEmpty() || ch.get().archived()) {
          return Future.succeededFuture();
        }
        Principal by = new Principal(byUserId == null ? "system" : byUserId, "", java.util.Set.of(org.relais.core.Role.MEMBER),
            "system", "en");
        return updateFields(by, ch.get(), List.of("archived", "1")).mapEmpty();
      });
    });
  }

  @Override
  public Future<JsonObject> openDirect(Principal p, List<String> userIds) {
    TreeSet<String> people = new TreeSet<>(userIds);
    people.add(p.userId());
    if (people.size() < 2) {
      return Future.failedFuture(RelaisException.badRequest("data.userIds: name at least one other person"));
    }
    if (people.size() > settings.maxDirectMembers()) {
      return Future.failedFuture(RelaisException.badRequest(
          "data.userIds: a direct conversation has at most " + settings.maxDirectMembers() + " people"));
    }
    String key = MessagingKeys.direct(Ids.sha256Hex(String.join(",", people)));
    return activeUsers(new ArrayList<>(people)).compose(ok -> db.send(Command.GET, key)).compose(existing -> {
      if (existing != null) {
        return channelJson(existing.toString()).map(ch -> new JsonObject().put("channel", ch).put("created", false)
            .put("memberIds", new JsonArray(new ArrayList<>(people))));
      }
      String id = Ids.newId();
      return db.send(Command.SET, key, id, "NX").compose(set -> {
        if (set == null) {
          // Opened by someone else at the same moment: theirs is the conversation.
          return openDirect(p, userIds);
        }
        String now = Instant.now().toString();
        return db.send(Command.HSET, MessagingKeys.channel(id), "id", id, "kind", ChannelKind.DIRECT.wire(),
                "visibility", "private", "name", "", "topic", "", "description", "", "createdBy", p.userId(),
                "createdAt", now, "updatedAt", now, "seq", "0", "offset", "0", "memberCount", "0", "implicit", "0")
            .compose(v -> addMembers(id, new ArrayList<>(people), MemberRole.MEMBER, p.userId()))
            .compose(v -> channelJson(id))
            .map(ch -> new JsonObject().put("channel", ch).put("created", true)
                .put("memberIds", new JsonArray(new ArrayList<>(people))));
      });
    });
  }

  // ---------------------------------------------------------------- messages

  /** Mentions found in a text: user ids from {@code <@ID>} and whether it says @channel, @here or @all. */
  record Mentions(List<String> userIds, boolean channel) {
    String json() {
      return userIds.isEmpty() ? "[]" : new JsonArray(new ArrayList<>(userIds)).encode();
    }
  }

  private static Mentions parseMentions(String text) {
    if (text.indexOf('@') < 0) {
      return NO_MENTIONS; // both forms need an @: most messages skip the two regular expressions
    }
    Set<String> ids = new LinkedHashSet<>();
    Matcher m = USER_MENTION.matcher(text);
    while (m.find() && ids.size() < MAX_MENTIONS) {
      ids.add(m.group(1));
    }
    return new Mentions(new ArrayList<>(ids), CHANNEL_MENTION.matcher(text).find());
  }

  /** Keeps the mentions of people who can read the channel. */
  private Future<Mentions> resolveMentions(Access a, Mentions raw) {
    if (raw.userIds().isEmpty()) {
      return Future.succeededFuture(raw);
    }
    Channel ch = a.channel();
    if (!ch.kind().implicit()) {
      Request hmget = Request.cmd(Command.HMGET).arg(MessagingKeys.members(ch.id()));
      raw.userIds().forEach(hmget::arg);
      return db.send(hmget).map(r -> {
        List<String> roles = Responses.toList(r);
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < raw.userIds().size(); i++) {
          if (roles.get(i) != null) {
            kept.add(raw.userIds().get(i));
          }
        }
        return new Mentions(kept, raw.channel());
      });
    }
    return identity.usersById(raw.userIds()).map(users -> new Mentions(raw.userIds().stream()
        .filter(id -> users.containsKey(id)
            && (ch.kind() == ChannelKind.NETWORK || ch.orgId().equals(users.get(id).orgId())))
        .toList(), raw.channel()));
  }

  private String checkText(String text) {
    if (text.isBlank()) {
      throw RelaisException.badRequest("data.text: must not be empty");
    }
    if (text.codePointCount(0, text.length()) > settings.maxMessageChars()) {
      throw RelaisException.badRequest("data.text: longer than " + settings.maxMessageChars() + " characters");
    }
    return text;
  }

  @Override
  public Future<JsonObject> send(Principal p, JsonObject data) {
    return send(p, data, Future.succeededFuture());
  }

  @Override
  public Future<JsonObject> send(Principal p, JsonObject data, Future<Void> admitted) {
    String channelId = data.getString("channelId");
    String text;
    try {
      text = checkText(data.getString("text"));
    } catch (RelaisException e) {
      return admitted.compose(v -> Future.failedFuture(e));
    }
    String clientMsgId = data.getString("clientMsgId");
    String rootId = data.getString("threadRootId", "");
    // The observer's read (notifications: who follows the channel with "all") joins the access reads, except on a
    // cluster, where it lives on another node whose failure must not fail the send.
    MessagingObserver o = observer;
    Request extra = o == MessagingObserver.NONE || db.settings().mode() == RedisMode.CLUSTER
        ? null : o.beforeSend(channelId);
    // Reads only, so sent at once, in the round trip of the rate-limit check; nothing is written before it passes.
    Future<List<Response>> reads = db.batch(accessRequests(p, channelId, extra));
    return admitted.compose(ok -> reads).compose(replies -> access(p, replies)
        .compose(MessagingServiceImpl::requireMember)
        .compose(a -> resolveMentions(a, parseMentions(text)).compose(mentions -> {
          // The script publishes message.new itself (one round trip less), unless sends wait for replicas: then
          // the event goes out after the WAIT, as before.
          boolean inScript = settings.publishSendsInScript();
          List<String> args = new ArrayList<>(List.of(channelId, p.userId(), clientMsgId, Ids.newId(),
              Instant.now().toString(), text, rootId, mentions.json(), mentions.channel() ? "1" : "0", implicitFlag(a),
              String.valueOf(settings.logMaxEvents()), String.valueOf(settings.dedupeSeconds()),
              inScript ? ChannelBus.topic(channelId) : "", String.valueOf(mentions.userIds().size())));
          args.addAll(mentions.userIds());
          return db.evalReplicated(SEND, List.of(MessagingKeys.channel(channelId)), args)
              .compose(Responses::checked)
              .compose(r -> {
                String outcome = r.get(0).toString();
                if (outcome.equals("dup")) {
                  return reader.message(channelId, r.get(1).toLong())
                      .map(m -> new JsonObject().put("message", m).put("duplicate", true));
                }
                JsonObject message = new JsonObject(r.get(1).toString());
                Future<Void> published = inScript ? Future.succeededFuture() : publish(channelId, r.get(2).toString());
                return published.map(v -> {
                  notifySent(o, sentIn(a.channel(), message, r.get(3).toLong()), message,
                      extra == null ? null : replies.get(2));
                  return new JsonObject().put("message", message);
                });
              });
        })));
  }

  /** The channel as it is right after a send: the one read before it, with the send's seq, offset and time. */
  private static Channel sentIn(Channel c, JsonObject message, long offset) {
    return new Channel(c.id(), c.kind(), c.isPublic(), c.name(), c.topic(), c.description(), c.orgId(), c.createdBy(),
        c.createdAt(), c.updatedAt(), c.archived(), message.getLong("seq"), offset, c.memberCount(),
        message.getString("createdAt"), c.sensitive());
  }

  private void notifySent(MessagingObserver o, Channel channel, JsonObject message, Response beforeSend) {
    if (o == MessagingObserver.NONE) {
      return;
    }
    List<String> mentioned = new ArrayList<>();
    message.getJsonArray("mentions", new JsonArray()).forEach(m -> mentioned.add(String.valueOf(m)));
    try {
      o.messageSent(channel, message, mentioned, beforeSend);
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(MessagingService.class).warn("messaging observer failed", e);
    }
  }

  @Override
  public Future<JsonObject> edit(Principal p, JsonObject data) {
    String channelId = data.getString("channelId");
    String text;
    try {
      text = checkText(data.getString("text"));
    } catch (RelaisException e) {
      return Future.failedFuture(e);
    }
    return access(p, channelId).compose(MessagingServiceImpl::requireMember)
        .compose(a -> resolveMentions(a, parseMentions(text)).compose(mentions -> {
          List<String> args = new ArrayList<>(List.of(channelId, p.userId(), data.getString("messageId"),
              Instant.now().toString(), "edit", text, mentions.json(), mentions.channel() ? "1" : "0",
              "0", implicitFlag(a), String.valueOf(settings.logMaxEvents()), ChannelBus.topic(channelId),
              String.valueOf(mentions.userIds().size())));
          args.addAll(mentions.userIds());
          return db.eval(EDIT, List.of(MessagingKeys.channel(channelId)), args);
        }))
        .compose(Responses::checked)
        .map(r -> new JsonObject(r.get(1).toString()).getJsonObject("data"));
  }

  @Override
  public Future<JsonObject> delete(Principal p, JsonObject data) {
    String channelId = data.getString("channelId");
    // A moderator deletes without being a member (a network admin in a public channel); others must be members.
    return access(p, channelId).compose(a -> a.moderates() ? Future.succeededFuture(a) : requireMember(a))
        .compose(a -> db.eval(EDIT, List.of(MessagingKeys.channel(channelId)), List.of(channelId, p.userId(),
            data.getString("messageId"), Instant.now().toString(), "delete", "", "[]", "0", a.moderates() ? "1" : "0",
            implicitFlag(a), String.valueOf(settings.logMaxEvents()), ChannelBus.topic(channelId), "0")))
        .compose(Responses::checked)
        .map(r -> new JsonObject(r.get(1).toString()).getJsonObject("data"));
  }

  @Override
  public Future<JsonObject> react(Principal p, JsonObject data, boolean add) {
    String channelId = data.getString("channelId");
    return access(p, channelId).compose(MessagingServiceImpl::requireMember)
        .compose(a -> db.eval(REACT, List.of(MessagingKeys.channel(channelId)), List.of(channelId, p.userId(),
            data.getString("messageId"), data.getString("emoji"), add ? "add" : "remove",
            String.valueOf(settings.maxReactions()), implicitFlag(a), String.valueOf(settings.logMaxEvents()),
            ChannelBus.topic(channelId))))
        .compose(Responses::checked)
        .map(r -> {
          String event = r.get(1).toString();
          if (event.isEmpty()) {
            return new JsonObject().put("changed", false);
          }
          return new JsonObject(event).getJsonObject("data").put("changed", true);
        });
  }

  @Override
  public Future<JsonObject> history(Principal p, JsonObject data) {
    String channelId = data.getString("channelId");
    int limit = data.getLong("limit", 50L).intValue();
    int given = (data.containsKey("before") ? 1 : 0) + (data.containsKey("after") ? 1 : 0) + (data.containsKey("around") ? 1 : 0);
    if (given > 1) {
      return Future.failedFuture(RelaisException.badRequest("data: give at most one of before, after and around"));
    }
    // One round trip: the access reads and the renderings of the page the channel's last seq seen before gives
    // (lastSeqSeen); read again only if the channel moved on since. What the caller may not see is never returned:
    // access fails first, with the same error as without the page.
    Long seen = lastSeqSeen.get(channelId);
    if (seen == null && (data.containsKey("before") || data.containsKey("after"))) {
      seen = Long.MAX_VALUE;  // those pages do not depend on the last seq, unless they reach past it
    }
    long[] guess = seen == null ? null : pageRange(data, limit, seen);
    // blocks past the guessed last seq are not whole; with no last seq known, those past the page's end are not
    long guessLast = guess == null ? 0 : seen == Long.MAX_VALUE ? guess[1] : seen;
    Request page = guess == null || guess[1] < guess[0] ? null
        : MessageReader.pageRequest(channelId, guess[0], guess[1], guessLast);
    return db.batch(accessRequests(p, channelId, page)).compose(replies -> access(p, replies).compose(a -> {
      long last = a.channel().seq();
      rememberLastSeq(channelId, last);
      long[] range = pageRange(data, limit, last);
      long from = range[0];
      long to = range[1];
      Future<JsonArray> messages;
      if (to < from) {
        messages = Future.succeededFuture(new JsonArray());
      } else if (page != null && guess[0] <= from && to <= guess[1]) {
        messages = reader.pageFrom(channelId, replies.get(2), guess[0], guess[1], guessLast, from, to);
      } else {
        messages = reader.page(channelId, from, to, last);
      }
      return messages.map(m -> new JsonObject()
          .put("channelId", channelId)
          .put("messages", m)
          .put("channelSeq", last)
          .put("hasBefore", from > 1 && to >= from)
          .put("hasAfter", to < last));
    }));
  }

  /** The seqs from..to of the page asked (before, after, around or the latest) when the channel's last seq is last. */
  private static long[] pageRange(JsonObject data, int limit, long last) {
    long from;
    long to;
    if (data.containsKey("before")) {
      to = Math.min(last, data.getLong("before") - 1);
      from = Math.max(1, to - limit + 1);
    } else if (data.containsKey("after")) {
      from = data.getLong("after") + 1;
      to = Math.min(last, from + limit - 1);
    } else if (data.containsKey("around")) {
      long around = data.getLong("around");
      from = Math.max(1, around - limit / 2);
      to = Math.min(last, from + limit - 1);
      from = Math.max(1, Math.min(from, to - limit + 1));
    } else {
      to = last;
      from = Math.max(1, last - limit + 1);
    }
    return new long[] {from, to};
  }

  /** Remembers a channel's last seq, the guess of its next history page (bounded: forgets everything when full). */
  private void rememberLastSeq(String channelId, long last) {
    if (lastSeqSeen.size() >= LAST_SEQ_SEEN_MAX && !lastSeqSeen.containsKey(channelId)) {
      lastSeqSeen.clear();
    }
    lastSeqSeen.put(channelId, last);
  }

  @Override
  public Future<JsonObject> threadHistory(Principal p, JsonObject data) {
    String channelId = data.getString("channelId");
    String rootId = data.getString("messageId");
    int limit = data.getLong("limit", 50L).intValue();
    return access(p, channelId)
        .compose(a -> db.send(Command.HGET, MessagingKeys.messageIds(channelId), rootId))
        .compose(seq -> {
          if (seq == null) {
            return Future.failedFuture(RelaisException.notFound("No such message"));
          }
          long rootSeq = seq.toLong();
          return reader.message(channelId, rootSeq).compose(root -> {
            if (root.getString("threadRootId") != null) {
              return Future.failedFuture(RelaisException.badRequest("data.messageId: not a thread root"));
            }
            return db.send(Command.LRANGE, MessagingKeys.thread(channelId, rootSeq), 0, -1).compose(r -> {
              List<String> all = Responses.toList(r);
              long after = data.getLong("after", 0L);
              List<Long> seqs = new ArrayList<>();
              for (String s : all) {
                long n = Long.parseLong(s);
                if (n > after && seqs.size() < limit) {
                  seqs.add(n);
                }
              }
              return reader.pageOf(channelId, seqs).map(replies -> new JsonObject()
                  .put("channelId", channelId)
                  .put("root", root)
                  .put("replies", replies)
                  .put("hasAfter", all.stream().mapToLong(Long::parseLong).filter(n -> n > after).count() > seqs.size()));
            });
          });
        });
  }

  @Override
  public Future<JsonObject> markRead(Principal p, String channelId, long seq) {
    return access(p, channelId).compose(MessagingServiceImpl::requireMember)
        .compose(a -> db.eval(MARK_READ, List.of(MessagingKeys.channel(channelId)), List.of(p.userId(), String.valueOf(seq))))
        .compose(r -> {
          long marker = r.get(0).toLong();
          long last = r.get(1).toLong();
          JsonObject state = new JsonObject().put("channelId", channelId).put("lastReadSeq", marker)
              .put("unreadCount", Math.max(0, last - marker)).put("mentionCount", r.get(2).toLong());
          return events.toUsers(List.of(p.userId()), "read.updated", state).map(state);
        });
  }

  @Override
  public Future<JsonObject> typing(Principal p, JsonObject data) {
    String channelId = data.getString("channelId");
    return access(p, channelId).compose(MessagingServiceImpl::requireMember)
        .compose(a -> db.send(Command.SET, MessagingKeys.typing(channelId, p.userId()), "1", "PX", 2_500, "NX"))
        .compose(set -> {
          if (set == null) {
            return Future.succeededFuture(new JsonObject().put("sent", false));
          }
          JsonObject typing = new JsonObject().put("channelId", channelId).put("userId", p.userId());
          if (data.containsKey("threadRootId")) {
            typing.put("threadRootId", data.getString("threadRootId"));
          }
          return publish(channelId, new JsonObject().put("ev", "typing").put("data", typing).encode())
              .map(v -> new JsonObject().put("sent", true));
        });
  }

  // ---------------------------------------------------------------- gateway support

  @Override
  public Future<LogRange> readLog(String channelId, long after, long upTo, int max) {
    if (upTo <= after) {
      return Future.succeededFuture(new LogRange(List.of(), true, after));
    }
    return db.send(Command.XRANGE, MessagingKeys.log(channelId), (after + 1) + "-0", upTo + "-0", "COUNT", max).map(r -> {
      List<String> out = new ArrayList<>();
      long expected = after + 1;
      boolean complete = true;
      long last = after;
      for (Response entry : r) {
        long offset = Long.parseLong(entry.get(0).toString().split("-")[0]);
        if (offset != expected) {
          complete = false;
          break;
        }
        Response fields = entry.get(1);
        for (int i = 0; i + 1 < fields.size(); i += 2) {
          if ("e".equals(fields.get(i).toString())) {
            out.add(fields.get(i + 1).toString());
          }
        }
        last = offset;
        expected++;
      }
      if (out.isEmpty()) {
        complete = false;
      }
      return new LogRange(out, complete, last);
    });
  }

  @Override
  public Future<Long> lastOffset(String channelId) {
    return db.send(Command.HGET, MessagingKeys.channel(channelId), "offset").map(r -> r == null ? 0L : r.toLong());
  }

  @Override
  public Future<String> epoch() {
    return db.send(Command.GET, MessagingKeys.epoch()).compose(r -> {
      if (r != null) {
        return Future.succeededFuture(r.toString());
      }
      return db.send(Command.SET, MessagingKeys.epoch(), Ids.newId(), "NX")
          .compose(x -> db.send(Command.GET, MessagingKeys.epoch()))
          .map(Responses::str);
    });
  }

  @Override
  public Future<Map<String, List<String>>> presenceChannelsOf(Collection<String> userIds) {
    List<String> users = List.copyOf(new LinkedHashSet<>(userIds));
    if (users.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<Request> reads = new ArrayList<>(users.size());
    for (String user : users) {
      reads.add(Request.cmd(Command.SMEMBERS).arg(MessagingKeys.userChannels(user)));
    }
    return db.batch(reads).compose(replies -> {
      Map<String, List<String>> byUser = new HashMap<>();
      Map<String, Integer> index = new HashMap<>();
      List<String> channels = new ArrayList<>();
      for (int i = 0; i < users.size(); i++) {
        List<String> ids = Responses.toList(replies.get(i));
        byUser.put(users.get(i), ids);
        for (String id : ids) {
          if (index.putIfAbsent(id, channels.size()) == null) {
            channels.add(id);
          }
        }
      }
      if (channels.isEmpty()) {
        return Future.succeededFuture(byUser);
      }
      List<Request> counts = new ArrayList<>(channels.size());
      for (String id : channels) {
        counts.add(Request.cmd(Command.HGET).arg(MessagingKeys.channel(id)).arg("memberCount"));
      }
      return db.batch(counts).map(replies2 -> {
        boolean[] watched = new boolean[channels.size()];
        for (int i = 0; i < channels.size(); i++) {
          watched[i] = Responses.num(replies2.get(i)) <= settings.maxPresenceFanout();
        }
        Map<String, List<String>> out = new HashMap<>();
        byUser.forEach((user, ids) -> {
          List<String> kept = new ArrayList<>(ids.size());
          for (String id : ids) {
            if (watched[index.get(id)]) {
              kept.add(id);
            }
          }
          out.put(user, kept);
        });
        return out;
      });
    });
  }

}
