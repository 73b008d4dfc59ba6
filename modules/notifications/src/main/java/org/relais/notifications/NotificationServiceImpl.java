package org.relais.notifications;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.relais.core.EventSink;
import org.relais.core.Ids;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.identity.IdentityService;
import org.relais.identity.User;
import org.relais.messaging.MessagingObserver;
import org.relais.messaging.MessagingService;
import org.relais.redis.LuaScript;
import org.relais.redis.RedisDb;
import org.relais.redis.Responses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

final class NotificationServiceImpl implements NotificationService {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationService.class);
  private static final LuaScript ADD = LuaScript.load(NotificationServiceImpl.class, "notifications_add");
  private static final LuaScript GATE = LuaScript.load(NotificationServiceImpl.class, "notifications_gate");
  private static final LuaScript CLAIM = LuaScript.load(NotificationServiceImpl.class, "notifications_claim_due");
  private static final LuaScript TAKE = LuaScript.load(NotificationServiceImpl.class, "notifications_take_gate");
  private static final int MAX_PREFERENCES = 2_000;

  private final Vertx vertx;
  private final RedisDb db;
  private final IdentityService identity;
  private final EventSink events;
  private final PushService push;
  private final OnlineCheck online;
  private final NotificationSettings settings;
  private final MessageNotifier notifier;
  private long timer = -1;

  NotificationServiceImpl(Vertx vertx, RedisDb db, IdentityService identity, MessagingService messaging,
                          EventSink events, PushService push, OnlineCheck online, NotificationSettings settings) {
    this.vertx = vertx;
    this.db = db;
    this.identity = identity;
    this.events = events;
    this.push = push;
    this.online = online;
    this.settings = settings;
    this.notifier = new MessageNotifier(this, db, identity, messaging);
  }

  @Override
  public MessagingObserver messagingObserver() {
    return notifier;
  }

  /** What is needed to decide and word a notification for one person. */
  private record Recipient(User user, Preferences prefs) {
  }

  private Future<Recipient> recipient(String userId) {
    return identity.usersById(List.of(userId)).compose(users -> {
      User user = users.get(userId);
      if (user == null) {
        return Future.failedFuture(RelaisException.notFound("No such user"));
      }
      return db.send(Command.HGETALL, NotificationKeys.prefs(userId))
          .map(r -> new Recipient(user, Preferences.fromHash(Responses.toMap(r))));
    });
  }

  @Override
  public Future<Void> notify(Notification n) {
    return recipient(n.userId()).compose(r -> {
      if (!r.user().isActive() || !r.prefs().wants(n.kind(), n.channelId())) {
        return Future.<Void>succeededFuture();
      }
      String locale = r.user().locale();
      Object[] args = n.args().toArray();
      String title = Catalog.title(locale, n.kind(), args);
      String body = Catalog.body(locale, n.kind(), args);
      String id = Ids.newId();
      long now = System.currentTimeMillis();
      JsonObject json = new JsonObject().put("id", id).put("kind", n.kind().wire()).put("title", title)
          .put("body", body).put("target", n.target()).put("createdAt", java.time.Instant.ofEpochMilli(now).toString())
          .put("read", false);
      List<String> argv = new ArrayList<>(List.of(n.dedupeKey(), String.valueOf(settings.dedupeSeconds()), id,
          String.valueOf(now), String.valueOf(settings.maxPerUser()),
          String.valueOf(now - settings.retentionDays() * 86_400_000L),
          "id", id, "kind", n.kind().wire(), "title", title, "body", body, "target", n.target().encode(),
          "createdAt", json.getString("createdAt")));
      return db.eval(ADD, List.of(NotificationKeys.user(n.userId())), argv).compose(res -> {
        if (res.get(0).toInteger() == 0) {
          return Future.<Void>succeededFuture();
        }
        long unread = res.get(1).toLong();
        return events.toUsers(List.of(n.userId()), "notification.new", new JsonObject().put("notification", json))
            .compose(v -> events.toUsers(List.of(n.userId()), "notification.count", new JsonObject().put("unreadCount", unread)))
            .compose(v -> maybePush(r, n, json, title, body));
      });
    }).recover(e -> {
      LOG.warn("notification {} for user {} not delivered: {}", n.kind().wire(), n.userId(), e.getMessage());
      return Future.succeededFuture();
    });
  }

  private Future<Void> maybePush(Recipient r, Notification n, JsonObject json, String title, String body) {
    Preferences prefs = r.prefs();
    if (prefs.push().equals("never") || prefs.inQuietHours(ZonedDateTime.now(zone(r.user())).toLocalTime())) {
      return Future.succeededFuture();
    }
    Future<Boolean> live = prefs.push().equals("always") ? Future.succeededFuture(false) : online.isOnline(n.userId());
    return live.compose(isOnline -> {
      if (isOnline) {
        return Future.<Void>succeededFuture();
      }
      String url = url(n.target());
      String text = n.sensitive() ? Catalog.text(r.user().locale(), "push.sensitive", n.args().toArray()) : body;
      JsonObject payload = new JsonObject().put("title", title).put("body", shorten(text, 240)).put("url", url)
          .put("tag", n.group() != null ? n.group() : json.getString("id"))
          .put("notificationId", json.getString("id")).put("kind", n.kind().wire());
      String urgency = n.kind() == NotificationKind.MENTION || n.kind() == NotificationKind.DIRECT
          || n.kind() == NotificationKind.EVENT_REMINDER ? "high" : "normal";
      // Mentions and invitations go at once; only the flow of a conversation is coalesced.
      boolean coalesced = n.group() != null && (n.kind() == NotificationKind.DIRECT || n.kind() == NotificationKind.MESSAGE);
      if (!coalesced) {
        return push.send(n.userId(), payload, urgency, null).<Void>mapEmpty();
      }
      String label = n.args().size() > 1 ? n.args().get(1) : "";
      return db.eval(GATE, List.of(NotificationKeys.gate(n.userId(), n.group())),
              List.of(String.valueOf(settings.coalesceMs()), label, url))
          .compose(decision -> "send".equals(decision.toString())
              ? scheduleSummary(n.userId(), n.group()).compose(v -> push.send(n.userId(), payload, urgency, n.group()))
                  .<Void>mapEmpty()
              : Future.<Void>succeededFuture());
    });
  }

  /**
   * Puts a window that just opened in the due set, for its summary push. A separate step from the window itself
   * (another Redis Cluster slot): if it fails, that window ends without a summary (its hash expires by itself).
   */
  private Future<Void> scheduleSummary(String userId, String group) {
    return db.send(Command.ZADD, NotificationKeys.due(), System.currentTimeMillis() + settings.coalesceMs(),
            userId + "|" + group)
        .<Void>mapEmpty()
        .recover(e -> {
          LOG.warn("coalescing window of {} not scheduled; it ends without a summary: {}", userId, e.toString());
          return Future.succeededFuture();
        });
  }

  private static ZoneId zone(User u) {
    try {
      return ZoneId.of(u.timeZone());
    } catch (RuntimeException e) {
      return ZoneId.of("UTC");
    }
  }

  static String url(JsonObject target) {
    if (target.containsKey("channelId")) {
      return "/#/c/" + target.getString("channelId") + (target.containsKey("seq") ? "/" + target.getLong("seq") : "");
    }
    if (target.containsKey("eventId")) {
      return "/#/e/" + target.getString("eventId");
    }
    if (target.containsKey("requestId")) {
      return "/#/p/" + target.getString("requestId");
    }
    return "/";
  }

  /** At most {@code max} characters (code points: an emoji is never cut in half). */
  static String shorten(String text, int max) {
    if (text.codePointCount(0, text.length()) <= max) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, max - 1)) + "…";
  }

  /** Sends the summary push of each coalescing window that ended with pushes held back. */
  private void sweep() {
    db.eval(CLAIM, List.of(NotificationKeys.due()), List.of(String.valueOf(System.currentTimeMillis()), "200"))
        .onSuccess(r -> {
          for (Response claimed : r) {
            String member = claimed.toString();
            String user = member.substring(0, member.indexOf('|'));
            String group = member.substring(member.indexOf('|') + 1);
            db.eval(TAKE, List.of(NotificationKeys.gate(user, group)), List.of()).onSuccess(g -> {
              if (g.size() < 3 || g.get(0).toLong() <= 0) {
                return;
              }
              summarize(user, group, g.get(0).toLong(), g.get(1).toString(), g.get(2).toString());
            });
          }
        });
  }

  /** Pushes the summary of a window that held {@code held} pushes back, unless the person is online or in quiet hours. */
  private void summarize(String user, String group, long held, String label, String url) {
    recipient(user).compose(rc -> {
      Preferences prefs = rc.prefs();
      if (prefs.push().equals("never") || prefs.inQuietHours(ZonedDateTime.now(zone(rc.user())).toLocalTime())) {
        return Future.succeededFuture();
      }
      return (prefs.push().equals("always") ? Future.succeededFuture(false) : online.isOnline(user)).compose(on -> {
        if (on) {
          return Future.succeededFuture();
        }
        String text = Catalog.text(rc.user().locale(), "push.coalesced", held, label);
        return push.send(user, new JsonObject().put("title", label).put("body", text).put("url", url)
            .put("tag", group).put("count", held), "normal", group).mapEmpty();
      });
    });
  }

  @Override
  public void start() {
    timer = vertx.setPeriodic(Math.max(250, Math.min(1_000, settings.coalesceMs() / 10)), t -> sweep());
  }

  @Override
  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  // ---------------------------------------------------------------- the center

  @Override
  public Future<JsonObject> list(Principal p, JsonObject data) {
    boolean unreadOnly = data.getBoolean("unreadOnly", false);
    int limit = data.getLong("limit", 50L).intValue();
    long before = data.getLong("before", Long.MAX_VALUE);
    String uid = p.userId();
    Future<List<String>> ids = unreadOnly
        ? db.send(Command.SMEMBERS, NotificationKeys.unread(uid)).map(Responses::toList)
        : db.send(Command.ZREVRANGEBYSCORE, NotificationKeys.list(uid), "(" + (before == Long.MAX_VALUE ? "+inf" : String.valueOf(before)),
            "-inf", "LIMIT", 0, limit + 1).map(Responses::toList);
    return ids.compose(list -> {
      List<Request> reads = new ArrayList<>();
      for (String id : list) {
        reads.add(Request.cmd(Command.HGETALL).arg(NotificationKeys.notificationPrefix(uid) + id));
      }
      reads.add(Request.cmd(Command.SMEMBERS).arg(NotificationKeys.unread(uid)));
      return db.batch(reads).map(replies -> {
        List<String> unread = Responses.toList(replies.get(replies.size() - 1));
        List<JsonObject> items = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          Map<String, String> h = Responses.toMap(replies.get(i));
          if (!h.isEmpty()) {
            items.add(toJson(h, unread.contains(h.get("id"))));
          }
        }
        items.sort(Comparator.comparing((JsonObject o) -> o.getString("createdAt")).reversed()
            .thenComparing(o -> o.getString("id"), Comparator.reverseOrder()));
        if (unreadOnly) {
          items = items.stream().filter(o -> before == Long.MAX_VALUE
              || java.time.Instant.parse(o.getString("createdAt")).toEpochMilli() < before).toList();
        }
        JsonArray page = new JsonArray();
        items.stream().limit(limit).forEach(page::add);
        JsonObject reply = new JsonObject().put("notifications", page).put("unreadCount", unread.size());
        if (items.size() > limit) {
          reply.put("nextBefore", java.time.Instant.parse(items.get(limit - 1).getString("createdAt")).toEpochMilli());
        }
        return reply;
      });
    });
  }

  private static JsonObject toJson(Map<String, String> h, boolean unread) {
    return new JsonObject().put("id", h.get("id")).put("kind", h.get("kind")).put("title", h.get("title"))
        .put("body", h.get("body")).put("target", new JsonObject(h.getOrDefault("target", "{}")))
        .put("createdAt", h.get("createdAt")).put("read", !unread);
  }

  @Override
  public Future<JsonObject> markRead(Principal p, JsonObject data) {
    String uid = p.userId();
    Future<Response> change;
    if (data.getBoolean("all", false)) {
      change = db.send(Command.DEL, NotificationKeys.unread(uid));
    } else {
      JsonArray ids = data.getJsonArray("ids", new JsonArray());
      if (ids.isEmpty()) {
        return Future.failedFuture(RelaisException.badRequest("data: give ids, or all: true"));
      }
      Request srem = Request.cmd(Command.SREM).arg(NotificationKeys.unread(uid));
      ids.forEach(id -> srem.arg(String.valueOf(id)));
      change = db.send(srem);
    }
    return change.compose(v -> db.send(Command.SCARD, NotificationKeys.unread(uid))).compose(count -> {
      JsonObject state = new JsonObject().put("unreadCount", count.toLong());
      return events.toUsers(List.of(uid), "notification.count", state).map(state);
    });
  }

  // ---------------------------------------------------------------- preferences

  @Override
  public Future<JsonObject> preferences(Principal p) {
    return db.send(Command.HGETALL, NotificationKeys.prefs(p.userId()))
        .map(r -> new JsonObject().put("preferences", Preferences.fromHash(Responses.toMap(r)).toJson()));
  }

  @Override
  public Future<JsonObject> setPreferences(Principal p, JsonObject data) {
    String uid = p.userId();
    List<Request> writes = new ArrayList<>();
    Request hset = Request.cmd(Command.HSET).arg(NotificationKeys.prefs(uid));
    Request hdel = Request.cmd(Command.HDEL).arg(NotificationKeys.prefs(uid));
    boolean[] any = new boolean[2];
    JsonObject channels = data.getJsonObject("channels", new JsonObject());
    for (String cid : channels.fieldNames()) {
      String level = channels.getString(cid);
      hset.arg("channel:" + cid).arg(level);
      any[0] = true;
      writes.add(Request.cmd(level.equals("all") ? Command.SADD : Command.SREM).arg(NotificationKeys.channelAll(cid)).arg(uid));
    }
    JsonObject kinds = data.getJsonObject("kinds", new JsonObject());
    for (String kind : kinds.fieldNames()) {
      NotificationKind.fromWire(kind);
      if (kinds.getBoolean(kind)) {
        hdel.arg("kind:" + kind);
        any[1] = true;
      } else {
        hset.arg("kind:" + kind).arg("off");
        any[0] = true;
      }
    }
    if (data.containsKey("quietHours")) {
      JsonObject quiet = data.getJsonObject("quietHours");
      if (quiet.getBoolean("off", false)) {
        hdel.arg("quiet");
        any[1] = true;
      } else {
        if (!quiet.containsKey("start") || !quiet.containsKey("end") || quiet.getString("start").equals(quiet.getString("end"))) {
          return Future.failedFuture(RelaisException.badRequest("data.quietHours: give start and end (HH:mm, different), or off: true"));
        }
        hset.arg("quiet").arg(quiet.getString("start") + "-" + quiet.getString("end"));
        any[0] = true;
      }
    }
    if (data.containsKey("push")) {
      hset.arg("push").arg(data.getString("push"));
      any[0] = true;
    }
    if (any[0]) {
      writes.add(hset);
    }
    if (any[1]) {
      writes.add(hdel);
    }
    return db.send(Command.HLEN, NotificationKeys.prefs(uid)).compose(size -> size.toLong() + channels.size() > MAX_PREFERENCES
        ? Future.failedFuture(RelaisException.conflict("Too many channel preferences; reset some first"))
        : db.batch(writes)).compose(v -> preferences(p));
  }

  static boolean between(LocalTime t, LocalTime start, LocalTime end) {
    return start.isBefore(end) ? !t.isBefore(start) && t.isBefore(end) : !t.isBefore(start) || t.isBefore(end);
  }
}
