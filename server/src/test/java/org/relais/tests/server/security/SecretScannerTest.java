package org.relais.tests.server.security;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.tests.server.SecretScanner;
import org.relais.tests.server.TestServer;
import org.relais.tests.server.WsClient;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The secret scanner itself: it catches each kind of secret, it lets through only what the allow-list names, and
 * over a scenario that touches every area it reads every payload and finds nothing. (It also runs over every
 * payload of every other server test: {@code TestServer} and {@code WsClient} call it.)
 */
class SecretScannerTest {
  private static TestServer t;

  @BeforeAll
  static void start() {
    t = TestServer.start(Map.of("RELAIS_PUSH_ALLOW_INSECURE_ENDPOINTS", "true"));
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  @Test
  @DisplayName("the scanner catches hashes, JWTs, secret fields, learnt secrets and server keys, outside the allow-list only")
  void catchesEachKind() {
    String jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    assertThat(SecretScanner.scan("ev:user.updated", "{\"user\":{\"x\":\"$argon2id$v=19$m=65536,t=3,p=1$abc$def\"}}"))
        .anyMatch(f -> f.startsWith("password hash"));
    assertThat(SecretScanner.scan("ev:message.new", "{\"text\":\"" + jwt + "\"}")).anyMatch(f -> f.startsWith("JWT"));
    assertThat(SecretScanner.scan("op:user.get", "{\"user\":{\"passwordHash\":\"x\"}}")).contains("field 'passwordHash'");
    assertThat(SecretScanner.scan("op:user.get", "{\"inviteToken\":\"abc\"}")).contains("field 'inviteToken'");
    assertThat(SecretScanner.scan("ev:presence.changed", "{\"keys\":{\"auth\":\"abc\",\"p256dh\":\"def\"}}"))
        .contains("field 'auth'", "field 'p256dh'");
    assertThat(SecretScanner.scan("op:push.vapidKey", "{\"jwk\":{\"kty\":\"EC\",\"d\":\"secret\"}}")).contains("field 'd'");

    // Allowed where the allow-list says, and then learnt: the same value anywhere else is a leak.
    String refresh = "r-" + System.nanoTime() + "-refresh-token-value";
    assertThat(SecretScanner.scan("http:/api/auth/login", new JsonObject().put("accessToken", jwt).put("refreshToken", refresh)
        .put("user", new JsonObject().put("id", "u1")).encode())).isEmpty();
    assertThat(SecretScanner.scan("ev:notification.new", "{\"body\":\"" + refresh + "\"}")).anyMatch(f -> f.startsWith("known secret"));
    assertThat(SecretScanner.scan("op:user.invite", "{\"inviteToken\":\"t-" + System.nanoTime() + "-invitation\"}")).isEmpty();
    assertThat(SecretScanner.scan("op:calendar.feed", "{\"secret\":\"s-" + System.nanoTime() + "-feed-secret\",\"url\":\"/ical/x.ics\"}"))
        .isEmpty();
    // A reply to a raw frame has no op: nothing is allowed.
    assertThat(SecretScanner.scan("unknown", "{\"re\":\"1\",\"data\":{\"accessToken\":\"x\"}}")).contains("field 'accessToken'");

    // The server's own keys were read from Redis when it started.
    String vapid = new JsonObject(redisGet("relais:ntf:vapid")).getString("private");
    assertThat(SecretScanner.scan("op:push.vapidKey", "{\"publicKey\":\"" + vapid + "\"}")).anyMatch(f -> f.startsWith("known secret"));
  }

  @Test
  @DisplayName("a frame carrying a secret fails the test that receives it: an invitation token outside user.invite's reply")
  void aLeakOverTheWebSocketFails() {
    String admin = t.adminToken();
    String org = t.createOrg(admin, "ECOWAS", "NG");
    try (WsClient ws = t.wsHello(admin)) {
      // Sent raw, the reply is not known to answer user.invite: its inviteToken is a leak as far as the scanner knows.
      String invite = new JsonObject().put("id", "raw-1").put("op", "user.invite").put("data", new JsonObject()
          .put("email", "chinedu@test.example").put("displayName", "Chinedu Okafor").put("orgId", org)).encode();
      assertThatThrownBy(() -> ws.sendRaw(invite))
          .isInstanceOf(AssertionError.class).hasMessageContaining("secret leaked in unknown").hasMessageContaining("inviteToken");
      ws.forgetLeaks();
      // The same op through call() is the allowed reply.
      assertThat(ws.call("user.invite", new JsonObject().put("email", "fatou@test.example").put("displayName", "Fatou Sow")
          .put("orgId", org)).getJsonObject("data").getString("inviteToken")).isNotBlank();
    }
  }

  private static String redisGet(String key) {
    try (var redis = new org.relais.tests.server.RedisDigest(t.redis.url())) {
      return redis.get(key);
    }
  }

  @Test
  @DisplayName("over a scenario touching every area, the scanner reads every reply, event and body, and finds no secret")
  void broadScenario() {
    long scannedBefore = SecretScanner.scanned();
    long findingsBefore = SecretScanner.findings();
    String admin = t.adminToken();
    String wanep = t.createOrg(admin, "WANEP-Mali", "ML");
    String unw = t.createOrg(admin, "UN Women", "US");
    JsonObject aminata = t.createUser(admin, wanep, "Aminata Traoré", "org-admin", "coordinator");
    JsonObject moussa = t.createUser(admin, wanep, "Moussa Keïta");
    JsonObject sarah = t.createUser(admin, unw, "Sarah Johnson", "coordinator");
    String a = aminata.getString("accessToken");
    String m = moussa.getString("accessToken");
    String s = sarah.getString("accessToken");
    String aId = aminata.getJsonObject("user").getString("id");
    String mId = moussa.getJsonObject("user").getString("id");
    String sId = sarah.getJsonObject("user").getString("id");

    t.post("/api/auth/refresh", new JsonObject().put("refreshToken", moussa.getString("refreshToken")).encode(), null);
    try (WsClient wa = t.wsHello(a); WsClient wm = t.wsHello(m); WsClient ws = t.wsHello(s)) {
      // Push subscriptions: their keys must never reach anyone, the owner included.
      t.okOp(m, "push.subscribe", AuthorizationMatrixTest.pushSubscription("http://127.0.0.1:9/push/moussa"));
      t.okOp(m, "push.vapidKey", new JsonObject());
      String channel = wa.call("channel.create", new JsonObject().put("name", "Médiation Mopti").put("kind", "regional")
          .put("memberIds", new JsonArray().add(mId))).getJsonObject("data").getJsonObject("channel").getString("id");
      for (int i = 0; i < 5; i++) {
        wa.call("message.send", new JsonObject().put("channelId", channel).put("text", "Point " + i + " <@" + mId + ">")
            .put("clientMsgId", "scan-" + i));
      }
      wm.nextPush("message.new", channel, 5_000);
      wm.call("message.react", new JsonObject().put("channelId", channel).put("messageId",
          wm.call("message.history", new JsonObject().put("channelId", channel)).getJsonObject("data").getJsonArray("messages")
              .getJsonObject(0).getString("id")).put("emoji", "👍"));
      wm.call("channel.markRead", new JsonObject().put("channelId", channel).put("seq", 5));
      wm.call("presence.set", new JsonObject().put("status", "dnd"));
      wa.call("presence.get", new JsonObject().put("userIds", new JsonArray().add(mId).add(sId)));
      String dm = ws.call("dm.open", new JsonObject().put("userIds", new JsonArray().add(mId))).getJsonObject("data")
          .getJsonObject("channel").getString("id");
      ws.call("message.send", new JsonObject().put("channelId", dm).put("text", "Hello Moussa").put("clientMsgId", "dm-1"));
      wm.call("user.update", new JsonObject().put("title", "Point focal").put("timeZone", "Africa/Bamako"));
      wa.call("user.get", new JsonObject().put("userId", mId));
      wa.call("user.search", new JsonObject().put("query", "keita"));
      wa.call("user.invite", new JsonObject().put("email", "awa@test.example").put("displayName", "Awa Diallo").put("orgId", wanep));
      wa.call("user.setRoles", new JsonObject().put("userId", mId).put("roles", new JsonArray().add("coordinator")));
      t.okOp(admin, "org.get", new JsonObject().put("orgId", wanep));
      // Calendars and the feed: the secret is in calendar.feed's reply and the feed's URL, nowhere else.
      wa.call("event.create", new JsonObject().put("title", "Atelier").put("start", "2027-03-02T09:00")
          .put("attendeeIds", new JsonArray().add(mId).add(sId)).put("description", "Ordre du jour"));
      wm.call("calendar.list", new JsonObject());
      String feed = wm.call("calendar.feed", new JsonObject()).getJsonObject("data").getString("url");
      assertThat(t.get(feed).statusCode()).isEqualTo(200);
      wm.call("event.list", new JsonObject().put("from", "2027-03-01").put("to", "2027-03-31"));
      // Partnerships and notifications.
      wa.call("partnership.request", new JsonObject().put("toOrgId", unw).put("purpose", "Formation conjointe")
          .put("themes", new JsonArray().add("mediation")).put("focalPoints", new JsonObject()
              .put("from", new JsonArray().add(aId)).put("to", new JsonArray().add(sId))));
      ws.call("partnership.list", new JsonObject().put("box", "incoming"));
      wm.call("notification.list", new JsonObject());
      ws.call("notification.list", new JsonObject());
      wm.call("notification.prefs.get", new JsonObject());
      t.okOp(m, "channel.list", new JsonObject());
      t.post("/api/auth/logout", new JsonObject().put("refreshToken", sarah.getString("refreshToken")).encode(), null);
      ws.awaitClose(5_000);
      wa.call("ping", null);
      wm.call("ping", null);
    }
    long scanned = SecretScanner.scanned() - scannedBefore;
    assertThat(scanned).as("payloads scanned by this scenario").isGreaterThanOrEqualTo(60);
    assertThat(SecretScanner.findings() - findingsBefore).as("secrets found").isZero();
    System.out.println("secret scanner: " + scanned + " payloads scanned in the broad scenario, none leaked");
  }
}
