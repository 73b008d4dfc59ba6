package org.relais.tests.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.redis.ManagedRedis;
import org.relais.tests.redis.TestRedis;

import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.relais.tests.server.MessagingTest.code;
import static org.relais.tests.server.MessagingTest.id;
import static org.relais.tests.server.MessagingTest.ok;
import static org.relais.tests.server.MessagingTest.send;
import static org.relais.tests.server.MessagingTest.token;

class NotificationTest {
  private static final Map<String, String> CONFIG = Map.of("RELAIS_PUSH_ALLOW_INSECURE_ENDPOINTS", "true",
      "RELAIS_PUSH_COALESCE_SECONDS", "2");
  private static TestServer t;
  private static String admin;
  private static String orgId;

  @BeforeAll
  static void start() {
    t = TestServer.start(CONFIG);
    admin = t.adminToken();
    orgId = t.createOrg(admin, "WANEP-Mali", "ML");
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  private static JsonObject user(String name, String locale) {
    JsonObject login = t.createUser(admin, orgId, name);
    t.okOp(login.getString("accessToken"), "user.update", new JsonObject().put("locale", locale).put("timeZone", "Africa/Bamako"));
    return login;
  }

  private static String channelWith(WsClient owner, JsonObject... members) {
    JsonArray ids = new JsonArray();
    for (JsonObject m : members) {
      ids.add(id(m));
    }
    return ok(owner.call("channel.create", new JsonObject().put("name", "Canal " + System.nanoTime()).put("kind", "thematic")
        .put("visibility", "private").put("memberIds", ids))).getJsonObject("channel").getString("id");
  }

  @Test
  @DisplayName("a mention makes one notification, for the mentioned person only, in their language; markRead updates both of their sessions")
  void mention() {
    JsonObject aminata = user("Aminata Traoré", "fr");
    JsonObject moussa = user("Moussa Keïta", "fr");
    JsonObject sarah = user("Sarah Johnson", "en");
    try (WsClient a = t.wsHello(token(aminata)); WsClient phone = t.wsHello(token(moussa)); WsClient laptop = t.wsHello(token(moussa));
         WsClient s = t.wsHello(token(sarah))) {
      String channel = channelWith(a, moussa, sarah);
      // Being added to the channel is a notification of its own (channel.invite).
      assertThat(s.nextPush("notification.new", 5_000).getJsonObject("data").getJsonObject("notification").getString("title"))
          .startsWith("Aminata Traoré added you to #");
      assertThat(phone.nextPush("notification.new", 5_000).getJsonObject("data").getJsonObject("notification").getString("title"))
          .startsWith("Aminata Traoré vous a ajouté·e à #");
      laptop.nextPush("notification.new", 5_000);
      ok(send(a, channel, "Merci <@" + id(moussa) + "> pour le rapport", "n1"));
      JsonObject note = phone.nextPush("notification.new", 5_000).getJsonObject("data").getJsonObject("notification");
      assertThat(note.getString("kind")).isEqualTo("mention");
      assertThat(note.getString("title")).isEqualTo("Aminata Traoré vous a mentionné·e dans #" + note.getString("title").split("#")[1]);
      assertThat(note.getString("body")).isEqualTo("Merci @Moussa Keïta pour le rapport");
      assertThat(note.getJsonObject("target").getString("channelId")).isEqualTo(channel);
      laptop.nextPush("notification.new", 5_000);
      assertThat(laptop.nextMatching(f -> "notification.count".equals(f.getString("ev"))
          && f.getJsonObject("data").getLong("unreadCount") == 2, 5_000)).isNotNull();

      JsonObject list = ok(phone.call("notification.list", new JsonObject()));
      assertThat(list.getJsonArray("notifications")).hasSize(2);
      assertThat(list.getLong("unreadCount")).isEqualTo(2);
      ok(s.call("ping", null));
      assertThat(s.heldPushes("notification.new")).as("Sarah was not mentioned").isZero();
      assertThat(a.heldPushes("notification.new")).as("nor is the author").isZero();

      ok(phone.call("notification.markRead", new JsonObject().put("ids", new JsonArray().add(note.getString("id")))));
      assertThat(laptop.nextMatching(f -> "notification.count".equals(f.getString("ev"))
          && f.getJsonObject("data").getLong("unreadCount") == 1, 5_000)).isNotNull();
      ok(phone.call("notification.markRead", new JsonObject().put("all", true)));
      assertThat(laptop.nextMatching(f -> "notification.count".equals(f.getString("ev"))
          && f.getJsonObject("data").getLong("unreadCount") == 0, 5_000)).isNotNull();
      assertThat(ok(laptop.call("notification.list", new JsonObject().put("unreadOnly", true))).getJsonArray("notifications")).isEmpty();
    }
  }

  @Test
  @DisplayName("Web Push end to end: encrypted per RFC 8291, signed per RFC 8292, only while offline; a 410 removes the subscription")
  void webPush() throws Exception {
    JsonObject aminata = user("Aminata Traoré", "fr");
    JsonObject ingrid = user("Ingrid Larsen", "en");
    try (PushEndpoint endpoint = new PushEndpoint(t.clients); WsClient a = t.wsHello(token(aminata))) {
      String key = t.okOp(token(ingrid), "push.vapidKey", new JsonObject()).getString("publicKey");
      assertThat(java.util.Base64.getUrlDecoder().decode(key)).hasSize(65);
      t.okOp(token(ingrid), "push.subscribe", endpoint.subscription("ingrid"));
      String dm = ok(a.call("dm.open", new JsonObject().put("userIds", new JsonArray().add(id(ingrid))))).getJsonObject("channel").getString("id");

      ok(send(a, dm, "Hello Ingrid, the Oslo agenda is ready", "p1"));
      PushEndpoint.Received push = endpoint.next(10_000);
      assertThat(push).as("pushed while Ingrid has no session").isNotNull();
      assertThat(push.payload().getString("title")).isEqualTo("Aminata Traoré");
      assertThat(push.payload().getString("body")).isEqualTo("Hello Ingrid, the Oslo agenda is ready");
      assertThat(push.payload().getString("url")).isEqualTo("/#/c/" + dm + "/1");
      assertThat(push.urgency()).isEqualTo("high");
      assertThat(Integer.parseInt(push.ttl())).isPositive();
      assertThat(push.vapidSubject()).startsWith("mailto:");

      try (WsClient online = t.wsHello(token(ingrid))) {
        ok(online.call("ping", null));
        await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
            "online".equals(ok(a.call("presence.get", new JsonObject().put("userIds", new JsonArray().add(id(ingrid)))))
                .getJsonArray("presence").getJsonObject(0).getString("status")));
        Thread.sleep(2_500); // let the coalescing window of the first push close
        int before = endpoint.requests.get();
        ok(send(a, dm, "Are you there?", "p2"));
        online.nextPush("notification.new", 5_000);
        Thread.sleep(3_000);
        assertThat(endpoint.requests.get()).as("no push while a session is live").isEqualTo(before);
      }

      endpoint.status = 410;
      Thread.sleep(2_500);
      await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
          "offline".equals(ok(a.call("presence.get", new JsonObject().put("userIds", new JsonArray().add(id(ingrid)))))
              .getJsonArray("presence").getJsonObject(0).getString("status")));
      int before = endpoint.requests.get();
      ok(send(a, dm, "Gone?", "p3"));
      await().atMost(java.time.Duration.ofSeconds(10)).until(() -> endpoint.requests.get() > before);
      endpoint.status = 201;
      Thread.sleep(2_500);
      int after410 = endpoint.requests.get();
      ok(send(a, dm, "Still gone", "p4"));
      Thread.sleep(1_500);
      assertThat(endpoint.requests.get()).as("the subscription was removed after 410").isEqualTo(after410);
    }
  }

  @Test
  @DisplayName("ten messages in one conversation within the window make one push now and one that says nine more")
  void coalescing() throws Exception {
    JsonObject aminata = user("Aminata Traoré", "fr");
    JsonObject fatouma = user("Fatouma Issoufou", "fr");
    try (PushEndpoint endpoint = new PushEndpoint(t.clients); WsClient a = t.wsHello(token(aminata))) {
      t.okOp(token(fatouma), "push.subscribe", endpoint.subscription("fatouma"));
      String dm = ok(a.call("dm.open", new JsonObject().put("userIds", new JsonArray().add(id(fatouma))))).getJsonObject("channel").getString("id");
      ok(send(a, dm, "message 1", "c1"));
      PushEndpoint.Received first = endpoint.next(10_000);
      assertThat(first).as("the first goes out at once").isNotNull();
      assertThat(first.payload().getString("body")).isEqualTo("message 1");
      // The window (2 s) is open: the nine others are sent at once, not one reply after another, so that all of
      // them fall in it on a slow machine too.
      List<String> ids = new ArrayList<>();
      for (int i = 2; i <= 10; i++) {
        ids.add(a.callNoWait("message.send", new JsonObject().put("channelId", dm).put("text", "message " + i)
            .put("clientMsgId", "c" + i)));
      }
      for (String requestId : ids) {
        ok(a.replyTo(requestId));
      }
      PushEndpoint.Received summary = endpoint.next(10_000);
      assertThat(summary.payload().getString("body")).isEqualTo("9 nouveaux messages dans Aminata Traoré");
      assertThat(summary.payload().getLong("count")).isEqualTo(9);
      assertThat(endpoint.next(3_000)).isNull();
      assertThat(t.okOp(token(fatouma), "notification.list", new JsonObject().put("limit", 100)).getJsonArray("notifications"))
          .as("the center still has each message").hasSize(10);
    }
  }

  @Test
  @DisplayName("'all' counts only for members: a follower who left gets nothing, nor does the author; @channel tells every member but the author")
  void allFollowersAndChannelMention() {
    JsonObject aminata = user("Aminata Traoré", "fr");
    JsonObject chinedu = user("Chinedu Okafor", "en");
    JsonObject moussa = user("Moussa Keïta", "fr");
    try (WsClient a = t.wsHello(token(aminata)); WsClient c = t.wsHello(token(chinedu))) {
      String channel = channelWith(a, chinedu, moussa);
      t.okOp(token(chinedu), "notification.prefs.set", new JsonObject().put("channels", new JsonObject().put(channel, "all")));
      t.okOp(token(aminata), "notification.prefs.set", new JsonObject().put("channels", new JsonObject().put(channel, "all")));
      ok(send(a, channel, "for the followers", "f1"));
      await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
          t.okOp(token(chinedu), "notification.list", new JsonObject()).getJsonArray("notifications").size() == 2);
      ok(c.call("channel.leave", new JsonObject().put("channelId", channel)));
      ok(send(a, channel, "after Chinedu left", "f2"));
      ok(send(a, channel, "@channel réunion à 15 h", "f3"));
      await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
          t.okOp(token(moussa), "notification.list", new JsonObject()).getJsonArray("notifications").size() == 2);
      JsonArray moussaNotes = t.okOp(token(moussa), "notification.list", new JsonObject()).getJsonArray("notifications");
      assertThat(moussaNotes.getJsonObject(0).getString("kind")).as("newest first: the @channel mention").isEqualTo("mention");
      ok(send(a, channel, "<@" + id(moussa) + "> a last one", "f4"));
      await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
          t.okOp(token(moussa), "notification.list", new JsonObject()).getJsonArray("notifications").size() == 3);
      assertThat(t.okOp(token(chinedu), "notification.list", new JsonObject()).getJsonArray("notifications"))
          .as("the invitation and the first message only: not a member any more").hasSize(2);
      assertThat(t.okOp(token(aminata), "notification.list", new JsonObject()).getJsonArray("notifications"))
          .as("the author is never told of their own messages").isEmpty();
    }
  }

  @Test
  @DisplayName("quiet hours suppress the push, not the center entry; a muted channel makes nothing; mentions-only means only mentions; all means all")
  void preferences() throws Exception {
    JsonObject aminata = user("Aminata Traoré", "fr");
    JsonObject chinedu = user("Chinedu Okafor", "en");
    try (PushEndpoint endpoint = new PushEndpoint(t.clients); WsClient a = t.wsHello(token(aminata))) {
      t.okOp(token(chinedu), "push.subscribe", endpoint.subscription("chinedu"));
      String channel = channelWith(a, chinedu);
      assertThat(endpoint.next(10_000).payload().getString("title")).as("the invitation, pushed").startsWith("Aminata Traoré added you");
      LocalTime now = LocalTime.now(ZoneId.of("Africa/Bamako"));
      t.okOp(token(chinedu), "notification.prefs.set", new JsonObject().put("quietHours", new JsonObject()
          .put("start", now.minusHours(1).withSecond(0).toString().substring(0, 5))
          .put("end", now.plusHours(1).withSecond(0).toString().substring(0, 5))));
      int pushes = endpoint.requests.get();
      ok(send(a, channel, "<@" + id(chinedu) + "> quiet please", "q1"));
      await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
          t.okOp(token(chinedu), "notification.list", new JsonObject()).getJsonArray("notifications").size() == 2);
      Thread.sleep(1_000);
      assertThat(endpoint.requests.get()).as("no push in quiet hours").isEqualTo(pushes);
      t.okOp(token(chinedu), "notification.prefs.set", new JsonObject().put("quietHours", new JsonObject().put("off", true)));

      ok(send(a, channel, "not a mention", "q2"));
      Thread.sleep(800);
      assertThat(t.okOp(token(chinedu), "notification.list", new JsonObject()).getJsonArray("notifications"))
          .as("mentions only (the default): a plain message makes nothing").hasSize(2);

      t.okOp(token(chinedu), "notification.prefs.set", new JsonObject().put("channels", new JsonObject().put(channel, "all")));
      ok(send(a, channel, "everything now", "q3"));
      await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
          t.okOp(token(chinedu), "notification.list", new JsonObject()).getJsonArray("notifications").size() == 3);

      t.okOp(token(chinedu), "notification.prefs.set", new JsonObject().put("channels", new JsonObject().put(channel, "muted")));
      ok(send(a, channel, "<@" + id(chinedu) + "> even a mention", "q4"));
      Thread.sleep(800);
      assertThat(t.okOp(token(chinedu), "notification.list", new JsonObject()).getJsonArray("notifications"))
          .as("muted: nothing at all").hasSize(3);
      JsonObject prefs = t.okOp(token(chinedu), "notification.prefs.get", new JsonObject()).getJsonObject("preferences");
      assertThat(prefs.getJsonObject("channels").getString(channel)).isEqualTo("muted");
      assertThat(code(t.op(token(chinedu), "notification.prefs.set", new JsonObject().put("push", "sometimes")))).isEqualTo("bad_request");
    }
  }

  @Test
  @DisplayName("a sensitive channel's push carries no text, only where it came from")
  void sensitive() throws Exception {
    JsonObject aminata = user("Aminata Traoré", "fr");
    JsonObject yuki = user("Yuki Tanaka", "en");
    try (PushEndpoint endpoint = new PushEndpoint(t.clients); WsClient a = t.wsHello(token(aminata))) {
      t.okOp(token(yuki), "push.subscribe", endpoint.subscription("yuki"));
      String channel = ok(a.call("channel.create", new JsonObject().put("name", "Alerte Nord").put("kind", "thematic")
          .put("visibility", "private").put("sensitive", true).put("memberIds", new JsonArray().add(id(yuki)))))
          .getJsonObject("channel").getString("id");
      endpoint.next(5_000); // the invitation
      ok(send(a, channel, "<@" + id(yuki) + "> the convoy leaves Gao at 6", "s1"));
      PushEndpoint.Received push = endpoint.next(10_000);
      assertThat(push.payload().getString("body")).isEqualTo("New message in #Alerte Nord");
      assertThat(push.payload().encode()).doesNotContain("convoy").doesNotContain("Gao");
    }
  }

  @Test
  @DisplayName("two nodes: exactly one push per notification")
  void twoNodes() throws Exception {
    ManagedRedis redis = TestRedis.start();
    try (TestServer a = TestServer.startOn(redis, CONFIG); TestServer b = TestServer.startOn(redis, CONFIG);
         PushEndpoint endpoint = new PushEndpoint(a.clients)) {
      String adminToken = a.adminToken();
      String o = a.createOrg(adminToken, "UN Women", "US");
      JsonObject sender = a.createUser(adminToken, o, "Sarah Johnson");
      JsonObject receiver = a.createUser(adminToken, o, "Ingrid Larsen");
      b.okOp(token(receiver), "push.subscribe", endpoint.subscription("r"));
      try (WsClient onA = a.wsHello(token(sender))) {
        String dm = ok(onA.call("dm.open", new JsonObject().put("userIds", new JsonArray().add(id(receiver))))).getJsonObject("channel").getString("id");
        ok(send(onA, dm, "one push only", "two-1"));
        assertThat(endpoint.next(10_000)).isNotNull();
        assertThat(endpoint.next(3_000)).as("no second push from the other node").isNull();
        assertThat(endpoint.requests.get()).isEqualTo(1);
      }
    } finally {
      redis.stop();
    }
  }

  @Test
  @DisplayName("a browser subscribed during a session gets no more pushes after that session logs out (shared laptops)")
  void logoutStopsPushes() throws Exception {
    JsonObject aminata = user("Aminata Traoré", "fr");
    JsonObject shared = user("Moussa Keïta", "fr");
    try (PushEndpoint endpoint = new PushEndpoint(t.clients); WsClient a = t.wsHello(token(aminata))) {
      t.okOp(token(shared), "push.subscribe", endpoint.subscription("shared-laptop"));
      String dm = ok(a.call("dm.open", new JsonObject().put("userIds", new JsonArray().add(id(shared))))).getJsonObject("channel").getString("id");
      ok(send(a, dm, "avant la déconnexion", "l1"));
      assertThat(endpoint.next(10_000)).isNotNull();
      t.post("/api/auth/logout", new JsonObject().put("refreshToken", shared.getString("refreshToken")).encode(), null);
      Thread.sleep(2_500);
      int before = endpoint.requests.get();
      ok(send(a, dm, "après la déconnexion", "l2"));
      Thread.sleep(1_500);
      assertThat(endpoint.requests.get()).isEqualTo(before);
    }
  }

  @Test
  @DisplayName("subscriptions must point to a known push service, never to an arbitrary host; a direct conversation set to mentions stays quiet")
  void subscriptionHostsAndDirectLevels() throws Exception {
    JsonObject aminata = user("Aminata Traoré", "fr");
    JsonObject sarah = user("Sarah Johnson", "en");
    try (TestServer strict = TestServer.start(); PushEndpoint keys = new PushEndpoint(t.clients)) {
      String token = strict.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD).getString("accessToken");
      JsonObject sub = new JsonObject().put("keys", keys.subscription("k").getJsonObject("keys"));
      assertThat(code(strict.op(token, "push.subscribe", sub.copy().put("endpoint", "https://intranet.example/hook")))).isEqualTo("bad_request");
      assertThat(code(strict.op(token, "push.subscribe", sub.copy().put("endpoint", "http://127.0.0.1:9/push")))).isEqualTo("bad_request");
      assertThat(code(strict.op(token, "push.subscribe", sub.copy().put("endpoint", "https://fcm.googleapis.com/fcm/send/abc")))).isEqualTo("ok");
    }
    try (WsClient a = t.wsHello(token(aminata)); WsClient s = t.wsHello(token(sarah))) {
      String dm = ok(a.call("dm.open", new JsonObject().put("userIds", new JsonArray().add(id(sarah))))).getJsonObject("channel").getString("id");
      ok(s.call("notification.prefs.set", new JsonObject().put("channels", new JsonObject().put(dm, "mentions"))));
      ok(send(a, dm, "no notification for this", "d1"));
      ok(send(a, dm, "but <@" + id(sarah) + "> this one", "d2"));
      JsonObject note = s.nextPush("notification.new", 5_000).getJsonObject("data").getJsonObject("notification");
      assertThat(note.getString("kind")).isEqualTo("mention");
      ok(s.call("ping", null));
      assertThat(s.heldPushes("notification.new")).isZero();
    }
  }
}
