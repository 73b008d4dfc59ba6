package org.relais.tests.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.Ids;
import org.relais.redis.ManagedRedis;
import org.relais.tests.redis.TestRedis;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.server.MessagingTest.code;
import static org.relais.tests.server.MessagingTest.id;
import static org.relais.tests.server.MessagingTest.ok;
import static org.relais.tests.server.MessagingTest.send;
import static org.relais.tests.server.MessagingTest.token;

/** Delivery across nodes, resuming after a disconnection, and slow consumers. */
class DeliveryTest {

  @Test
  @DisplayName("two server nodes on one Redis: sent on A, received on B, in order")
  void twoNodes() {
    ManagedRedis redis = TestRedis.start();
    try (TestServer a = TestServer.startOn(redis, Map.of()); TestServer b = TestServer.startOn(redis, Map.of())) {
      String admin = a.adminToken();
      String org = a.createOrg(admin, "ECOWAS", "NG");
      JsonObject chinedu = a.createUser(admin, org, "Chinedu Okafor");
      JsonObject ingrid = a.createUser(admin, org, "Ingrid Larsen");
      try (WsClient onA = a.wsHello(token(chinedu)); WsClient onB = b.wsHello(token(ingrid))) {
        String dm = ok(onA.call("dm.open", new JsonObject().put("userIds", new JsonArray().add(id(ingrid)))))
            .getJsonObject("channel").getString("id");
        for (int i = 1; i <= 20; i++) {
          ok(send(onA, dm, "from node A #" + i, "a" + i));
        }
        for (int i = 1; i <= 20; i++) {
          JsonObject m = onB.nextPush("message.new", dm, 5_000).getJsonObject("data").getJsonObject("message");
          assertThat(m.getLong("seq")).isEqualTo(i);
          assertThat(m.getString("text")).isEqualTo("from node A #" + i);
        }
        ok(send(onB, dm, "reply from B", "b1"));
        JsonObject reply = onA.nextMatching(f -> "message.new".equals(f.getString("ev"))
            && "reply from B".equals(f.getJsonObject("data").getJsonObject("message").getString("text")), 5_000);
        assertThat(reply.getJsonObject("data").getJsonObject("message").getLong("seq")).isEqualTo(21);
      }
    } finally {
      redis.stop();
    }
  }

