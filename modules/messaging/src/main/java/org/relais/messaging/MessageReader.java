package org.relais.messaging;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
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
 * Reads messages: pages as the JSON renderings the scripts store per message in the channel's json hash
 * (messaging_lib.lua, store_rendering), single messages from their hash fields ({@link #toJson}) — the same shape, which is also the one
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
   * Messages with seq from..to inclusive, in order, as their stored renderings: one HMGET of the channel's json
   * hash ({@link MessagingKeys#renderings}), the renderings' bytes put in the reply as Redis sent them
   * ({@link RawJson#ofUtf8}: never made into strings on the way to the socket). Seqs without a rendering
   * (messages stored before renderings were kept there, or that do not exist) go through messaging_history.lua,
   * which renders and stores those that exist.
   */
  Future<JsonArray> page(String channelId, long from, long to) {
    if (to < from) {
      return Future.succeededFuture(new JsonArray());
    }
    return db.send(pageRequest(channelId, from, to)).compose(r -> pageFrom(channelId, r, from, from, to));
  }

  /** The HMGET of the renderings of seqs from..to (to ≥ from), to send in a batch and give to {@link #pageFrom}. */
  static Request pageRequest(String channelId, long from, long to) {
    Request hmget = Request.cmd(Command.HMGET).arg(MessagingKeys.renderings(channelId));
    for (long s = from; s <= to; s++) {
      hmget.arg(s);
    }
    return hmget;
  }

  /**
   * The page of seqs from..to out of the reply r of {@link #pageRequest} for seqs first.., which must cover them
   * (first ≤ from, to < first + r.size()).
   */
  Future<JsonArray> pageFrom(String channelId, Response r, long first, long from, long to) {
    if (to < from) {
      return Future.succeededFuture(new JsonArray());
    }
    return joined(channelId, r, (int) (from - first), (int) (to - from + 1), from, null);
  }

  /** The messages with these seqs that exist, in this order, as their stored renderings. */
  Future<JsonArray> pageOf(String channelId, List<Long> seqs) {
    if (seqs.isEmpty()) {
      return Future.succeededFuture(new JsonArray());
    }
    Request hmget = Request.cmd(Command.HMGET).arg(MessagingKeys.renderings(channelId));
    seqs.forEach(s -> hmget.arg(s));
    return db.send(hmget).compose(r -> joined(channelId, r, 0, r.size(), 0, seqs));
  }

  /**
   * Replies start..start+n-1 of the HMGET reply r (seqs from, from+1, … or the listed seqs) as one array, the
   * missing renderings made first.
   */
  private Future<JsonArray> joined(String channelId, Response r, int start, int n, long from, List<Long> listed) {
    Buffer[] parts = new Buffer[n];
    List<String> args = null;
    for (int i = 0; i < n; i++) {
      Response v = r.get(start + i);
      if (v != null) {
        parts[i] = v.toBuffer();
      } else {
        if (args == null) {
          args = new ArrayList<>();
          args.add(channelId);
        }
        args.add(String.valueOf(listed == null ? from + i : listed.get(i)));
      }
    }
    if (args == null) {
      return Future.succeededFuture(RawJson.ofUtf8(present(parts)));
    }
    return db.eval(HISTORY, List.of(MessagingKeys.channel(channelId)), args).map(made -> {
      int k = 0;
      for (int i = 0; i < n; i++) {
        if (parts[i] == null) {
          parts[i] = made.get(k++).toBuffer();
        }
      }
      return RawJson.ofUtf8(present(parts));
    });
  }

  /** The non-empty renderings, in order (their bytes as Redis sent them: see {@link RawJson#ofUtf8}). */
  private static List<Buffer> present(Buffer[] parts) {
    List<Buffer> out = new ArrayList<>(parts.length);
    for (Buffer p : parts) {
      if (p.length() > 0) {
        out.add(p);
      }
    }
    return out;
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
