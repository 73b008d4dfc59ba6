package org.relais.tests.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.server.MessagingTest.id;
import static org.relais.tests.server.MessagingTest.ok;
import static org.relais.tests.server.MessagingTest.send;
import static org.relais.tests.server.MessagingTest.token;

/**
 * Fan-out: an event is encoded once per node and the same bytes are written to every follower (each socket gets a
 * duplicate with its own read position). Every socket must still receive every event whole, in order, once: short
 * and long frames (past Netty's 1 KiB merge threshold), multi-byte UTF-8, and a message larger than the largest
 * frame (split into continuation frames).
 */
class FanoutTest {

  @Test
  @DisplayName("one channel, eight sockets on two event loops: every socket receives every event byte for byte, in order, once")
  void sameBytesToEverySocket() {
    // A 4 KiB frame limit, so that the longest messages below are sent as several frames.
    try (TestServer t = TestServer.start(Map.of("RELAIS_EVENT_LOOPS", "2", "RELAIS_WS_MAX_FRAME_BYTES", "4096",
        "RELAIS_WS_MAX_REQUEST_BYTES", "4096"))) {
      String admin = t.adminToken();
      String org = t.createOrg(admin, "AU Commission", "ET");
      JsonObject sender = t.createUser(admin, org, "Abebe Bikila");
      List<JsonObject> members = new ArrayList<>();
      JsonArray memberIds = new JsonArray();
      for (int i = 0; i < 7; i++) {
        JsonObject m = t.createUser(admin, org, "Member " + i);
        members.add(m);
        memberIds.add(id(m));
      }
      List<WsClient> sockets = new ArrayList<>();
      try (WsClient s = t.wsHello(token(sender))) {
        String channel = ok(s.call("channel.create", new JsonObject().put("name", "Diffusion").put("kind", "thematic")
            .put("visibility", "private").put("memberIds", memberIds))).getJsonObject("channel").getString("id");
        for (JsonObject m : members) {
          sockets.add(t.wsHello(token(m)));
        }
        List<WsClient> all = new ArrayList<>(sockets);
        all.add(s);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
          String text = switch (i % 5) {
            case 0 -> "court " + i;
            case 1 -> "Grüße, ça va ? 日本語 🎉 " + i;
            case 2 -> "long ".repeat(300) + i;                       // ~1.5 KB: a frame past the merge threshold
            case 3 -> "日本語のテキスト".repeat(160) + i;             // 3.8 KB of UTF-8: its event is past 4 KiB
            default -> "é".repeat(1_850) + "🎉" + i;                 // the same with two-byte characters
          };
          texts.add(text);
          ok(send(s, channel, text, "fan-" + i));
        }
        ok(s.call("typing.start", new JsonObject().put("channelId", channel)));
        for (WsClient c : all) {
          // The sender's socket also saw the channel being set up (member.joined ...): every logged event counts.
          long previous = -1;
          int i = 0;
          while (i < texts.size()) {
            JsonObject push = c.nextMatchingChannelEvent(channel, 10_000);
            long offset = push.getJsonObject("data").getLong("offset");
            if (previous >= 0) {
              assertThat(offset).as("in order, once").isEqualTo(previous + 1);
            }
            previous = offset;
            if (push.getString("ev").equals("message.new")) {
              assertThat(push.getJsonObject("data").getJsonObject("message").getString("text")).isEqualTo(texts.get(i++));
            }
          }
        }
        // Typing (not logged) is shared too, and never sent back to its author.
        for (int i = 0; i < members.size(); i++) {
          JsonObject typing = sockets.get(i).nextPush("typing", channel, 10_000);
          assertThat(typing.getJsonObject("data").getString("userId")).isEqualTo(id(sender));
        }
        for (WsClient c : all) {
          ok(c.call("ping", null));
          assertThat(c.heldChannelEvents(channel)).as("nothing twice").isZero();
        }
        assertThat(s.heldPushes("typing")).isZero();
      } finally {
        sockets.forEach(WsClient::close);
      }
    }
  }
}
