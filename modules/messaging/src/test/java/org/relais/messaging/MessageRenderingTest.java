package org.relais.messaging;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.ErrorCode;
import org.relais.core.EventSink;
import org.relais.core.Ids;
import org.relais.core.JsonFrames;
import org.relais.core.Principal;
import org.relais.core.RawJson;
import org.relais.core.RelaisException;
import org.relais.core.Role;
import org.relais.redis.ManagedRedis;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;
import org.relais.redis.Responses;
import org.relais.tests.redis.TestRedis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stored renderings of messages (the channel's json hash, written by the Lua scripts and read by history as it is) against
 * MessageReader.toJson, the wire shape built from the hash fields: for every state a message can be in.
 */
class MessageRenderingTest {
  private static ManagedRedis redis;
  private static Vertx vertx;
  private static RedisDb db;
  private static MessagingService messaging;
  private static MessageReader reader;

  @BeforeAll
  static void start() {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    db = RedisDb.create(vertx, RedisSettings.of(redis.url()), new SimpleMeterRegistry());
    messaging = MessagingService.create(db, null, new SilentBus(), new SilentEvents(), MessagingSettings.defaults());
    reader = new MessageReader(db);
  }

  @AfterAll
  static void stop() {
    await(db.close());
    await(vertx.close());
    redis.close();
  }

  private static Principal user() {
    return new Principal(Ids.newId(), Ids.newId(), Set.of(Role.MEMBER), Ids.newId(), "fr");
  }

  @Test
  @DisplayName("history's stored renderings equal the wire shape of every kind of message, and are rebuilt for old ones")
  void renderingsMatchTheHashes() {
    Principal alice = user();
    Principal bob = user();
    Principal carol = user();
    String channelId = await(messaging.createChannel(alice, new JsonObject().put("kind", "thematic")
        .put("name", "rendering"))).getJsonObject("channel").getString("id");
    for (Principal p : List.of(bob, carol)) {
      await(db.send(Command.HSET, MessagingKeys.members(channelId), p.userId(), "member"));
    }
    JsonObject plain = send(alice, channelId, "hello", null);
    send(bob, channelId, "é 😀 \"quoted\" \\ back / slash \n\t \u0001 \u2028 𝄞 日本 \uD83D\uDC4D", null);
    send(alice, channelId, "hi <@" + bob.userId() + "> and <@" + carol.userId() + "> @channel", null);
    JsonObject reacted = send(carol, channelId, "react to me", null);
    for (Principal p : List.of(alice, bob, carol)) {
      react(p, channelId, reacted, "👍", true);
    }
    react(alice, channelId, reacted, "！", true);      // U+FF01: after 😀 in Java's order, before it in UTF-8's
    react(bob, channelId, reacted, "😀", true);
    react(carol, channelId, reacted, "a", true);
    react(carol, channelId, reacted, "❤️", true);
    react(carol, channelId, reacted, "❤️", false);
    JsonObject edited = send(bob, channelId, "before edit", null);
    await(messaging.edit(bob, new JsonObject().put("channelId", channelId).put("messageId", edited.getString("id"))
        .put("text", "after edit <@" + alice.userId() + ">")));
    JsonObject deleted = send(carol, channelId, "to delete <@" + alice.userId() + ">", null);
    react(alice, channelId, deleted, "👍", true);
    await(messaging.delete(carol, new JsonObject().put("channelId", channelId).put("messageId", deleted.getString("id"))));
    JsonObject root = send(alice, channelId, "thread root", null);
    send(bob, channelId, "reply one", root.getString("id"));
    send(carol, channelId, "reply two 🙂", root.getString("id"));
    JsonObject noReactionsLeft = send(alice, channelId, "reaction removed", null);
    react(bob, channelId, noReactionsLeft, "👍", true);
    react(bob, channelId, noReactionsLeft, "👍", false);
    long last = plain.getLong("seq") + 9;

    JsonArray expected = fromHashes(channelId, last);
    assertThat(expected).hasSize(10);
    JsonObject reactions = expected.getJsonObject((int) (reacted.getLong("seq") - 1));
    assertThat(reactions.getJsonArray("reactions").stream().map(r -> ((JsonObject) r).getString("emoji")).toList())
        .containsExactly("👍", "a", "😀", "！");
    assertSame(await(reader.page(channelId, 1, last, last)), expected);
    assertSameBytes(channelId, await(reader.page(channelId, 1, last, last)), 1, last);

    // The renderings live in the channel's json hash only, not in the message hashes.
    assertThat(renderingsStored(channelId)).isEqualTo(last);
    for (long s = 1; s <= last; s++) {
      assertThat(await(db.send(Command.HEXISTS, MessagingKeys.message(channelId, s), "json")).toInteger()).isZero();
    }

    // Some renderings missing: those are rendered by the read (messaging_history.lua), the others read as stored.
    // (and their block: a version without renderings had no blocks either, and a block is only ever written whole)
    await(db.send(Command.HDEL, MessagingKeys.renderings(channelId), "3", "7", "b0"));
    JsonArray remade = await(reader.page(channelId, 1, last, last));
    assertSame(remade, expected);
    assertSameBytes(channelId, remade, 1, last);
    assertThat(renderingsStored(channelId)).isEqualTo(last);

    // Messages stored before renderings were kept (or kept in a field json of the message hash, as for a while):
    // rendered by the read, the rendering stored in the channel's json hash and the old field dropped.
    await(db.send(Command.DEL, MessagingKeys.renderings(channelId)));
    for (long s = 1; s <= last; s++) {
      await(db.send(Command.HSET, MessagingKeys.message(channelId, s), "json", "{\"stale\":true}"));
    }
    assertSame(await(reader.page(channelId, 1, last, last)), expected);
    for (long s = 1; s <= last; s++) {
      assertThat(await(db.send(Command.HEXISTS, MessagingKeys.renderings(channelId), String.valueOf(s))).toInteger()).isEqualTo(1);
      assertThat(await(db.send(Command.HEXISTS, MessagingKeys.message(channelId, s), "json")).toInteger()).isZero();
    }
    assertSame(await(reader.page(channelId, 1, last, last)), expected);
    // Seqs with no message at all are left out, by both paths.
    assertSame(await(reader.page(channelId, last - 1, last + 3, last)), new JsonArray(expected.getList().subList((int) last - 2, (int) last)));

    // The service's pages: a range, a page past the end, and a thread's replies as a list of seqs.
    JsonObject page = await(messaging.history(bob, new JsonObject().put("channelId", channelId).put("limit", 5L)));
    assertSame(page.getJsonArray("messages"), new JsonArray(expected.getList().subList((int) last - 5, (int) last)));
    assertThat(JsonFrames.encode(page)).contains(",\"channelSeq\":" + last + ",");
    JsonObject empty = await(messaging.history(bob, new JsonObject().put("channelId", channelId).put("after", last)));
    assertThat(empty.getJsonArray("messages")).isEmpty();
    JsonObject thread = await(messaging.threadHistory(bob, new JsonObject().put("channelId", channelId)
        .put("messageId", root.getString("id"))));
    assertThat(thread.getJsonObject("root").getLong("replyCount")).isEqualTo(2L);
    assertSame(thread.getJsonArray("replies"), new JsonArray(expected.getList().subList(7, 9)));
    assertSame(await(reader.pageOf(channelId, List.of(9L, 999L, 1L))),
        new JsonArray(List.of(expected.getValue(8), expected.getValue(0))));
  }

  @Test
  @DisplayName("history pages read with their access check in one round trip stay exact as the channel moves on, "
      + "and a non-member of a private channel learns nothing")
  void historyPagesFollowTheChannel() {
    Principal alice = user();
    Principal bob = user();
    String channelId = await(messaging.createChannel(alice, new JsonObject().put("kind", "thematic").put("name", "pages")
        .put("visibility", "private"))).getJsonObject("channel").getString("id");
    for (int i = 1; i <= 7; i++) {
      send(alice, channelId, "m" + i, null);
    }
    JsonObject latest = new JsonObject().put("limit", 3L);
    assertThat(seqs(history(alice, channelId, latest))).containsExactly(5L, 6L, 7L);  // last seq not seen yet
    assertThat(seqs(history(alice, channelId, latest))).containsExactly(5L, 6L, 7L);  // read with the access check
    send(alice, channelId, "m8", null);
    JsonObject moved = history(alice, channelId, latest);                             // the guess is stale
    assertThat(seqs(moved)).containsExactly(6L, 7L, 8L);
    assertThat(moved.getLong("channelSeq")).isEqualTo(8L);
    assertThat(seqs(history(alice, channelId, latest))).containsExactly(6L, 7L, 8L);

    JsonObject first = history(alice, channelId, new JsonObject().put("before", 4L).put("limit", 3L));
    assertThat(seqs(first)).containsExactly(1L, 2L, 3L);
    assertThat(first.getBoolean("hasBefore")).isFalse();
    assertThat(first.getBoolean("hasAfter")).isTrue();
    JsonObject tail = history(alice, channelId, new JsonObject().put("after", 6L).put("limit", 5L));
    assertThat(seqs(tail)).containsExactly(7L, 8L);
    assertThat(tail.getBoolean("hasAfter")).isFalse();
    assertThat(seqs(history(alice, channelId, new JsonObject().put("after", 8L)))).isEmpty();
    assertThat(seqs(history(alice, channelId, new JsonObject().put("before", 100L).put("limit", 2L)))).containsExactly(7L, 8L);
    assertThat(seqs(history(alice, channelId, new JsonObject().put("around", 2L).put("limit", 4L)))).containsExactly(1L, 2L, 3L, 4L);
    assertThat(seqs(history(alice, channelId, new JsonObject().put("around", 8L).put("limit", 4L)))).containsExactly(5L, 6L, 7L, 8L);

    // Bob is not a member: every kind of page fails as for a channel that does not exist, the page read or not.
    String missing = Ids.newId();
    for (JsonObject asked : List.of(latest, new JsonObject().put("before", 4L), new JsonObject().put("after", 1L),
        new JsonObject().put("around", 3L))) {
      Throwable refused = failure(messaging.history(bob, asked.copy().put("channelId", channelId)));
      Throwable unknown = failure(messaging.history(bob, asked.copy().put("channelId", missing)));
      assertThat(refused).isInstanceOf(RelaisException.class);
      assertThat(((RelaisException) refused).code()).isEqualTo(ErrorCode.NOT_FOUND);
      assertThat(refused.getMessage()).isEqualTo(unknown.getMessage());
      assertThat(((RelaisException) unknown).code()).isEqualTo(ErrorCode.NOT_FOUND);
    }
  }

  /** The renderings stored one by one in the channel's json hash (its fields but the blocks b0, b1, …). */
  private static long renderingsStored(String channelId) {
    long n = 0;
    for (io.vertx.redis.client.Response f : await(db.send(Command.HKEYS, MessagingKeys.renderings(channelId)))) {
      if (!f.toString().startsWith("b")) {
        n++;
      }
    }
    return n;
  }

  /**
   * The reply frame holding page (seqs from..to) is byte for byte the one of the stored renderings read as strings
   * and spliced into the text of the frame (the path before pages were kept as bytes), with a request id and a
   * channel id that need escaping and multi-byte UTF-8.
   */
  private static void assertSameBytes(String channelId, JsonArray page, long from, long to) {
    Request hmget = Request.cmd(Command.HMGET).arg(MessagingKeys.renderings(channelId));
    for (long s = from; s <= to; s++) {
      hmget.arg(s);
    }
    List<String> stored = new ArrayList<>();
    for (Response r : await(db.send(hmget))) {
      if (r != null && !r.toString().isEmpty()) {
        stored.add(r.toString());
      }
    }
    assertThat(stored).hasSize((int) (to - from + 1));
    byte[] bytes = ByteBufUtil.getBytes(JsonFrames.encodeUtf8(reply(channelId, page, to)));
    byte[] text = JsonFrames.encode(reply(channelId, RawJson.ofElements(stored), to)).getBytes(StandardCharsets.UTF_8);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(new String(text, StandardCharsets.UTF_8));
    assertThat(bytes).isEqualTo(text);
    assertThat(JsonFrames.encode(reply(channelId, page, to))).isEqualTo(new String(text, StandardCharsets.UTF_8));
  }

  /** A reply frame as the socket writes it (WsConnection.reply) around a page. */
  private static JsonObject reply(String channelId, JsonArray messages, long last) {
    return new JsonObject().put("re", "h\"é😀\u2028").put("ok", true).put("data", new JsonObject()
        .put("channelId", channelId).put("messages", messages).put("channelSeq", last).put("hasBefore", false)
        .put("hasAfter", false));
  }

  private static JsonObject history(Principal p, String channelId, JsonObject data) {
    return await(messaging.history(p, data.copy().put("channelId", channelId)));
  }

  private static List<Long> seqs(JsonObject page) {
    JsonArray messages = JsonFrames.parseArray(JsonFrames.encode(new JsonObject().put("m", page.getJsonArray("messages")))
        .replaceFirst("^\\{\"m\":", "").replaceFirst("}$", ""));
    return messages.stream().map(m -> ((JsonObject) m).getLong("seq")).toList();
  }

  private static Throwable failure(Future<?> future) {
    return await(future.transform(ar -> Future.succeededFuture(ar.cause())));
  }

  /** Equal values, with the fields of each message in the same order as toJson puts them. */
  private static void assertSame(JsonArray actual, JsonArray expected) {
    JsonArray a = JsonFrames.parseArray(JsonFrames.encode(new JsonObject().put("m", actual)).replaceFirst("^\\{\"m\":", "")
        .replaceFirst("}$", ""));
    JsonArray e = JsonFrames.parseArray(expected.encode());
    assertThat(a).isEqualTo(e);
    for (int i = 0; i < e.size(); i++) {
      assertThat(new ArrayList<>(a.getJsonObject(i).fieldNames())).isEqualTo(new ArrayList<>(e.getJsonObject(i).fieldNames()));
    }
  }

  private static JsonArray fromHashes(String channelId, long last) {
    JsonArray out = new JsonArray();
    for (long s = 1; s <= last; s++) {
      out.add(MessageReader.toJson(channelId, Responses.toMap(await(db.send(Command.HGETALL,
          MessagingKeys.message(channelId, s))))));
    }
    return out;
  }

  private static JsonObject send(Principal p, String channelId, String text, String rootId) {
    JsonObject data = new JsonObject().put("channelId", channelId).put("text", text).put("clientMsgId", Ids.newId());
    if (rootId != null) {
      data.put("threadRootId", rootId);
    }
    return await(messaging.send(p, data)).getJsonObject("message");
  }

  private static void react(Principal p, String channelId, JsonObject message, String emoji, boolean add) {
    await(messaging.react(p, new JsonObject().put("channelId", channelId).put("messageId", message.getString("id"))
        .put("emoji", emoji), add));
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(20, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out", e);
    }
  }

  private static final class SilentBus implements ChannelBus {
    @Override
    public Future<Void> publish(String channelId, String eventJson) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> follow(Collection<String> userIds, String channelId, long afterOffset) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> followAll(String orgId, String channelId, long afterOffset) {
      return Future.succeededFuture();
    }
  }

  private static final class SilentEvents implements EventSink {
    @Override
    public Future<Void> toUsers(Collection<String> userIds, String ev, JsonObject data) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> userChanged(String userId) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> sessionsRevoked(String userId, String sessionId) {
      return Future.succeededFuture();
    }
  }
}
