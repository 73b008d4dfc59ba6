package org.relais.tests.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MessagingTest {
  private static TestServer t;
  private static String admin;
  private static String wanep;
  private static JsonObject aminata;
  private static JsonObject moussa;
  private static JsonObject sarah;

  @BeforeAll
  static void start() {
    t = TestServer.start();
    admin = t.adminToken();
    wanep = t.createOrg(admin, "WANEP-Mali", "ML");
    String unwomen = t.createOrg(admin, "UN Women", "US");
    aminata = t.createUser(admin, wanep, "Aminata Traoré", "coordinator");
    moussa = t.createUser(admin, wanep, "Moussa Keïta");
    sarah = t.createUser(admin, unwomen, "Sarah Johnson");
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  static String token(JsonObject login) {
    return login.getString("accessToken");
  }

  static String id(JsonObject login) {
    return login.getJsonObject("user").getString("id");
  }

  static JsonObject ok(JsonObject reply) {
    assertThat(reply.getBoolean("ok")).as(reply.encode()).isTrue();
    return reply.getJsonObject("data");
  }

  static String code(JsonObject reply) {
    return reply.getBoolean("ok") ? "ok" : reply.getJsonObject("error").getString("code");
  }

  static JsonObject send(WsClient c, String channelId, String text, String clientMsgId) {
    return c.call("message.send", new JsonObject().put("channelId", channelId).put("text", text).put("clientMsgId", clientMsgId));
  }

  static String createChannel(WsClient c, String name, String visibility, String... memberIds) {
    JsonObject data = new JsonObject().put("name", name).put("kind", "thematic").put("visibility", visibility);
    if (memberIds.length > 0) {
      data.put("memberIds", new JsonArray(List.of((Object[]) memberIds)));
    }
    return ok(c.call("channel.create", data)).getJsonObject("channel").getString("id");
  }

  @Test
  @DisplayName("two people exchange messages in a channel and a DM, live; history pages are right and seq is gap-free")
  void exchange() {
    try (WsClient a = t.wsHello(token(aminata)); WsClient m = t.wsHello(token(moussa))) {
      String channel = createChannel(a, "Médiation Mopti", "public", id(moussa));
      m.nextPush("member.joined", 5_000);
      for (int i = 1; i <= 30; i++) {
        WsClient sender = i % 2 == 0 ? a : m;
        JsonObject msg = ok(send(sender, channel, "message " + i, "c" + i)).getJsonObject("message");
        assertThat(msg.getLong("seq")).isEqualTo(i);
      }
      List<Long> seen = new ArrayList<>();
      while (seen.size() < 30) {
        JsonObject push = a.nextPush("message.new", 5_000);
        seen.add(push.getJsonObject("data").getJsonObject("message").getLong("seq"));
      }
      assertThat(seen).isSortedAccordingTo(Long::compare).doesNotHaveDuplicates().hasSize(30);

      JsonObject newest = ok(m.call("message.history", new JsonObject().put("channelId", channel).put("limit", 10)));
      assertThat(newest.getJsonArray("messages")).extracting(o -> ((JsonObject) o).getLong("seq"))
          .containsExactly(21L, 22L, 23L, 24L, 25L, 26L, 27L, 28L, 29L, 30L);
      assertThat(newest.getBoolean("hasBefore")).isTrue();
      assertThat(newest.getBoolean("hasAfter")).isFalse();
      JsonObject before = ok(m.call("message.history", new JsonObject().put("channelId", channel).put("before", 21).put("limit", 10)));
      assertThat(before.getJsonArray("messages").getJsonObject(0).getLong("seq")).isEqualTo(11);
      JsonObject after = ok(m.call("message.history", new JsonObject().put("channelId", channel).put("after", 25)));
      assertThat(after.getJsonArray("messages")).hasSize(5);
      JsonObject around = ok(m.call("message.history", new JsonObject().put("channelId", channel).put("around", 15).put("limit", 5)));
      assertThat(around.getJsonArray("messages")).extracting(o -> ((JsonObject) o).getLong("seq")).containsExactly(13L, 14L, 15L, 16L, 17L);
      assertThat(after.getJsonArray("messages").getJsonObject(4).getString("text")).isEqualTo("message 30");

      JsonObject dm = ok(a.call("dm.open", new JsonObject().put("userIds", new JsonArray().add(id(moussa)))));
      String dmId = dm.getJsonObject("channel").getString("id");
      assertThat(dm.getJsonObject("channel").getString("kind")).isEqualTo("direct");
      assertThat(ok(m.call("dm.open", new JsonObject().put("userIds", new JsonArray().add(id(aminata)))))
          .getJsonObject("channel").getString("id")).as("the same people get the same conversation").isEqualTo(dmId);
      ok(send(a, dmId, "Bonjour Moussa", "dm-1"));
      JsonObject received = m.nextPush("message.new", dmId, 5_000).getJsonObject("data").getJsonObject("message");
      assertThat(received.getString("channelId")).isEqualTo(dmId);
      assertThat(received.getString("text")).isEqualTo("Bonjour Moussa");
      assertThat(received.getLong("seq")).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("the same clientMsgId sent twice makes one message, and the retry returns the original")
  void idempotentSend() {
    try (WsClient a = t.wsHello(token(aminata))) {
      String channel = createChannel(a, "Idempotence", "private");
      JsonObject first = ok(send(a, channel, "only once", "retry-me")).getJsonObject("message");
      JsonObject second = ok(send(a, channel, "only once (retry)", "retry-me"));
      assertThat(second.getBoolean("duplicate")).isTrue();
      assertThat(second.getJsonObject("message").getString("id")).isEqualTo(first.getString("id"));
      assertThat(second.getJsonObject("message").getString("text")).isEqualTo("only once");
      JsonObject history = ok(a.call("message.history", new JsonObject().put("channelId", channel)));
      assertThat(history.getJsonArray("messages")).hasSize(1);
      assertThat(history.getLong("channelSeq")).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("threads, edits, deletes, reactions: the root counts replies; a delete leaves a tombstone with its seq")
  void threadEditDeleteReact() {
    try (WsClient a = t.wsHello(token(aminata)); WsClient m = t.wsHello(token(moussa))) {
      String channel = createChannel(a, "Fils", "private", id(moussa));
      String root = ok(send(a, channel, "Point sur la formation de Mopti ?", "root")).getJsonObject("message").getString("id");
      JsonObject reply = ok(m.call("message.send", new JsonObject().put("channelId", channel).put("text", "Confirmée pour mai")
          .put("clientMsgId", "r1").put("threadRootId", root))).getJsonObject("message");
      assertThat(reply.getString("threadRootId")).isEqualTo(root);
      JsonObject thread = ok(a.call("thread.history", new JsonObject().put("channelId", channel).put("messageId", root)));
      assertThat(thread.getJsonObject("root").getLong("replyCount")).isEqualTo(1);
      assertThat(thread.getJsonObject("root").getString("lastReplyAt")).isNotNull();
      assertThat(thread.getJsonArray("replies").getJsonObject(0).getString("text")).isEqualTo("Confirmée pour mai");
      assertThat(code(m.call("message.send", new JsonObject().put("channelId", channel).put("text", "x")
          .put("clientMsgId", "r2").put("threadRootId", reply.getString("id"))))).isEqualTo("bad_request");

      assertThat(code(m.call("message.edit", new JsonObject().put("channelId", channel).put("messageId", root).put("text", "hijack"))))
          .as("only the author edits").isEqualTo("forbidden");
      JsonObject edited = ok(a.call("message.edit", new JsonObject().put("channelId", channel).put("messageId", root).put("text", "Point sur la formation ?")));
      assertThat(edited.getString("editedAt")).isNotNull();

      JsonObject reacted = ok(m.call("message.react", new JsonObject().put("channelId", channel).put("messageId", root).put("emoji", "👍")));
      assertThat(reacted.getLong("count")).isEqualTo(1);
      ok(a.call("message.react", new JsonObject().put("channelId", channel).put("messageId", root).put("emoji", "👍")));
      assertThat(ok(m.call("message.react", new JsonObject().put("channelId", channel).put("messageId", root).put("emoji", "👍")))
          .getBoolean("changed")).as("reacting twice changes nothing").isFalse();
      ok(m.call("message.unreact", new JsonObject().put("channelId", channel).put("messageId", root).put("emoji", "👍")));

      assertThat(code(m.call("message.delete", new JsonObject().put("channelId", channel).put("messageId", root))))
          .as("a member deletes only their own").isEqualTo("forbidden");
      ok(m.call("message.delete", new JsonObject().put("channelId", channel).put("messageId", reply.getString("id"))));
      JsonObject history = ok(a.call("message.history", new JsonObject().put("channelId", channel)));
      JsonObject rootNow = history.getJsonArray("messages").getJsonObject(0);
      assertThat(rootNow.getString("text")).isEqualTo("Point sur la formation ?");
      assertThat(rootNow.getJsonArray("reactions").getJsonObject(0).getString("emoji")).isEqualTo("👍");
      assertThat(rootNow.getJsonArray("reactions").getJsonObject(0).getLong("count")).isEqualTo(1);
      JsonObject tombstone = history.getJsonArray("messages").getJsonObject(1);
      assertThat(tombstone.getBoolean("deleted")).isTrue();
      assertThat(tombstone.getLong("seq")).isEqualTo(2);
      assertThat(tombstone.getString("text")).isEmpty();

      // The live events match the record.
      JsonObject liveNew = m.nextPush("message.new", 5_000).getJsonObject("data").getJsonObject("message");
      JsonObject fromHistory = ok(m.call("message.history", new JsonObject().put("channelId", channel).put("before", 2).put("limit", 1)))
          .getJsonArray("messages").getJsonObject(0);
      assertThat(liveNew.getString("id")).isEqualTo(fromHistory.getString("id"));
      assertThat(liveNew.fieldNames()).containsAll(List.of("id", "channelId", "seq", "authorId", "text", "createdAt", "replyCount", "mentions", "reactions"));
      m.nextPush("message.edited", 5_000);
      assertThat(m.nextPush("reaction.changed", 5_000).getJsonObject("data").getString("emoji")).isEqualTo("👍");
      assertThat(m.nextPush("message.deleted", 5_000).getJsonObject("data").getLong("seq")).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("mentions count for the mentioned person only; markRead clears counts and syncs the other devices")
  void mentionsAndReadMarkers() {
    try (WsClient a = t.wsHello(token(aminata)); WsClient phone = t.wsHello(token(moussa)); WsClient laptop = t.wsHello(token(moussa))) {
      String channel = createChannel(a, "Mentions", "private", id(moussa));
      JsonObject msg = ok(send(a, channel, "Merci <@" + id(moussa) + "> pour le rapport", "m1")).getJsonObject("message");
      assertThat(msg.getJsonArray("mentions")).containsExactly(id(moussa));
      ok(send(a, channel, "Deuxième message", "m2"));
      JsonObject mine = findChannel(ok(phone.call("channel.list", new JsonObject())), channel);
      assertThat(mine.getLong("unreadCount")).isEqualTo(2);
      assertThat(mine.getLong("mentionCount")).isEqualTo(1);
      assertThat(mine.getJsonObject("lastMessage").getString("text")).isEqualTo("Deuxième message");
      assertThat(findChannel(ok(a.call("channel.list", new JsonObject())), channel).getLong("mentionCount")).isZero();

      JsonObject read = ok(phone.call("channel.markRead", new JsonObject().put("channelId", channel).put("seq", 2)));
      assertThat(read.getLong("unreadCount")).isZero();
      assertThat(read.getLong("mentionCount")).isZero();
      JsonObject synced = laptop.nextPush("read.updated", 5_000).getJsonObject("data");
      assertThat(synced.getString("channelId")).isEqualTo(channel);
      assertThat(synced.getLong("lastReadSeq")).isEqualTo(2);
      assertThat(ok(phone.call("channel.markRead", new JsonObject().put("channelId", channel).put("seq", 1))).getLong("lastReadSeq"))
          .as("the marker never moves back").isEqualTo(2);
    }
  }

  static JsonObject findChannel(JsonObject list, String channelId) {
    for (Object o : list.getJsonArray("channels")) {
      if (channelId.equals(((JsonObject) o).getString("id"))) {
        return (JsonObject) o;
      }
    }
    throw new AssertionError("channel not listed: " + channelId);
  }

  @Test
  @DisplayName("typing reaches the channel's other members, not the typist, and is throttled")
  void typing() {
    try (WsClient a = t.wsHello(token(aminata)); WsClient m = t.wsHello(token(moussa))) {
      String channel = createChannel(a, "Typing", "private", id(moussa));
      m.nextPush("member.joined", 5_000);
      assertThat(ok(a.call("typing.start", new JsonObject().put("channelId", channel))).getBoolean("sent")).isTrue();
      assertThat(ok(a.call("typing.start", new JsonObject().put("channelId", channel))).getBoolean("sent")).isFalse();
      JsonObject typing = m.nextPush("typing", 5_000).getJsonObject("data");
      assertThat(typing.getString("userId")).isEqualTo(id(aminata));
      assertThat(typing.containsKey("offset")).isFalse();
      ok(a.call("ping", null));
      assertThat(a.heldPushes("typing")).isZero();
    }
  }

  @Test
  @DisplayName("a kicked member stops receiving the channel's events at once; leave works; browse finds public channels")
  void kickLeaveBrowse() {
    try (WsClient a = t.wsHello(token(aminata)); WsClient m = t.wsHello(token(moussa)); WsClient s = t.wsHello(token(sarah))) {
      String channel = createChannel(a, "Prévention de l'extrémisme violent", "public");
      JsonObject browse = ok(s.call("channel.browse", new JsonObject().put("query", "extremisme")));
      assertThat(browse.getJsonArray("channels")).extracting(c -> ((JsonObject) c).getString("id")).contains(channel);
      ok(s.call("channel.join", new JsonObject().put("channelId", channel)));
      ok(a.call("channel.invite", new JsonObject().put("channelId", channel).put("userIds", new JsonArray().add(id(moussa)))));
      ok(send(a, channel, "Bienvenue", "k1"));
      assertThat(m.nextPush("message.new", 5_000).getJsonObject("data").getJsonObject("message").getString("text")).isEqualTo("Bienvenue");
      assertThat(code(m.call("channel.kick", new JsonObject().put("channelId", channel).put("userId", id(sarah))))).isEqualTo("forbidden");
      ok(a.call("channel.kick", new JsonObject().put("channelId", channel).put("userId", id(moussa))));
      JsonObject left = m.nextPush("member.left", 5_000).getJsonObject("data");
      assertThat(left.getString("reason")).isEqualTo("kicked");
      ok(send(a, channel, "Après le départ", "k2"));
      ok(s.call("channel.leave", new JsonObject().put("channelId", channel)));
      ok(send(a, channel, "Encore après", "k3"));
      ok(m.call("ping", null));
      assertThat(m.heldPushes("message.new")).as("no event after the kick").isZero();
      JsonObject members = ok(a.call("channel.members", new JsonObject().put("channelId", channel)));
      assertThat(members.getJsonArray("members")).extracting(x -> ((JsonObject) x).getString("userId")).containsExactly(id(aminata));
      assertThat(code(send(m, channel, "je reviens ?", "k4"))).isEqualTo("forbidden");
    }
  }

  @Test
  @DisplayName("an owner makes a member a moderator, who may then remove members and delete others' messages")
  void moderators() {
    try (WsClient a = t.wsHello(token(aminata)); WsClient m = t.wsHello(token(moussa)); WsClient s = t.wsHello(token(sarah))) {
      String channel = createChannel(a, "Modération", "private", id(moussa), id(sarah));
      String msg = ok(send(s, channel, "hors sujet", "off")).getJsonObject("message").getString("id");
      assertThat(code(m.call("message.delete", new JsonObject().put("channelId", channel).put("messageId", msg)))).isEqualTo("forbidden");
      assertThat(code(m.call("channel.setRole", new JsonObject().put("channelId", channel).put("userId", id(moussa)).put("role", "moderator"))))
          .as("a member cannot promote themself").isEqualTo("forbidden");
      ok(a.call("channel.setRole", new JsonObject().put("channelId", channel).put("userId", id(moussa)).put("role", "moderator")));
      assertThat(m.nextPush("member.updated", channel, 5_000).getJsonObject("data").getString("role")).isEqualTo("moderator");
      ok(m.call("message.delete", new JsonObject().put("channelId", channel).put("messageId", msg)));
      ok(m.call("channel.kick", new JsonObject().put("channelId", channel).put("userId", id(sarah))));
      assertThat(code(m.call("channel.kick", new JsonObject().put("channelId", channel).put("userId", id(aminata)))))
          .as("a moderator cannot remove an owner").isEqualTo("forbidden");
    }
  }

  @Test
  @DisplayName("a member removed and re-added keeps receiving the channel, live and after a resume")
  void removedAndReadded() {
    try (WsClient a = t.wsHello(token(aminata))) {
      String channel = createChannel(a, "Retour", "private", id(moussa));
      String epoch;
      long offset;
      try (WsClient m = t.ws()) {
        JsonObject hello = ok(m.call("hello", new JsonObject().put("token", token(moussa))));
        epoch = hello.getString("epoch");
        offset = hello.getJsonObject("channels").getLong(channel);
        // Live: removed, then added back at once.
        ok(a.call("channel.kick", new JsonObject().put("channelId", channel).put("userId", id(moussa))));
        ok(a.call("channel.invite", new JsonObject().put("channelId", channel).put("userIds", new JsonArray().add(id(moussa)))));
        ok(send(a, channel, "toujours là ?", "back-1"));
        assertThat(m.nextPush("message.new", channel, 5_000).getJsonObject("data").getJsonObject("message").getString("text"))
            .isEqualTo("toujours là ?");
      }
      // Offline: removed and re-added again; the resume replays the member.left but must not drop the channel.
      ok(a.call("channel.kick", new JsonObject().put("channelId", channel).put("userId", id(moussa))));
      ok(a.call("channel.invite", new JsonObject().put("channelId", channel).put("userIds", new JsonArray().add(id(moussa)))));
      ok(send(a, channel, "après la reprise", "back-2"));
      try (WsClient m = t.ws()) {
        ok(m.call("hello", new JsonObject().put("token", token(moussa))
            .put("resume", new JsonObject().put("epoch", epoch).put("channels", new JsonObject().put(channel, offset)))));
        m.nextMatching(f -> "message.new".equals(f.getString("ev"))
            && "après la reprise".equals(f.getJsonObject("data").getJsonObject("message").getString("text")), 5_000);
        ok(send(a, channel, "et en direct", "back-3"));
        m.nextMatching(f -> "message.new".equals(f.getString("ev"))
            && "et en direct".equals(f.getJsonObject("data").getJsonObject("message").getString("text")), 5_000);
      }
    }
  }

  @Test
  @DisplayName("mention counts drop when the mentioning message is edited or deleted")
  void mentionCountsFollowEditsAndDeletes() {
    try (WsClient a = t.wsHello(token(aminata)); WsClient m = t.wsHello(token(moussa))) {
      String channel = createChannel(a, "Mentions retirées", "private", id(moussa));
      String first = ok(send(a, channel, "<@" + id(moussa) + "> un", "mc1")).getJsonObject("message").getString("id");
      String second = ok(send(a, channel, "@channel deux", "mc2")).getJsonObject("message").getString("id");
      assertThat(findChannel(ok(m.call("channel.list", new JsonObject())), channel).getLong("mentionCount")).isEqualTo(2);
      ok(a.call("message.edit", new JsonObject().put("channelId", channel).put("messageId", first).put("text", "un, sans mention")));
      ok(a.call("message.delete", new JsonObject().put("channelId", channel).put("messageId", second)));
      assertThat(findChannel(ok(m.call("channel.list", new JsonObject())), channel).getLong("mentionCount")).isZero();
    }
  }

  @Test
  @DisplayName("direct conversations are not left, renamed or archived; a refused create leaves no channel behind")
  void directRulesAndAtomicCreate() {
    try (WsClient a = t.wsHello(token(aminata))) {
      String dm = ok(a.call("dm.open", new JsonObject().put("userIds", new JsonArray().add(id(sarah))))).getJsonObject("channel").getString("id");
      assertThat(code(a.call("channel.leave", new JsonObject().put("channelId", dm)))).isEqualTo("bad_request");
      assertThat(code(a.call("channel.update", new JsonObject().put("channelId", dm).put("topic", "x")))).isEqualTo("bad_request");
      assertThat(code(a.call("channel.archive", new JsonObject().put("channelId", dm)))).isEqualTo("bad_request");
      int before = ok(a.call("channel.list", new JsonObject())).getJsonArray("channels").size();
      JsonObject refused = a.call("channel.create", new JsonObject().put("name", "Fantôme").put("kind", "thematic")
          .put("memberIds", new JsonArray().add("01ARZ3NDEKTSV4RRFFQ69G5FAV")));
      assertThat(code(refused)).isEqualTo("not_found");
      assertThat(ok(a.call("channel.list", new JsonObject())).getJsonArray("channels")).hasSize(before);
    }
  }

  @Test
  @DisplayName("a new network channel is announced to everyone connected; organisation channels are their own org-admins' to make")
  void networkChannelAnnounced() {
    try (WsClient s = t.wsHello(token(sarah)); WsClient ad = t.wsHello(admin)) {
      String channel = ok(ad.call("channel.create", new JsonObject().put("name", "Annonces").put("kind", "network")))
          .getJsonObject("channel").getString("id");
      JsonObject announced = s.nextPush("channel.updated", channel, 5_000).getJsonObject("data");
      assertThat(announced.getJsonObject("channel").getString("name")).isEqualTo("Annonces");
      ok(ad.call("message.send", new JsonObject().put("channelId", channel).put("text", "Bienvenue à tous").put("clientMsgId", "n1")));
      assertThat(s.nextPush("message.new", channel, 5_000).getJsonObject("data").getJsonObject("message").getString("text"))
          .isEqualTo("Bienvenue à tous");
      assertThat(code(ad.call("channel.create", new JsonObject().put("name", "Autre").put("kind", "organisation").put("orgId", wanep))))
          .isEqualTo("forbidden");
    }
  }
}
