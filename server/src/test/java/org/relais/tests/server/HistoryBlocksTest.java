package org.relais.tests.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.relais.tests.server.MessagingTest.id;
import static org.relais.tests.server.MessagingTest.ok;
import static org.relais.tests.server.MessagingTest.send;
import static org.relais.tests.server.MessagingTest.token;

/**
 * History pages read through the blocks of renderings (ten messages' renderings in one field of the channel's json
 * hash, messaging_lib.lua): pages do read them, and every page, at every offset and size, is exactly the messages'
 * own renderings, also after edits, reactions, deletions and thread replies (which write the block that held the
 * former rendering again), and a missing block is built again by the next page that needs it.
 */
class HistoryBlocksTest {

  @Test
  @DisplayName("pages read the blocks, equal the messages' own renderings at every offset, and blocks follow edits, "
      + "reactions, deletions and thread replies at once; a missing block is read message by message and built again")
  void pagesThroughBlocks() throws Exception {
    try (TestServer t = TestServer.start()) {
      String admin = t.adminToken();
      String org = t.createOrg(admin, "Blocs", "ML");
      JsonObject alice = t.createUser(admin, org, "Awa Blocs");
      JsonObject bob = t.createUser(admin, org, "Ben Blocs");
      Redis redis = Redis.createClient(t.clients, t.redis.url());
      try (WsClient a = t.wsHello(token(alice)); WsClient b = t.wsHello(token(bob))) {
        String channel = ok(a.call("channel.create", new JsonObject().put("name", "Blocs").put("kind", "thematic")
            .put("visibility", "private").put("memberIds", new JsonArray().add(id(bob)))))
            .getJsonObject("channel").getString("id");
        String json = "relais:ch:{c:" + channel + "}:json";
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 47; i++) {
          // texts with a newline, quotes and multi-byte characters: a block splits on raw newlines only
          String text = i % 3 == 0 ? "line " + i + "\nnext \"é😀\" \\n" : "message " + i;
          ids.add(ok(send(i % 2 == 0 ? a : b, channel, text, "k" + i)).getJsonObject("message").getString("id"));
        }
        assertThat(hexists(redis, json, "b3")).as("block 3 (seqs 31-40), built by the send of seq 40").isTrue();
        assertThat(hexists(redis, json, "b4")).as("block 4 is not whole").isFalse();
        assertPagesEqualRenderings(a, redis, channel, json, 47);

        // pages read the blocks: a block changed behind the server's back (never done by Relais) shows in a page
        String b2 = TestServer.await(redis.send(Request.cmd(Command.HGET).arg(json).arg("b2"))).toString();
        TestServer.await(redis.send(Request.cmd(Command.HSET).arg(json).arg("b2")
            .arg(b2.replace("\"message 22\"", "\"read from the block\""))));
        JsonObject through = ok(a.call("message.history", new JsonObject().put("channelId", channel)
            .put("before", 31).put("limit", 10)));
        assertThat(through.getJsonArray("messages").getJsonObject(1).getString("text")).isEqualTo("read from the block");
        TestServer.await(redis.send(Request.cmd(Command.HSET).arg(json).arg("b2").arg(b2)));

        // seq 15 edited, 22 reacted to, 33 deleted, 5 gets a thread reply (seq 48): their blocks are written again
        // with the new renderings at once
        ok(b.call("message.edit", new JsonObject().put("channelId", channel).put("messageId", ids.get(14))
            .put("text", "edited fifteen ✏️")));
        ok(b.call("message.react", new JsonObject().put("channelId", channel).put("messageId", ids.get(21))
            .put("emoji", "👍")));
        ok(b.call("message.delete", new JsonObject().put("channelId", channel).put("messageId", ids.get(32))));
        ok(a.call("message.send", new JsonObject().put("channelId", channel).put("text", "a reply")
            .put("clientMsgId", "t1").put("threadRootId", ids.get(4))));
        assertThat(new JsonObject(block(redis, json, "b1")[4]).getString("text")).isEqualTo("edited fifteen ✏️");
        assertThat(new JsonObject(block(redis, json, "b2")[1]).getJsonArray("reactions")).hasSize(1);
        assertThat(new JsonObject(block(redis, json, "b3")[2]).getBoolean("deleted")).isTrue();
        assertThat(new JsonObject(block(redis, json, "b0")[4]).getLong("replyCount")).isEqualTo(1L);
        assertPagesEqualRenderings(a, redis, channel, json, 48);

        // a block missing (as after an upgrade from a version without blocks) is read message by message, then
        // built again by the page that found it missing
        TestServer.await(redis.send(Request.cmd(Command.HDEL).arg(json).arg("b1").arg("b3")));
        assertPagesEqualRenderings(a, redis, channel, json, 48);
        await().atMost(5, TimeUnit.SECONDS).until(() -> hexists(redis, json, "b1") && hexists(redis, json, "b3"));
        assertThat(new JsonObject(block(redis, json, "b1")[4]).getString("text")).isEqualTo("edited fifteen ✏️");

        // a newest page asked on a socket whose node has not seen the channel's last seq (sent on the other
        // socket) is read with the real last seq, and seq 50 completes block 4
        ok(send(b, channel, "forty-nine", "k49"));
        ok(send(b, channel, "fifty", "k50"));
        assertThat(hexists(redis, json, "b4")).isTrue();
        assertPagesEqualRenderings(a, redis, channel, json, 50);
      } finally {
        redis.close();
      }
    }
  }

  /** Every page (before, limit) of the channel equals the renderings stored for its seqs, one by one. */
  private static void assertPagesEqualRenderings(WsClient c, Redis redis, String channel, String json, long last)
      throws Exception {
    List<JsonObject> own = new ArrayList<>();
    for (long s = 1; s <= last; s++) {
      Response r = TestServer.await(redis.send(Request.cmd(Command.HGET).arg(json).arg(s)));
      assertThat(r).as("rendering of %d", s).isNotNull();
      own.add(new JsonObject(r.toString()));
    }
    for (int limit : List.of(1, 3, 10, 12, 25, 50)) {
      for (long before = 2; before <= last + 1; before++) {
        JsonObject page = ok(c.call("message.history", new JsonObject().put("channelId", channel)
            .put("before", before).put("limit", limit)));
        long to = before - 1;
        long from = Math.max(1, to - limit + 1);
        assertThat(page.getJsonArray("messages")).as("before %d, limit %d", before, limit)
            .isEqualTo(new JsonArray(new ArrayList<>(own.subList((int) from - 1, (int) to))));
      }
      JsonObject newest = ok(c.call("message.history", new JsonObject().put("channelId", channel).put("limit", limit)));
      long from = Math.max(1, last - limit + 1);
      assertThat(newest.getJsonArray("messages")).as("newest, limit %d", limit)
          .isEqualTo(new JsonArray(new ArrayList<>(own.subList((int) from - 1, (int) last))));
    }
  }

  private static String[] block(Redis redis, String key, String field) throws Exception {
    String[] parts = TestServer.await(redis.send(Request.cmd(Command.HGET).arg(key).arg(field))).toString().split("\n");
    assertThat(parts).as(field).hasSize(10);
    return parts;
  }

  private static boolean hexists(Redis redis, String key, String field) throws Exception {
    return TestServer.await(redis.send(Request.cmd(Command.HEXISTS).arg(key).arg(field))).toInteger() == 1;
  }
}
