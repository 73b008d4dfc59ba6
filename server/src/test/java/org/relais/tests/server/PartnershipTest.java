package org.relais.tests.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.server.MessagingTest.code;
import static org.relais.tests.server.MessagingTest.id;
import static org.relais.tests.server.MessagingTest.ok;
import static org.relais.tests.server.MessagingTest.token;

/** Partnerships through the server: the request, its notifications, and the shared space opened on acceptance. */
class PartnershipTest {

  @Test
  @DisplayName("an accepted request opens one private channel with both sides' focal points and its calendar, and lists the partners")
  void acceptOpensSpace() {
    try (TestServer t = TestServer.start()) {
      String admin = t.adminToken();
      String wanep = t.createOrg(admin, "WANEP-Mali", "ML");
      String unw = t.createOrg(admin, "UN Women", "US");
      String third = t.createOrg(admin, "Third organisation", "NO");
      JsonObject aminata = t.createUser(admin, wanep, "Aminata Traoré", "coordinator");
      JsonObject sarah = t.createUser(admin, unw, "Sarah Johnson", "org-admin");
      JsonObject outsider = t.createUser(admin, third, "Outsider", "org-admin");
      try (WsClient a = t.wsHello(token(aminata)); WsClient s = t.wsHello(token(sarah)); WsClient o = t.wsHello(token(outsider))) {
        JsonObject request = ok(a.call("partnership.request", new JsonObject().put("toOrgId", unw)
            .put("purpose", "Formation conjointe des médiatrices à Mopti").put("themes", new JsonArray().add("mediation"))
            .put("focalPoints", new JsonObject().put("from", new JsonArray().add(id(aminata))).put("to", new JsonArray().add(id(sarah))))))
            .getJsonObject("request");
        String requestId = request.getString("id");
        assertThat(s.nextPush("partnership.updated", 5_000).getJsonObject("data").getString("change")).isEqualTo("requested");
        JsonObject note = s.nextMatching(f -> "notification.new".equals(f.getString("ev"))
            && "partnership.new".equals(f.getJsonObject("data").getJsonObject("notification").getString("kind")), 5_000)
            .getJsonObject("data").getJsonObject("notification");
        assertThat(note.getString("title")).isEqualTo("New partnership request from WANEP-Mali");
        assertThat(code(o.call("partnership.get", new JsonObject().put("requestId", requestId)))).isEqualTo("not_found");

        JsonObject accepted = ok(s.call("partnership.accept", new JsonObject().put("requestId", requestId))).getJsonObject("request");
        assertThat(accepted.getString("state")).isEqualTo("accepted");
        String channelId = accepted.getString("channelId");
        assertThat(channelId).isNotNull();
        assertThat(accepted.getString("calendarId")).isNotNull();
        JsonObject again = ok(s.call("partnership.accept", new JsonObject().put("requestId", requestId))).getJsonObject("request");
        assertThat(again.getString("channelId")).as("a retried accept opens nothing more").isEqualTo(channelId);

        JsonObject channel = MessagingTest.findChannel(ok(a.call("channel.list", new JsonObject())), channelId);
        assertThat(channel.getString("kind")).isEqualTo("partnership");
        assertThat(channel.getString("visibility")).isEqualTo("private");
        assertThat(channel.getString("name")).isEqualTo("WANEP-Mali × UN Women");
        ok(a.call("message.send", new JsonObject().put("channelId", channelId).put("text", "Bonjour !").put("clientMsgId", "p1")));
        assertThat(s.nextPush("message.new", channelId, 5_000).getJsonObject("data").getJsonObject("message").getString("text")).isEqualTo("Bonjour !");
        assertThat(code(o.call("message.history", new JsonObject().put("channelId", channelId)))).isEqualTo("not_found");
        assertThat(ok(a.call("calendar.list", new JsonObject())).getJsonArray("calendars"))
            .extracting(c -> ((JsonObject) c).getString("id")).contains(accepted.getString("calendarId"));

        JsonArray partners = t.okOp(token(outsider), "org.get", new JsonObject().put("orgId", wanep)).getJsonObject("org").getJsonArray("partners");
        assertThat(partners).extracting(p -> ((JsonObject) p).getString("id")).containsExactly(unw);
        assertThat(o.heldPushes("partnership.updated")).isZero();

        ok(a.call("partnership.end", new JsonObject().put("requestId", requestId).put("note", "Formation terminée")));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
            MessagingTest.findChannel(ok(a.call("channel.list", new JsonObject())), channelId).getBoolean("archived"));
        assertThat(code(a.call("message.send", new JsonObject().put("channelId", channelId).put("text", "encore ?")
            .put("clientMsgId", "p2")))).as("an ended partnership's channel is read-only").isEqualTo("forbidden");
        assertThat(ok(a.call("message.history", new JsonObject().put("channelId", channelId))).getJsonArray("messages")).hasSize(1);
      }
    }
  }
}