  @Test
  @DisplayName("a client that reconnects with what it last saw receives exactly the missed events, in order, once")
  void resume() {
    try (TestServer t = TestServer.start()) {
      String admin = t.adminToken();
      String org = t.createOrg(admin, "WANEP-Mali", "ML");
      JsonObject aminata = t.createUser(admin, org, "Aminata Traoré");
      JsonObject moussa = t.createUser(admin, org, "Moussa Keïta");
      String channel;
      String epoch;
      long lastOffset;
      List<String> ids = new ArrayList<>();
      try (WsClient a = t.wsHello(token(aminata))) {
        channel = ok(a.call("channel.create", new JsonObject().put("name", "Reprise").put("kind", "thematic")
            .put("visibility", "private").put("memberIds", new JsonArray().add(id(moussa))))).getJsonObject("channel").getString("id");
      }
      try (WsClient m = t.ws()) {
        JsonObject hello = ok(m.call("hello", new JsonObject().put("token", token(moussa))));
        epoch = hello.getString("epoch");
        assertThat(epoch).isNotBlank();
        ok(send(m, channel, "avant la coupure", "before"));
        lastOffset = m.nextPush("message.new", channel, 5_000).getJsonObject("data").getLong("offset");
      }
      // Moussa is offline: 50 messages, some edited, some deleted, one reaction.
      try (WsClient a = t.wsHello(token(aminata))) {
        for (int i = 1; i <= 50; i++) {
          ids.add(ok(send(a, channel, "missed " + i, "miss-" + i)).getJsonObject("message").getString("id"));
        }
        for (int i = 0; i < 50; i += 10) {
          ok(a.call("message.edit", new JsonObject().put("channelId", channel).put("messageId", ids.get(i)).put("text", "edited " + i)));
        }
        for (int i = 5; i < 50; i += 15) {
          ok(a.call("message.delete", new JsonObject().put("channelId", channel).put("messageId", ids.get(i))));
        }
        ok(a.call("message.react", new JsonObject().put("channelId", channel).put("messageId", ids.get(1)).put("emoji", ":tada:")));
      }
      long expectedEvents = 50 + 5 + 3 + 1;
      try (WsClient m = t.ws()) {
        JsonObject resume = new JsonObject().put("epoch", epoch).put("channels", new JsonObject().put(channel, lastOffset));
        ok(m.call("hello", new JsonObject().put("token", token(moussa)).put("resume", resume)));
        List<Long> offsets = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < expectedEvents; i++) {
          JsonObject push = m.nextMatchingChannelEvent(channel, 5_000);
          offsets.add(push.getJsonObject("data").getLong("offset"));
          kinds.add(push.getString("ev"));
        }
        assertThat(offsets.get(0)).isEqualTo(lastOffset + 1);
        for (int i = 1; i < offsets.size(); i++) {
          assertThat(offsets.get(i)).isEqualTo(offsets.get(i - 1) + 1);
        }
        assertThat(kinds.stream().filter("message.new"::equals).count()).isEqualTo(50);
        assertThat(kinds.stream().filter("message.edited"::equals).count()).isEqualTo(5);
        assertThat(kinds.stream().filter("message.deleted"::equals).count()).isEqualTo(3);
        assertThat(kinds).contains("reaction.changed");
        ok(m.call("ping", null));
        assertThat(m.heldChannelEvents(channel)).as("nothing more, nothing twice").isZero();
        // And live again afterwards.
        try (WsClient a = t.wsHello(token(aminata))) {
          ok(send(a, channel, "de retour", "back"));
        }
        JsonObject live = m.nextMatchingChannelEvent(channel, 5_000);
        assertThat(live.getJsonObject("data").getLong("offset")).isEqualTo(offsets.get(offsets.size() - 1) + 1);
      }
    }
  }

  @Test
  @DisplayName("resuming with another epoch, past the kept log, or for a channel the user left is answered with resync")
  void resyncCases() {
    try (TestServer t = TestServer.start(Map.of("RELAIS_CHANNEL_LOG_EVENTS", "100"))) {
      String admin = t.adminToken();
      String org = t.createOrg(admin, "UN Women", "US");
      JsonObject sarah = t.createUser(admin, org, "Sarah Johnson");
      String epoch;
      String channel;
      try (WsClient s = t.ws()) {
        epoch = ok(s.call("hello", new JsonObject().put("token", token(sarah)))).getString("epoch");
        channel = ok(s.call("channel.create", new JsonObject().put("name", "Log court").put("kind", "thematic")
            .put("visibility", "private"))).getJsonObject("channel").getString("id");
        for (int i = 0; i < 300; i++) {
          ok(send(s, channel, "n" + i, "n" + i));
        }
      }
      try (WsClient s = t.ws()) {
        ok(s.call("hello", new JsonObject().put("token", token(sarah))
            .put("resume", new JsonObject().put("epoch", "another").put("channels", new JsonObject().put(channel, 1)))));
        assertThat(s.nextPush("resync", 5_000).getJsonObject("data").getString("reason")).isEqualTo("epoch");
      }
      try (WsClient s = t.ws()) {
        ok(s.call("hello", new JsonObject().put("token", token(sarah))
            .put("resume", new JsonObject().put("epoch", epoch).put("channels", new JsonObject().put(channel, 1)))));
        JsonObject resync = s.nextPush("resync", 5_000).getJsonObject("data");
        assertThat(resync.getString("reason")).isEqualTo("trimmed");
        assertThat(resync.getString("channelId")).isEqualTo(channel);
      }
      try (WsClient s = t.wsHello(token(sarah))) {
        ok(s.call("channel.leave", new JsonObject().put("channelId", channel)));
      }
      try (WsClient s = t.ws()) {
        ok(s.call("hello", new JsonObject().put("token", token(sarah))
            .put("resume", new JsonObject().put("epoch", epoch).put("channels", new JsonObject().put(channel, 300)))));
        assertThat(s.nextPush("resync", 5_000).getJsonObject("data").getString("reason")).isEqualTo("removed");
      }
    }
  }

  @Test
  @DisplayName("a slow consumer is cut with 4009 while a normal consumer receives everything")
  void slowConsumer() throws Exception {
    // 1 MiB: room for a hiccup of the normal reader in a busy test JVM (with 64 KiB, eight of these messages, the
    // whole suite sometimes got the normal reader cut too), while the slow one still overflows it (12 MB sent,
    // past the kernel's buffers).
    try (TestServer t = TestServer.start(Map.of("RELAIS_WS_MAX_QUEUE_BYTES", "1048576"))) {
      String admin = t.adminToken();
      String org = t.createOrg(admin, "MFA Norway", "NO");
      JsonObject ingrid = t.createUser(admin, org, "Ingrid Larsen");
      JsonObject yuki = t.createUser(admin, org, "Yuki Tanaka");
      JsonObject sender = t.createUser(admin, org, "Sender");
      String channel;
      try (WsClient s = t.wsHello(token(sender))) {
        channel = ok(s.call("channel.create", new JsonObject().put("name", "Débit").put("kind", "thematic").put("visibility", "private")
            .put("memberIds", new JsonArray().add(id(ingrid)).add(id(yuki))))).getJsonObject("channel").getString("id");
      }
      try (Socket raw = new Socket()) {
        raw.setReceiveBufferSize(4096);
        raw.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), t.port));
        RawWs slow = RawWs.over(raw, t.port);
        slow.sendText(new JsonObject().put("id", "h").put("op", "hello").put("data", new JsonObject().put("token", token(yuki))).encode());
        assertThat(slow.read().text()).contains("\"ok\":true");
        try (WsClient normal = t.wsHello(token(ingrid)); WsClient s = t.wsHello(token(sender))) {
          String big = "x".repeat(7_500);
          // Enough to fill the kernel's buffers (a few MB on loopback) and then the socket's queue.
          int count = 1_600;
          // Paced (64 sends unanswered at most, as in PausedReaderTest): the sender, a member too, must not be the
          // one cut for not keeping up with the flood it makes.
          int unanswered = 0;
          for (int i = 1; i <= count; i++) {
            s.sendRawNoWait(new JsonObject().put("id", "big" + i).put("op", "message.send").put("data", new JsonObject()
                .put("channelId", channel).put("text", big + i).put("clientMsgId", "big" + i)).encode());
            if (++unanswered >= 64) {
              s.nextReply();
              unanswered--;
            }
          }
          Set<Long> seqs = new HashSet<>();
          for (int i = 1; i <= count; i++) {
            seqs.add(normal.nextPush("message.new", channel, 20_000).getJsonObject("data").getJsonObject("message").getLong("seq"));
          }
          assertThat(seqs).hasSize(count);
          // The server cut it (4009); the close frame reaches it if it was queued early enough to be read before the
          // server drops the connection 3 s after the cut (the reader still not reading), else the connection ends
          // without it (end of stream, or a reset).
          int code;
          try {
            code = slow.readUntilClosed();
          } catch (java.net.SocketTimeoutException stillOpen) {
            throw stillOpen;
          } catch (java.io.IOException reset) {
            code = -1;
          }
          assertThat(code).isIn(4009, -1);
          assertThat(t.get("/metrics").bodyAsString()).containsPattern("relais_ws_closes_total\\{[^}]*code=\"4009\"");
        }
      }
    }
  }

  @Test
  @DisplayName("a private channel leaks nothing to a non-member: every op answers as if it did not exist, and no event reaches them")
  void privateChannelLeaksNothing() {
    try (TestServer t = TestServer.start()) {
      String admin = t.adminToken();
      String org = t.createOrg(admin, "WANEP-Mali", "ML");
      String other = t.createOrg(admin, "UN Women", "US");
      JsonObject insider = t.createUser(admin, org, "Insider");
      JsonObject outsider = t.createUser(admin, other, "Outsider");
      JsonObject sameOrg = t.createUser(admin, org, "Same org, not invited");
      try (WsClient in = t.wsHello(token(insider)); WsClient out = t.wsHello(token(outsider)); WsClient near = t.wsHello(token(sameOrg));
           WsClient adminWs = t.wsHello(admin)) {
        String channel = ok(in.call("channel.create", new JsonObject().put("name", "Secret").put("kind", "thematic")
            .put("visibility", "private"))).getJsonObject("channel").getString("id");
        String msg = ok(send(in, channel, "confidentiel", "s1")).getJsonObject("message").getString("id");
        ok(in.call("typing.start", new JsonObject().put("channelId", channel)));
        String missing = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
        List<JsonObject> probes = List.of(
            new JsonObject().put("op", "message.history").put("data", new JsonObject().put("channelId", channel)),
            new JsonObject().put("op", "thread.history").put("data", new JsonObject().put("channelId", channel).put("messageId", msg)),
            new JsonObject().put("op", "message.send").put("data", new JsonObject().put("channelId", channel).put("text", "hi").put("clientMsgId", "x")),
            new JsonObject().put("op", "message.edit").put("data", new JsonObject().put("channelId", channel).put("messageId", msg).put("text", "x")),
            new JsonObject().put("op", "message.delete").put("data", new JsonObject().put("channelId", channel).put("messageId", msg)),
            new JsonObject().put("op", "message.react").put("data", new JsonObject().put("channelId", channel).put("messageId", msg).put("emoji", "x")),
            new JsonObject().put("op", "message.unreact").put("data", new JsonObject().put("channelId", channel).put("messageId", msg).put("emoji", "x")),
            new JsonObject().put("op", "channel.members").put("data", new JsonObject().put("channelId", channel)),
            new JsonObject().put("op", "channel.join").put("data", new JsonObject().put("channelId", channel)),
            new JsonObject().put("op", "channel.leave").put("data", new JsonObject().put("channelId", channel)),
            new JsonObject().put("op", "channel.invite").put("data", new JsonObject().put("channelId", channel).put("userIds", new JsonArray().add(id(outsider)))),
            new JsonObject().put("op", "channel.kick").put("data", new JsonObject().put("channelId", channel).put("userId", id(insider))),
            new JsonObject().put("op", "channel.update").put("data", new JsonObject().put("channelId", channel).put("topic", "x")),
            new JsonObject().put("op", "channel.archive").put("data", new JsonObject().put("channelId", channel)),
            new JsonObject().put("op", "channel.markRead").put("data", new JsonObject().put("channelId", channel).put("seq", 1)),
            new JsonObject().put("op", "typing.start").put("data", new JsonObject().put("channelId", channel)));
        for (WsClient stranger : List.of(out, near, adminWs)) {
          for (JsonObject probe : probes) {
            JsonObject reply = stranger.call(probe.getString("op"), probe.getJsonObject("data"));
            JsonObject missingReply = stranger.call(probe.getString("op"), probe.getJsonObject("data").copy().put("channelId", missing));
            assertThat(code(reply)).as(probe.getString("op")).isEqualTo("not_found");
            assertThat(reply.getJsonObject("error")).as("indistinguishable from a missing channel").isEqualTo(missingReply.getJsonObject("error"));
            assertThat(reply.encode()).doesNotContain("confidentiel").doesNotContain("Secret");
          }
          assertThat(ok(stranger.call("channel.list", new JsonObject())).encode()).doesNotContain(channel);
          assertThat(ok(stranger.call("channel.browse", new JsonObject())).encode()).doesNotContain(channel);
        }
        ok(send(in, channel, "toujours confidentiel", "s2"));
        for (WsClient stranger : List.of(out, near, adminWs)) {
          ok(stranger.call("ping", null));
          assertThat(stranger.heldChannelEvents(channel)).isZero();
          assertThat(stranger.heldPushes("typing")).isZero();
        }
        JsonObject history = ok(in.call("message.history", new JsonObject().put("channelId", channel)));
        assertThat(history.getJsonArray("messages")).hasSize(2);
        assertThat(history.getJsonArray("messages").getJsonObject(0).getString("text")).isEqualTo("confidentiel");
      }
    }
  }

  @Test
  @DisplayName("bad input on messaging ops gets its typed error and changes nothing")
  void badInputs() {
    try (TestServer t = TestServer.start(Map.of("RELAIS_MESSAGE_MAX_CHARS", "100"))) {
      String admin = t.adminToken();
      String org = t.createOrg(admin, "WANEP-Mali", "ML");
      JsonObject user = t.createUser(admin, org, "Aminata Traoré");
      try (WsClient c = t.wsHello(token(user))) {
        String channel = ok(c.call("channel.create", new JsonObject().put("name", "Entrées").put("kind", "thematic")
            .put("visibility", "private"))).getJsonObject("channel").getString("id");
        String msg = ok(send(c, channel, "ok", "ok1")).getJsonObject("message").getString("id");
        Map<JsonObject, String> cases = new java.util.LinkedHashMap<>();
        cases.put(sendOp("01ARZ3NDEKTSV4RRFFQ69G5FAV", "hello", "a"), "not_found");
        cases.put(sendOp(channel, "", "a"), "bad_request");
        cases.put(sendOp(channel, "   \n ", "a"), "bad_request");
        cases.put(sendOp(channel, "x".repeat(101), "a"), "bad_request");
        cases.put(sendOp(channel, "bell\u0007", "a"), "bad_request");
        cases.put(sendOp(channel, "nul\u0000", "a"), "bad_request");
        cases.put(sendOp(channel, "ok", "has space"), "bad_request");
        cases.put(sendOp(channel, "ok", "x".repeat(65)), "bad_request");
        cases.put(op("message.send", new JsonObject().put("channelId", channel).put("text", "ok").put("clientMsgId", "b").put("threadRootId", "01ARZ3NDEKTSV4RRFFQ69G5FAV")), "not_found");
        cases.put(op("message.send", new JsonObject().put("channelId", channel).put("text", "ok").put("clientMsgId", "c").put("authorId", "someone")), "bad_request");
        cases.put(op("message.history", new JsonObject().put("channelId", channel).put("before", 0)), "bad_request");
        cases.put(op("message.history", new JsonObject().put("channelId", channel).put("before", 5).put("after", 1)), "bad_request");
        cases.put(op("message.history", new JsonObject().put("channelId", channel).put("limit", 101)), "bad_request");
        cases.put(op("message.history", new JsonObject().put("channelId", channel).put("after", -1)), "bad_request");
        cases.put(op("message.history", new JsonObject().put("channelId", channel).put("after", "3")), "bad_request");
        cases.put(op("message.edit", new JsonObject().put("channelId", channel).put("messageId", "01ARZ3NDEKTSV4RRFFQ69G5FAV").put("text", "x")), "not_found");
        cases.put(op("message.react", new JsonObject().put("channelId", channel).put("messageId", msg).put("emoji", "x".repeat(33))), "bad_request");
        cases.put(op("message.react", new JsonObject().put("channelId", channel).put("messageId", msg).put("emoji", "two words")), "bad_request");
        cases.put(op("channel.create", new JsonObject().put("name", "x").put("kind", "direct")), "bad_request");
        cases.put(op("channel.create", new JsonObject().put("name", "x").put("kind", "network")), "forbidden");
        cases.put(op("channel.create", new JsonObject().put("name", "").put("kind", "thematic")), "bad_request");
        cases.put(op("channel.create", new JsonObject().put("name", "x").put("kind", "galactic")), "bad_request");
        cases.put(op("dm.open", new JsonObject().put("userIds", new JsonArray())), "bad_request");
        cases.put(op("dm.open", new JsonObject().put("userIds", new JsonArray().add("01ARZ3NDEKTSV4RRFFQ69G5FAV"))), "not_found");
        JsonArray eight = new JsonArray();
        for (int i = 0; i < 8; i++) {
          eight.add(Ids.newId());
        }
        cases.put(op("dm.open", new JsonObject().put("userIds", eight)), "bad_request");
        cases.put(op("channel.markRead", new JsonObject().put("channelId", channel).put("seq", -5)), "bad_request");
        cases.put(op("channel.invite", new JsonObject().put("channelId", channel).put("userIds", new JsonArray().add("01ARZ3NDEKTSV4RRFFQ69G5FAV"))), "not_found");
        for (Map.Entry<JsonObject, String> bad : cases.entrySet()) {
          JsonObject reply = c.call(bad.getKey().getString("op"), bad.getKey().getJsonObject("data"));
          assertThat(code(reply)).as(bad.getKey().encode()).isEqualTo(bad.getValue());
        }
        for (int i = 0; i < 20; i++) {
          ok(c.call("message.react", new JsonObject().put("channelId", channel).put("messageId", msg).put("emoji", ":e" + i + ":")));
        }
        assertThat(code(c.call("message.react", new JsonObject().put("channelId", channel).put("messageId", msg).put("emoji", ":one-too-many:"))))
            .as("bounded distinct reactions").isEqualTo("conflict");
        JsonObject history = ok(c.call("message.history", new JsonObject().put("channelId", channel)));
        assertThat(history.getJsonArray("messages")).as("nothing was created by the bad inputs").hasSize(1);
        assertThat(history.getLong("channelSeq")).isEqualTo(1);
        assertThat(ok(c.call("channel.list", new JsonObject())).getJsonArray("channels")).hasSize(1);
      }
    }
  }

  private static JsonObject sendOp(String channelId, String text, String clientMsgId) {
    return op("message.send", new JsonObject().put("channelId", channelId).put("text", text).put("clientMsgId", clientMsgId));
  }

  private static JsonObject op(String op, JsonObject data) {
    return new JsonObject().put("op", op).put("data", data);
  }
}
