package org.relais.tests.partnerships;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.Ids;
import org.relais.tests.partnerships.PartnershipFixture.Cast;
import org.relais.tests.partnerships.PartnershipFixture.Person;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.partnerships.PartnershipFixture.id;

/** Who sees what of a request: its two organisations, their authorised people, network admins, and nobody else. */
class VisibilityTest {
  private static final List<String> ACTIONS = List.of("accept", "decline", "counter", "withdraw", "end");
  private static PartnershipFixture f;

  @BeforeAll
  static void start() {
    f = PartnershipFixture.start();
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static List<String> listed(Person who, JsonObject filter) {
    return f.call(who, "partnership.list", filter).getJsonArray("requests").stream()
        .map(r -> ((JsonObject) r).getString("id")).toList();
  }

  /** Everything a third organisation's people could try on the request: all answer as for a missing request. */
  private static void thirdPartySeesNothing(Cast c, String id) {
    var missing = f.failure(c.ecowasAdmin(), "partnership.get", id(Ids.newId()));
    for (Person outsider : List.of(c.ecowasAdmin(), c.ecowasMember())) {
      assertThat(f.failure(outsider, "partnership.get", id(id)).toJson()).isEqualTo(missing.toJson());
      assertThat(f.failure(outsider, "partnership.comment", id(id).put("text", "Hello?")).toJson())
          .isEqualTo(missing.toJson());
      for (String action : ACTIONS) {
        JsonObject data = id(id);
        if (action.equals("counter")) {
          data.put("purpose", "Ours now");
        }
        assertThat(f.failure(outsider, "partnership." + action, data).toJson()).as(action).isEqualTo(missing.toJson());
      }
      for (String box : List.of("incoming", "outgoing", "all")) {
        assertThat(listed(outsider, new JsonObject().put("box", box))).doesNotContain(id);
      }
      assertThat(f.outcome(outsider, "partnership.list", new JsonObject().put("orgId", c.wanep().id())))
          .isEqualTo("forbidden");
      assertThat(f.outcome(outsider, "partnership.list", new JsonObject().put("orgId", c.unw().id())))
          .isEqualTo("forbidden");
    }
  }

  @Test
  @DisplayName("a third organisation's people see nothing of a request, by any op or event, through its whole life")
  void thirdOrganisationSeesNothing() {
    Cast c = f.cast();
    String id = f.request(c).getString("id");
    thirdPartySeesNothing(c, id);
    f.call(c.unwFocal(), "partnership.comment", id(id).put("text", "Welcome!"));
    f.call(c.unwAdmin(), "partnership.counter", id(id).put("purpose", "Mopti and Gao"));
    thirdPartySeesNothing(c, id);
    f.call(c.wanepAdmin(), "partnership.accept", id(id));
    f.call(c.wanepFocal(), "partnership.comment", id(id).put("text", "Agreed."));
    thirdPartySeesNothing(c, id);
    f.call(c.unwAdmin(), "partnership.end", id(id));
    thirdPartySeesNothing(c, id);

    assertThat(f.events.about(id)).extracting(p -> p.data().getString("change"))
        .containsExactly("requested", "commented", "countered", "accepted", "commented", "ended");
    assertThat(f.events.reaching(c.thirdParty())).isEmpty();
    assertThat(f.events.reaching(Set.of(f.networkAdmin.id()))).isEmpty();
    assertThat(f.notifier.about(id)).allSatisfy(n -> assertThat(n.recipientIds()).doesNotContainAnyElementsOf(c.thirdParty()));
    assertThat(PartnershipFixture.await(f.partnerships.partnersOf(c.ecowas().id()))).isEmpty();
  }

  @Test
  @DisplayName("every event reaches exactly the authorised people of both sides: org-admins, coordinators and the named focal points")
  void eventsReachTheAuthorised() {
    Cast c = f.cast();
    String id = f.request(c).getString("id");
    f.call(c.unwAdmin(), "partnership.counter", id(id)
        .put("focalPoints", new JsonObject().put("to", new JsonArray().add(c.unwFocal().id()).add(c.unwMember().id()))));
    f.call(c.wanepAdmin(), "partnership.comment", id(id).put("text", "Adding Ibrahim is fine"));
    f.call(c.wanepAdmin(), "partnership.accept", id(id));

    var pushes = f.events.about(id);
    assertThat(pushes).extracting(p -> p.data().getString("change"))
        .containsExactly("requested", "countered", "commented", "accepted");
    assertThat(pushes).allSatisfy(p -> assertThat(p.ev()).isEqualTo("partnership.updated"));
    assertThat(pushes.get(0).userIds()).containsExactlyInAnyOrderElementsOf(c.authorised());
    Set<String> withNewFocal = new HashSet<>(c.authorised());
    withNewFocal.add(c.unwMember().id());
    for (int i = 1; i < pushes.size(); i++) {
      assertThat(pushes.get(i).userIds()).containsExactlyInAnyOrderElementsOf(withNewFocal);
    }
    JsonObject commented = pushes.get(2).data();
    assertThat(commented.getJsonObject("comment").getString("text")).isEqualTo("Adding Ibrahim is fine");
    assertThat(commented.getString("by")).isEqualTo(c.wanepAdmin().id());
    assertThat(commented.getJsonObject("request").containsKey("comments")).isFalse();
    assertThat(commented.getJsonObject("request").getJsonArray("trail")).hasSize(2);
  }

  @Test
  @DisplayName("members of either organisation read the request and its trail, not its comments; they cannot comment or answer, and get no events")
  void membersReadOnly() {
    Cast c = f.cast();
    String id = f.request(c).getString("id");
    f.call(c.unwCoord(), "partnership.comment", id(id).put("text", "Internal budget remarks"));
    for (Person member : List.of(c.wanepMember(), c.unwMember())) {
      JsonObject r = f.get(member, id);
      assertThat(r.getString("state")).isEqualTo("pending");
      assertThat(r.getJsonArray("trail")).hasSize(1);
      assertThat(r.getLong("commentCount")).isEqualTo(1);
      assertThat(r.containsKey("comments")).isFalse();
      assertThat(listed(member, new JsonObject())).contains(id);
      assertThat(f.outcome(member, "partnership.comment", id(id).put("text", "Me too"))).isEqualTo("forbidden");
      assertThat(f.outcome(member, "partnership.accept", id(id))).isEqualTo("forbidden");
      assertThat(f.outcome(member, "partnership.withdraw", id(id))).isEqualTo("forbidden");
    }
    assertThat(f.outcome(c.wanepMember(), "partnership.request", c.requestData().put("purpose", "Mine")))
        .isEqualTo("forbidden");
    assertThat(f.events.reaching(Set.of(c.wanepMember().id(), c.unwMember().id()))).isEmpty();
  }

  @Test
  @DisplayName("focal points who are plain members read and write the conversation, but do not answer the request")
  void focalPointsTakePart() {
    Cast c = f.cast();
    String id = f.request(c).getString("id");
    f.call(c.unwFocal(), "partnership.comment", id(id).put("text", "From the field: yes"));
    f.call(c.wanepFocal(), "partnership.comment", id(id).put("text", "Thank you"));
    assertThat(f.get(c.unwFocal(), id).getJsonArray("comments")).hasSize(2);
    assertThat(f.get(c.wanepFocal(), id).getJsonArray("comments")).hasSize(2);
    assertThat(f.outcome(c.unwFocal(), "partnership.accept", id(id))).isEqualTo("forbidden");
    assertThat(f.outcome(c.wanepFocal(), "partnership.withdraw", id(id))).isEqualTo("forbidden");
  }

  @Test
  @DisplayName("network admins read every request, comments included, in any organisation's list, but act only for their own organisation")
  void networkAdmins() {
    Cast c = f.cast();
    String id = f.request(c).getString("id");
    f.call(c.unwCoord(), "partnership.comment", id(id).put("text", "Noted"));
    JsonObject seen = f.get(f.networkAdmin, id);
    assertThat(seen.getJsonArray("comments")).hasSize(1);
    assertThat(listed(f.networkAdmin, new JsonObject().put("orgId", c.wanep().id()).put("box", "outgoing"))).contains(id);
    assertThat(listed(f.networkAdmin, new JsonObject().put("orgId", c.unw().id()).put("box", "incoming"))).contains(id);
    assertThat(f.outcome(f.networkAdmin, "partnership.list", new JsonObject().put("orgId", Ids.newId())))
        .isEqualTo("not_found");
    for (String action : ACTIONS) {
      JsonObject data = action.equals("counter") ? id(id).put("purpose", "Theirs now") : id(id);
      assertThat(f.outcome(f.networkAdmin, "partnership." + action, data)).as(action).isEqualTo("forbidden");
    }
    assertThat(f.outcome(f.networkAdmin, "partnership.comment", id(id).put("text", "Admin here"))).isEqualTo("forbidden");
    assertThat(f.get(c.unwAdmin(), id).getLong("version")).isEqualTo(1);

    JsonObject own = f.call(f.networkAdmin, "partnership.request", new JsonObject().put("toOrgId", c.unw().id())
        .put("purpose", "Secretariat support to the Mali national action plan")
        .put("themes", new JsonArray().add("national-action-plans"))
        .put("focalPoints", new JsonObject().put("from", new JsonArray().add(f.networkAdmin.id()))))
        .getJsonObject("request");
    assertThat(own.getString("fromOrgId")).isEqualTo(f.networkAdmin.orgId());
    assertThat(f.outcome(f.networkAdmin, "partnership.withdraw", id(own.getString("id")))).isEqualTo("ok");
  }
}
