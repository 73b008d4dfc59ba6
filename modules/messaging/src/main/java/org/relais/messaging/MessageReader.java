package org.relais.messaging;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.relais.core.RawJson;
import org.relais.core.RelaisException;
import org.relais.redis.LuaScript;
import org.relais.redis.RedisDb;
import org.relais.redis.Responses;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Reads messages: pages as the JSON renderings the scripts store with each message (messaging_lib.lua,
 * render_message), single messages from their hash fields ({@link #toJson}) — the same shape, which is also the one
 * messaging_send.lua writes into message.new, so that history and live events agree.
 */
final class MessageReader {
  private static final LuaScript HISTORY = LuaScript.withLibrary(MessageReader.class, "messaging_lib", "messaging_history");
  private final RedisDb db;

  MessageReader(RedisDb db) {
    this.db = db;
  }

  Future<JsonObject> message(String channelId, long seq) {
    return db.send(Command.HGETALL, MessagingKeys.message(channelId, seq)).compose(r -> {
      Map<String, String> h = Responses.toMap(r);
      if (h.isEmpty()) {
        return Future.failedFuture(RelaisException.notFound("No such message"));
      }
      return Future.succeededFuture(toJson(channelId, h));
    });
  }

  /**
   * Messages with seq from..to inclusive, in order, as their stored renderings (messaging_history.lua): the page
   * is one script call and one string, put in the reply as it is ({@link RawJson#array}).
   */
  Future<JsonArray> page(String channelId, long from, long to) {
    if (to < from) {
      return Future.succeededFuture(new JsonArray());
    }
    return rendered(channelId, List.of(channelId, "range", String.valueOf(from), String.valueOf(to)));
  }

  /** The messages with these seqs that exist, in this order, as their stored renderings. */
  Future<JsonArray> pageOf(String channelId, List<Long> seqs) {
    if (seqs.isEmpty()) {
      return Future.succeededFuture(new JsonArray());
    }
    List<String> args = new ArrayList<>(seqs.size() + 2);
    args.add(channelId);
    args.add("list");
    seqs.forEach(s -> args.add(String.valueOf(s)));
    return rendered(channelId, args);
  }

  private Future<JsonArray> rendered(String channelId, List<String> args) {
    return db.eval(HISTORY, List.of(MessagingKeys.channel(channelId)), args).map(r -> RawJson.array(r.toString()));
  }

  /** The wire shape of a message hash; messaging_lib.lua's render_message gives the same (MessageRenderingTest). */
  static JsonObject toJson(String channelId, Map<String, String> h) {
    JsonObject m = new JsonObject()
        .put("id", h.get("id"))
        .put("channelId", channelId)
        .put("seq", Long.parseLong(h.get("seq")))
        .put("authorId", h.get("authorId"))
        .put("clientMsgId", h.get("clientMsgId"))
        .put("text", h.getOrDefault("text", ""))
        .put("createdAt", h.get("createdAt"));
    if (notEmpty(h.get("editedAt"))) {
      m.put("editedAt", h.get("editedAt"));
    }
    if (notEmpty(h.get("threadRootId"))) {
      m.put("threadRootId", h.get("threadRootId"));
    }
    m.put("replyCount", notEmpty(h.get("replyCount")) ? Long.parseLong(h.get("replyCount")) : 0L);
    if (notEmpty(h.get("lastReplyAt"))) {
      m.put("lastReplyAt", h.get("lastReplyAt"));
    }
    m.put("mentions", new JsonArray(notEmpty(h.get("mentions")) ? h.get("mentions") : "[]"));
    m.put("mentionsChannel", "1".equals(h.get("mentionsChannel")));
    m.put("reactions", reactions(h.get("reactions")));
    if ("1".equals(h.get("deleted"))) {
      m.put("deleted", true).put("deletedAt", h.get("deletedAt"));
    }
    return m;
  }

  /** {emoji: [userIds]} as stored, as [{emoji, count, userIds}] by count, then emoji. */
  private static JsonArray reactions(String stored) {
    JsonArray out = new JsonArray();
    if (!notEmpty(stored) || stored.equals("{}")) {
      return out;
    }
    JsonObject byEmoji = new JsonObject(stored);
    List<JsonObject> list = new ArrayList<>();
    for (String emoji : byEmoji.fieldNames()) {
      JsonArray users = byEmoji.getJsonArray(emoji);
      list.add(new JsonObject().put("emoji", emoji).put("count", users.size()).put("userIds", users));
    }
    list.sort(Comparator.comparingInt((JsonObject r) -> -r.getInteger("count")).thenComparing(r -> r.getString("emoji")));
    list.forEach(out::add);
    return out;
  }

  private static boolean notEmpty(String s) {
    return s != null && !s.isEmpty();
  }
}
