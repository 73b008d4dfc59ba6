package org.relais.tests.server;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.relais.redis.ManagedRedis;
import org.relais.tests.redis.TestRedis;
import org.relais.tests.server.faults.RedisProxy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.relais.tests.server.MessagingTest.id;
import static org.relais.tests.server.MessagingTest.ok;
import static org.relais.tests.server.MessagingTest.token;

/**
 * A member removed from a channel hears nothing more of it, even while the node it is connected to is still
 * confirming the removal with a slow Redis: after the socket's own {@code member.left}, the channel's unlogged
 * events — its members' presence, typing — stop, not only its logged ones. Two nodes on one Redis: the channel's
 * owner acts on a node with a direct link; the removed member and a member who stays are on a node whose every byte
 * to and from Redis is delayed, so its membership check takes seconds while the owner's presence change and typing
 * (published after the removal) reach it. And a removal the node never heard (it had lost Redis, and the channel's
 * log was trimmed past it by the time the node caught up) is found by the membership check every trimmed gap asks.
 */
class RemovedMemberSilenceTest {
  private static final long DELAY_MS = 3_000;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("removed from a channel: no presence of its members and no typing from it while the removal is "
      + "confirmed through a slow Redis; a member who stays hears both")
  void removedMemberHearsNothingWhileItsRemovalIsChecked() throws Exception {
    ManagedRedis redis = TestRedis.start();
    Vertx vertx = Vertx.vertx();
    // commands and pub/sub pings through the slow link must not time out: a 4 s round trip is slow, not lost
    Map<String, String> env = Map.of("RELAIS_PRESENCE_GRACE_SECONDS", "1", "RELAIS_REDIS_TIMEOUT_MS", "20000");
    try (RedisProxy proxy = new RedisProxy(vertx, redis.port());
         TestServer near = TestServer.startOn(redis, env);
         TestServer far = TestServer.startOn(redis, withUrl(env, proxy.url(redis.url())))) {
      // Over HTTP (not presence): the owner is not online until it opens a socket below.
      Cell cell = Cell.create(near, "Cellule Gao");
      JsonObject owner = cell.owner();
      JsonObject removed = cell.removed();
      String channel = cell.channel();
      try (WsClient b = far.wsHello(token(removed)); WsClient e = far.wsHello(token(cell.stays()))) {
        cell.bothFollow(near, b, e);

        proxy.delay(DELAY_MS);
        near.okOp(token(owner), "channel.kick", new JsonObject().put("channelId", channel).put("userId", id(removed)));
        // the far node delivers the removal, then asks Redis whether the member is still one: an answer about
        // 2 × DELAY_MS away
        assertThat(b.nextPush("member.left", channel, 15_000).getJsonObject("data").getString("userId"))
            .isEqualTo(id(removed));
        long checkAsked = System.nanoTime();
        // now the owner comes online and types in the channel: both published after the removal, both at the far
        // node about DELAY_MS later, while the removed member's check is still waiting
        try (WsClient a = near.wsHello(token(owner))) {
          ok(a.call("typing.start", new JsonObject().put("channelId", channel)));
          Predicate<JsonObject> ownerOnline = f -> "presence.changed".equals(f.getString("ev"))
              && id(owner).equals(f.getJsonObject("data").getString("userId"));
          Predicate<JsonObject> ownerTyping = f -> "typing".equals(f.getString("ev"))
              && channel.equals(f.getJsonObject("data").getString("channelId"));
          e.nextMatching(ownerOnline, 15_000);
          e.nextMatching(ownerTyping, 15_000);
          long reachedFarMs = (System.nanoTime() - checkAsked) / 1_000_000;
          assertThat(reachedFarMs).as("the owner's presence and typing reached the far node within the check's "
              + "round trip (otherwise this test shows nothing)").isLessThan(2 * DELAY_MS);
          assertThatThrownBy(() -> b.nextMatching(ownerOnline.or(ownerTyping), 2 * DELAY_MS + 2_000))
              .as("nothing of the channel reaches the removed member")
              .isInstanceOf(AssertionError.class).hasMessageStartingWith("no matching frame");
        }
      } finally {
        proxy.delay(0);
      }
    } finally {
      vertx.close();
      redis.stop();
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("removed while its node had lost Redis, with more events since than the log keeps: resync trimmed, "
      + "then removed, and nothing more of the channel; a member who stays goes on")
  void removalHiddenInATrimmedGapIsNotMissed() throws Exception {
    ManagedRedis redis = TestRedis.start();
    Vertx vertx = Vertx.vertx();
    Map<String, String> env = Map.of("RELAIS_CHANNEL_LOG_EVENTS", "100");
    try (RedisProxy proxy = new RedisProxy(vertx, redis.port());
         TestServer near = TestServer.startOn(redis, env);
         TestServer far = TestServer.startOn(redis, withUrl(env, proxy.url(redis.url())))) {
      Cell cell = Cell.create(near, "Cellule Kidal");
      JsonObject owner = cell.owner();
      JsonObject removed = cell.removed();
      String channel = cell.channel();
      try (WsClient b = far.wsHello(token(removed)); WsClient e = far.wsHello(token(cell.stays()))) {
        cell.bothFollow(near, b, e);

        // the far node loses Redis (its pub/sub included); meanwhile the member is removed and 150 more events
        // follow, so that the removal is no longer in the log (100 events) when the far node catches up
        proxy.refuse(true);
        proxy.resetAll();
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.openLinks() == 0);
        near.okOp(token(owner), "channel.kick", new JsonObject().put("channelId", channel).put("userId", id(removed)));
        for (int i = 0; i < 150; i++) {
          near.okOp(token(owner), "message.send", new JsonObject().put("channelId", channel)
              .put("text", "pendant la coupure " + i).put("clientMsgId", "gap-" + i));
        }
        proxy.refuse(false);

        // the far node's subscriber comes back within its back-off (at most 5 s), or its feeds' poll (every 15 s)
        assertThat(e.nextPush("resync", channel, 30_000).getJsonObject("data").getString("reason"))
            .isEqualTo("trimmed");
        assertThat(b.nextPush("resync", channel, 30_000).getJsonObject("data").getString("reason"))
            .isEqualTo("trimmed");
        assertThat(b.nextPush("resync", channel, 10_000).getJsonObject("data").getString("reason"))
            .as("its removal was in the gap: the socket is told, as on a resume").isEqualTo("removed");

        near.okOp(token(owner), "message.send", new JsonObject().put("channelId", channel)
            .put("text", "après la coupure").put("clientMsgId", "after"));
        assertThat(e.nextPush("message.new", channel, 10_000).getJsonObject("data").getJsonObject("message")
            .getString("text")).isEqualTo("après la coupure");
        assertThatThrownBy(() -> b.nextMatchingChannelEvent(channel, 2_000))
            .as("nothing more of the channel reaches the removed member")
            .isInstanceOf(AssertionError.class).hasMessageStartingWith("no matching frame");
      }
    } finally {
      vertx.close();
      redis.stop();
    }
  }

  /** A channel's owner, a member about to be removed and one who stays, in one private channel made over HTTP. */
  private record Cell(JsonObject owner, JsonObject removed, JsonObject stays, String channel) {
    static Cell create(TestServer near, String name) {
      String admin = near.adminToken();
      String org = near.createOrg(admin, "WANEP", "ML");
      JsonObject owner = near.createUser(admin, org, "Aïssata Maïga");
      JsonObject removed = near.createUser(admin, org, "Boubacar Traoré");
      JsonObject stays = near.createUser(admin, org, "Élise Coulibaly");
      String channel = near.okOp(token(owner), "channel.create", new JsonObject().put("name", name)
              .put("kind", "thematic").put("visibility", "private")
              .put("memberIds", new JsonArray().add(id(removed)).add(id(stays))))
          .getJsonObject("channel").getString("id");
      return new Cell(owner, removed, stays, channel);
    }

    /** Both members' sockets follow the channel: a message from the owner reaches both. */
    void bothFollow(TestServer near, WsClient b, WsClient e) {
      near.okOp(token(owner), "message.send", new JsonObject().put("channelId", channel)
          .put("text", "Réunion à 10 h").put("clientMsgId", "before-" + channel));
      b.nextPush("message.new", channel, 10_000);
      e.nextPush("message.new", channel, 10_000);
    }
  }

  private static Map<String, String> withUrl(Map<String, String> env, String url) {
    Map<String, String> m = new java.util.HashMap<>(env);
    m.put("RELAIS_REDIS_URL", url);
    return m;
  }
}
