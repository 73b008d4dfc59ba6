package org.relais.messaging;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(MessageReader.class);
  private static final LuaScript HISTORY = LuaScript.withLibrary(MessageReader.class, "messaging_lib", "messaging_history");
  private static final LuaScript BLOCKS = LuaScript.withLibrary(MessageReader.class, "messaging_lib", "messaging_blocks");
  /** Renderings per block (messaging_lib.lua's RENDERING_BLOCK). */
  static final int BLOCK = 10;
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
   * hash ({@link MessagingKeys#renderings}) for the blocks of {@link #BLOCK} renderings the page covers and the
   * renderings of the seqs outside whole blocks ({@link #pageRequest}), the renderings' bytes put in the reply as
   * Redis sent them ({@link RawJson#ofUtf8}: never made into strings on the way to the socket). A block not stored
   * (data written by a version without blocks) is read rendering by rendering and built again
   * (messaging_blocks.lua); seqs without a rendering (messages stored before renderings were kept there, or that do
   * not exist) go through messaging_history.lua, which renders and stores those that exist.
   *
   * @param last the channel's last seq: a block past it is not whole, so not asked for
   */
  Future<JsonArray> page(String channelId, long from, long to, long last) {
    if (to < from) {
      return Future.succeededFuture(new JsonArray());
    }
    return db.send(pageRequest(channelId, from, to, last))
        .compose(r -> pageFrom(channelId, r, from, to, last, from, to));
  }

  /**
   * The HMGET of the renderings of seqs from..to (to ≥ from) when the channel's last seq is (thought to be) last:
   * the field of each block of {@link #BLOCK} seqs that the range covers whole or in part, if the block is whole
   * (its last seq ≤ last) and the range needs at least two of its renderings; the seqs' own fields otherwise. To send
   * in a batch and give to {@link #pageFrom} with the same from, to and last.
   */
  static Request pageRequest(String channelId, long from, long to, long last) {
    Request hmget = Request.cmd(Command.HMGET).arg(MessagingKeys.renderings(channelId));
    for (long k = block(from); k <= block(to); k++) {
      long lo = Math.max(from, k * BLOCK + 1);
      long hi = Math.min(to, (k + 1) * BLOCK);
      if (usesBlock(k, lo, hi, last)) {
        hmget.arg("b" + k);
      } else {
        for (long s = lo; s <= hi; s++) {
          hmget.arg(s);
        }
      }
    }
    return hmget;
  }

  /** The block of a seq. */
  static long block(long seq) {
    return (seq - 1) / BLOCK;
  }

  private static boolean usesBlock(long k, long lo, long hi, long last) {
    return (k + 1) * BLOCK <= last && hi > lo;
  }

  /**
   * The page of seqs from..to out of the reply r of {@link #pageRequest} for seqs first..end with that last, which
   * must cover them (first ≤ from, to ≤ end).
   */
  Future<JsonArray> pageFrom(String channelId, Response r, long first, long end, long last, long from, long to) {
    if (to < from) {
      return Future.succeededFuture(new JsonArray());
    }
    Buffer[] parts = new Buffer[(int) (end - first + 1)];
    List<Long> unblocked = null;
    List<String> rebuild = null;
    int field = 0;
    for (long k = block(first); k <= block(end); k++) {
      long lo = Math.max(first, k * BLOCK + 1);
      long hi = Math.min(end, (k + 1) * BLOCK);
      if (!usesBlock(k, lo, hi, last)) {
        for (long s = lo; s <= hi; s++) {
          Response v = r.get(field++);
          parts[(int) (s - first)] = v == null ? null : v.toBuffer();
        }
        continue;
      }
      Response v = r.get(field++);
      Buffer[] block = v == null ? null : split(v.toBuffer());
      if (block == null) {
        // not stored (data from a version without blocks, or one of its renderings missing), or not whole after
        // all (a guessed last seq): read one by one, and asked to be built
        if (rebuild == null) {
          unblocked = new ArrayList<>();
          rebuild = new ArrayList<>();
        }
        rebuild.add(String.valueOf(k));
        for (long s = lo; s <= hi; s++) {
          unblocked.add(s);
        }
        continue;
      }
      for (long s = lo; s <= hi; s++) {
        parts[(int) (s - first)] = block[(int) (s - k * BLOCK - 1)];
      }
    }
    if (rebuild == null) {
      return joined(channelId, parts, (int) (from - first), (int) (to - from + 1), from);
    }
    db.eval(BLOCKS, List.of(MessagingKeys.channel(channelId)), rebuild)
        .onFailure(e -> LOG.debug("blocks of channel {} not built again: {}", channelId, e.getMessage()));
    List<Long> missing = unblocked;
    Request hmget = Request.cmd(Command.HMGET).arg(MessagingKeys.renderings(channelId));
    missing.forEach(hmget::arg);
    return db.send(hmget).compose(m -> {
      for (int i = 0; i < missing.size(); i++) {
        Response v = m.get(i);
        parts[(int) (missing.get(i) - first)] = v == null ? null : v.toBuffer();
      }
      return joined(channelId, parts, (int) (from - first), (int) (to - from + 1), from);
    });
  }

  /**
   * A block's BLOCK renderings (slices of its bytes, split at the newlines), or null if it does not hold BLOCK. The
   * newlines are found by Netty's search over the reply's bytes (several bytes at a time), not byte by byte.
   */
  static Buffer[] split(Buffer b) {
    ByteBuf buf = b instanceof BufferInternal internal ? internal.getByteBuf() : Unpooled.wrappedBuffer(b.getBytes());
    int base = buf.readerIndex();
    int end = base + buf.readableBytes();
    Buffer[] out = new Buffer[BLOCK];
    int start = base;
    for (int n = 0; n < BLOCK - 1; n++) {
      int nl = buf.indexOf(start, end, (byte) '\n');
      if (nl < 0) {
        return null;
      }
      out[n] = b.slice(start - base, nl - base);
      start = nl + 1;
    }
    if (buf.indexOf(start, end, (byte) '\n') >= 0) {
      return null;
    }
    out[BLOCK - 1] = b.slice(start - base, end - base);
    return out;
  }

  /** The messages with these seqs that exist, in this order, as their stored renderings. */
  Future<JsonArray> pageOf(String channelId, List<Long> seqs) {
    if (seqs.isEmpty()) {
      return Future.succeededFuture(new JsonArray());
    }
    Request hmget = Request.cmd(Command.HMGET).arg(MessagingKeys.renderings(channelId));
    seqs.forEach(s -> hmget.arg(s));
    return db.send(hmget).compose(r -> {
      Buffer[] parts = new Buffer[r.size()];
      for (int i = 0; i < parts.length; i++) {
        parts[i] = r.get(i) == null ? null : r.get(i).toBuffer();
      }
      return joined(channelId, parts, 0, seqs);
    });
  }

  /**
   * Renderings start..start+n-1 of parts (seqs from, from+1, …, or the listed seqs) as one array, the missing ones
   * (null) made first.
   */
  private Future<JsonArray> joined(String channelId, Buffer[] all, int start, int n, long from) {
    Buffer[] parts = new Buffer[n];
    System.arraycopy(all, start, parts, 0, n);
    return joined(channelId, parts, from, null);
  }

  private Future<JsonArray> joined(String channelId, Buffer[] parts, long from, List<Long> listed) {
    int n = parts.length;
    List<String> args = null;
    for (int i = 0; i < n; i++) {
      if (parts[i] == null) {
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
