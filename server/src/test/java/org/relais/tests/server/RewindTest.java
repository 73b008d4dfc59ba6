package org.relais.tests.server;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.server.MessagingTest.id;
import static org.relais.tests.server.MessagingTest.ok;
import static org.relais.tests.server.MessagingTest.send;
import static org.relais.tests.server.MessagingTest.token;

/** What a connected client is told when Redis loses a channel's last events (a failover to a lagging replica). */
class RewindTest {

  @Test
  @DisplayName("a channel whose last events Redis lost: connected followers get resync ahead, then what follows")
  void lostEventsMakeFollowersResync() {
    try (TestServer t = TestServer.start()) {
      String admin = t.adminToken();
      String org = t.createOrg(admin, "WANEP-Mali", "ML");
      JsonObject aminata = t.createUser(admin, org, "Aminata Traoré");
      JsonObject moussa = t.createUser(admin, org, "Moussa Keïta");
      RedisDb db = RedisDb.create(t.clients, RedisSettings.of(t.redis.url()), new SimpleMeterRegistry());
      try (WsClient a = t.wsHello(token(aminata)); WsClient m = t.wsHello(token(moussa))) {
        String channel = MessagingTest.createChannel(a, "Reprise", "private", id(moussa));
        for (int i = 1; i <= 3; i++) {
          ok(send(a, channel, "message " + i, "c" + i));
        }
        long lastSeen = 0;
        for (int i = 1; i <= 3; i++) {
          lastSeen = m.nextPush("message.new", channel, 5_000).getJsonObject("data").getLong("offset");
        }

        // What a failover to a replica two events behind leaves: messages 2 and 3 and their log entries gone.
        String ch = "relais:ch:{c:" + channel + "}";
        TestServer.await(db.send(Command.HSET, ch, "seq", "1", "offset", String.valueOf(lastSeen - 2)));
        TestServer.await(db.send(Command.XDEL, ch + ":log", (lastSeen - 1) + "-0", lastSeen + "-0"));
        TestServer.await(db.send(Command.XSETID, ch + ":log", (lastSeen - 2) + "-0"));
        TestServer.await(db.send(Command.DEL, ch + ":m:2"));
        TestServer.await(db.send(Command.DEL, ch + ":m:3"));

        // The next message reuses offset lastSeen - 1: Moussa is told to reload, not left with a silent gap.
        JsonObject sent = ok(send(a, channel, "after the failover", "c4")).getJsonObject("message");
        assertThat(sent.getLong("seq")).isEqualTo(2);
        JsonObject resync = m.nextPush("resync", channel, 5_000).getJsonObject("data");
        assertThat(resync.getString("reason")).isEqualTo("ahead");
        assertThat(resync.getLong("offset")).isEqualTo(lastSeen - 1);
        ok(send(a, channel, "and then", "c5"));
        JsonObject next = m.nextPush("message.new", channel, 5_000).getJsonObject("data");
        assertThat(next.getLong("offset")).isEqualTo(lastSeen);
        assertThat(next.getJsonObject("message").getString("text")).isEqualTo("and then");
      } finally {
        TestServer.await(db.close());
      }
    }
  }
}
