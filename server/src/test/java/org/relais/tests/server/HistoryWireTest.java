package org.relais.tests.server;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.JsonFrames;
import org.relais.core.RawJson;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.server.MessagingTest.id;
import static org.relais.tests.server.MessagingTest.ok;
import static org.relais.tests.server.MessagingTest.send;
import static org.relais.tests.server.MessagingTest.token;

/**
 * History pages on the wire: the renderings' bytes go from Redis's reply into the socket's frame without being made
 * into strings. The reply must be byte for byte the frame of the stored renderings spliced as text into the
 * reply's JSON (the way pages were written before), for messages of every kind (multi-byte UTF-8, emoji, escapes,
 * edits, deletions, reactions, thread replies), also when the reply is longer than the largest frame (split into
 * continuation frames).
 */
class HistoryWireTest {

  @Test
  @DisplayName("a history reply is byte for byte the stored renderings spliced into the reply's text, in one frame or several")
  void pageBytesAsStored() throws Exception {
    try (TestServer t = TestServer.start(Map.of("RELAIS_WS_MAX_FRAME_BYTES", "4096", "RELAIS_WS_MAX_REQUEST_BYTES", "4096"))) {
      String admin = t.adminToken();
      String org = t.createOrg(admin, "Réseau Sahel", "ML");
      JsonObject alice = t.createUser(admin, org, "Aïssata Diallo");
      JsonObject bob = t.createUser(admin, org, "Bob « Bobo » O'Neil");
      String channel;
      List<String> texts = List.of("plain", "é 😀 \"quoted\" \\ back / slash \n\t \u2028 𝄞 日本 \uD83D\uDC4D",
          "<script>alert('x')</script> & < > \u00a0", "日本語のテキスト".repeat(120), "é".repeat(1_500) + "🎉",
          "hi <@" + id(bob) + "> @channel");
      try (WsClient a = t.wsHello(token(alice)); WsClient b = t.wsHello(token(bob))) {
        channel = ok(a.call("channel.create", new JsonObject().put("name", "Fils 🧵").put("kind", "thematic")
            .put("visibility", "private").put("memberIds", new JsonArray().add(id(bob)))))
            .getJsonObject("channel").getString("id");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
          ids.add(ok(send(i % 2 == 0 ? a : b, channel, texts.get(i), "c" + i)).getJsonObject("message").getString("id"));
        }
        ok(b.call("message.react", new JsonObject().put("channelId", channel).put("messageId", ids.get(0)).put("emoji", "👍")));
        ok(a.call("message.react", new JsonObject().put("channelId", channel).put("messageId", ids.get(0)).put("emoji", "！")));
        ok(a.call("message.edit", new JsonObject().put("channelId", channel).put("messageId", ids.get(2))
            .put("text", "edited ✏️ \"again\"")));
        ok(b.call("message.delete", new JsonObject().put("channelId", channel).put("messageId", ids.get(3))));
        ok(b.call("message.send", new JsonObject().put("channelId", channel).put("text", "a reply ↩")
            .put("clientMsgId", "t1").put("threadRootId", ids.get(0))));
      }
      long last = texts.size() + 1;

      RedisDb db = RedisDb.create(t.clients, RedisSettings.of(t.redis.url()), new SimpleMeterRegistry());
      try (RawWs raw = RawWs.connect(t.port)) {
        raw.sendText(new JsonObject().put("id", "hello").put("op", "hello")
            .put("data", new JsonObject().put("token", token(alice))).encode());
        assertThat(new JsonObject(new String(raw.readTextMessage(null), StandardCharsets.UTF_8)).getBoolean("ok")).isTrue();
        // the whole channel (several frames), then pages of 3 (one frame each), with a request id that needs escaping
        String reqId = "p\"é😀\u2028";
        for (JsonObject asked : List.of(new JsonObject(), new JsonObject().put("limit", 3L),
            new JsonObject().put("before", 4L).put("limit", 3L), new JsonObject().put("around", 4L).put("limit", 3L))) {
          raw.sendText(new JsonObject().put("id", reqId).put("op", "message.history")
              .put("data", asked.copy().put("channelId", channel)).encode());
          int[] frames = new int[1];
          byte[] reply = readReply(raw, frames);
          JsonObject decoded = new JsonObject(new String(reply, StandardCharsets.UTF_8)).getJsonObject("data");
          List<Long> seqs = decoded.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getLong("seq")).toList();
          assertThat(seqs).isNotEmpty();
          byte[] expected = expected(db, reqId, channel, seqs, decoded, last);
          assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo(new String(expected, StandardCharsets.UTF_8));
          assertThat(reply).isEqualTo(expected);
          if (asked.isEmpty()) {
            assertThat(seqs).hasSize((int) last);
            assertThat(frames[0]).as("a reply past the frame limit comes in several frames").isGreaterThan(1);
          }
        }
        // bad input is still refused with a typed error, nothing read
        raw.sendText(new JsonObject().put("id", "bad").put("op", "message.history")
            .put("data", new JsonObject().put("channelId", channel).put("limit", 0)).encode());
        JsonObject bad = new JsonObject(new String(readReply(raw, null), StandardCharsets.UTF_8));
        assertThat(bad.getBoolean("ok")).isFalse();
        assertThat(bad.getJsonObject("error").getString("code")).isEqualTo("bad_request");
      } finally {
        TestServer.await(db.close());
      }
    }
  }

  /** The next reply (pushes skipped). */
  private static byte[] readReply(RawWs raw, int[] frames) throws Exception {
    while (true) {
      byte[] message = raw.readTextMessage(frames);
      assertThat(message).isNotNull();
      if (new JsonObject(new String(message, StandardCharsets.UTF_8)).containsKey("re")) {
        return message;
      }
    }
  }

  /** The reply as written before pages were kept as bytes: the stored renderings, as strings, spliced into its text. */
  private static byte[] expected(RedisDb db, String reqId, String channel, List<Long> seqs, JsonObject got, long last) {
    Request hmget = Request.cmd(Command.HMGET).arg("relais:ch:{c:" + channel + "}:json");
    seqs.forEach(hmget::arg);
    List<String> stored = new ArrayList<>();
    for (Response r : TestServer.await(db.send(hmget))) {
      stored.add(r.toString());
    }
    assertThat(got.getLong("channelSeq")).isEqualTo(last);
    JsonObject frame = new JsonObject().put("re", reqId).put("ok", true).put("data", new JsonObject()
        .put("channelId", channel).put("messages", RawJson.ofElements(stored)).put("channelSeq", last)
        .put("hasBefore", seqs.get(0) > 1).put("hasAfter", seqs.get(seqs.size() - 1) < last));
    return JsonFrames.encode(frame).getBytes(StandardCharsets.UTF_8);
  }
}
