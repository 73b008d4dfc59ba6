package org.relais.tests.partnerships;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.partnerships.PartnershipNotifier;
import org.relais.tests.partnerships.PartnershipFixture.Cast;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.partnerships.PartnershipFixture.await;
import static org.relais.tests.partnerships.PartnershipFixture.id;

class LifecycleTest {
  private static PartnershipFixture f;

  @BeforeAll
  static void start() {
    f = PartnershipFixture.start();
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static List<String> states(JsonObject request) {
    return request.getJsonArray("trail").stream().map(e -> ((JsonObject) e).getString("state")).toList();
  }

  @Test
  @DisplayName("a request reaches the receiving organisation pending, with its terms, a 30-day deadline and a first trail entry")
  void requestIsPending() {
    Cast c = f.cast();
    JsonObject r = f.call(c.wanepCoord(), "partnership.request", c.requestData()
        .put("jointAction", new JsonObject().put("kind", "event").put("title", "Atelier conjoint")
            .put("start", "2026-03-02T09:00").put("end", "2026-03-02T12:30").put("zone", "Africa/Bamako"))
        .put("note", "Following the Oslo meeting")).getJsonObject("request");

    assertThat(r.getString("fromOrgId")).isEqualTo(c.wanep().id());
    assertThat(r.getString("toOrgId")).isEqualTo(c.unw().id());
    assertThat(r.getString("state")).isEqualTo("pending");
    assertThat(r.getLong("version")).isEqualTo(1);
    assertThat(r.getString("purpose")).isEqualTo("Joint early-warning training for women mediators in Mopti");
    assertThat(r.getJsonArray("themes")).containsExactly("mediation", "early-warning");
    assertThat(r.getJsonObject("jointAction")).isEqualTo(new JsonObject().put("kind", "event")
        .put("title", "Atelier conjoint").put("start", "2026-03-02T09:00").put("end", "2026-03-02T12:30")
        .put("zone", "Africa/Bamako"));
    assertThat(r.getJsonObject("focalPoints")).isEqualTo(new JsonObject()
        .put("from", new JsonArray().add(c.wanepFocal().id())).put("to", new JsonArray().add(c.unwFocal().id())));
    assertThat(r.getString("createdBy")).isEqualTo(c.wanepCoord().id());
    Instant created = Instant.parse(r.getString("createdAt"));
    assertThat(created).isEqualTo(f.clock.instant());
    assertThat(Instant.parse(r.getString("expiresAt"))).isEqualTo(created.plus(Duration.ofDays(30)));
    assertThat(r.containsKey("counter")).isFalse();
    assertThat(r.getLong("commentCount")).isZero();
    JsonObject terms = new JsonObject().put("purpose", r.getString("purpose")).put("themes", r.getJsonArray("themes"))
        .put("jointAction", r.getJsonObject("jointAction")).put("focalPoints", r.getJsonObject("focalPoints"));
    assertThat(r.getJsonArray("trail")).containsExactly(new JsonObject().put("state", "pending")
        .put("by", c.wanepCoord().id()).put("at", r.getString("createdAt")).put("note", "Following the Oslo meeting")
        .put("terms", terms));

    assertThat(f.notifier.about(r.getString("id"))).singleElement().satisfies(n -> {
      assertThat(n.kind()).isEqualTo(PartnershipNotifier.NEW);
      assertThat(n.actorId()).isEqualTo(c.wanepCoord().id());
      assertThat(n.recipientIds()).containsExactlyInAnyOrderElementsOf(c.authorised().stream()
          .filter(u -> !u.equals(c.wanepCoord().id())).toList());
    });
    assertThat(f.events.about(r.getString("id"))).singleElement().satisfies(p -> {
      assertThat(p.ev()).isEqualTo("partnership.updated");
      assertThat(p.userIds()).containsExactlyInAnyOrderElementsOf(c.authorised());
      assertThat(p.data().getString("change")).isEqualTo("requested");
      assertThat(p.data().getString("by")).isEqualTo(c.wanepCoord().id());
      assertThat(p.data().getJsonObject("request")).isEqualTo(r);
    });
  }

  @Test
  @DisplayName("the whole life is in the trail (who, when, the note of each step) and get returns the comments in order")
  void trailAndComments() {
    Cast c = f.cast();
    String id = f.request(c).getString("id");
    f.clock.advance(Duration.ofHours(1));
    f.call(c.unwFocal(), "partnership.comment", id(id).put("text", "Could the training also cover Gao?"));
    f.clock.advance(Duration.ofHours(1));
    f.call(c.unwAdmin(), "partnership.counter", id(id).put("note", "Gao as well")
        .put("purpose", "Joint early-warning training for women mediators in Mopti and Gao"));
    f.clock.advance(Duration.ofHours(1));
    f.call(c.wanepFocal(), "partnership.comment", id(id).put("text", "Yes, Gao works for us."));
    f.clock.advance(Duration.ofHours(1));
    f.call(c.wanepAdmin(), "partnership.accept", id(id));
    f.clock.advance(Duration.ofDays(200));
    JsonObject ended = f.call(c.unwCoord(), "partnership.end", id(id).put("note", "Training cycle complete"))
        .getJsonObject("request");

    JsonObject r = f.get(c.wanepAdmin(), id);
    assertThat(r).isEqualTo(ended.copy().put("comments", r.getJsonArray("comments")));
    assertThat(states(r)).containsExactly("pending", "countered", "accepted", "ended");
    JsonArray trail = r.getJsonArray("trail");
    Instant t0 = PartnershipFixture.START;
    List<JsonObject> entries = trail.stream().map(e -> (JsonObject) e).toList();
    assertThat(entries.get(1).getString("by")).isEqualTo(c.unwAdmin().id());
    assertThat(entries.get(1).getString("note")).isEqualTo("Gao as well");
    assertThat(entries.get(1).getJsonObject("terms").getString("purpose")).endsWith("Mopti and Gao");
    assertThat(entries.get(2).getString("by")).isEqualTo(c.wanepAdmin().id());
    assertThat(entries.get(2).getValue("note")).isNull();
    assertThat(entries.get(3).getString("by")).isEqualTo(c.unwCoord().id());
    assertThat(entries.get(3).getString("note")).isEqualTo("Training cycle complete");
    for (int i = 1; i < entries.size(); i++) {
      assertThat(Instant.parse(entries.get(i).getString("at")))
          .isAfter(Instant.parse(entries.get(i - 1).getString("at")));
    }
    assertThat(Instant.parse(entries.get(0).getString("at"))).isAfterOrEqualTo(t0);
    assertThat(r.getLong("version")).isEqualTo(4);
    assertThat(r.getString("endedBy")).isEqualTo(c.unwCoord().id());

    assertThat(r.getJsonArray("comments").stream().map(x -> ((JsonObject) x).getString("text")).toList())
        .containsExactly("Could the training also cover Gao?", "Yes, Gao works for us.");
    JsonObject first = r.getJsonArray("comments").getJsonObject(0);
    assertThat(first.getString("by")).isEqualTo(c.unwFocal().id());
    assertThat(first.getString("id")).hasSize(26);
    assertThat(Instant.parse(first.getString("at")))
        .isEqualTo(Instant.parse(entries.get(0).getString("at")).plus(Duration.ofHours(1)));
    assertThat(r.getLong("commentCount")).isEqualTo(2);
    assertThat(f.notifier.kindsAbout(id)).containsExactly(PartnershipNotifier.NEW, PartnershipNotifier.COUNTER,
        PartnershipNotifier.ACCEPTED, PartnershipNotifier.ENDED);
  }

  @Test
  @DisplayName("a counter-proposal waits beside the terms; the requester's acceptance makes it the terms; the deadline restarts")
  void counterProposal() {
    Cast c = f.cast();
    JsonObject original = f.request(c);
    String id = original.getString("id");
    f.clock.advance(Duration.ofDays(10));
    JsonObject countered = f.call(c.unwCoord(), "partnership.counter", id(id)
        .put("themes", new JsonArray().add("protection").add("women-human-rights-defenders"))
        .put("jointAction", new JsonObject().put("kind", "dates").put("startDate", "2026-04-01").put("endDate", "2026-06-30"))
        .put("focalPoints", new JsonObject().put("to", new JsonArray().add(c.unwFocal().id()).add(c.unwMember().id()))))
        .getJsonObject("request");

    assertThat(countered.getString("state")).isEqualTo("countered");
    assertThat(countered.getLong("version")).isEqualTo(2);
    assertThat(countered.getJsonArray("themes")).isEqualTo(original.getJsonArray("themes"));
    assertThat(countered.getValue("jointAction")).isNull();
    JsonObject counter = countered.getJsonObject("counter");
    assertThat(counter.getString("purpose")).isEqualTo(original.getString("purpose"));
    assertThat(counter.getJsonArray("themes")).containsExactly("protection", "women-human-rights-defenders");
    assertThat(counter.getJsonObject("jointAction").getString("startDate")).isEqualTo("2026-04-01");
    assertThat(counter.getJsonObject("focalPoints").getJsonArray("from")).containsExactly(c.wanepFocal().id());
    assertThat(counter.getJsonObject("focalPoints").getJsonArray("to")).containsExactly(c.unwFocal().id(), c.unwMember().id());
    assertThat(counter.getString("by")).isEqualTo(c.unwCoord().id());
    assertThat(Instant.parse(countered.getString("expiresAt"))).isEqualTo(f.clock.instant().plus(Duration.ofDays(30)));

    JsonObject accepted = f.call(c.wanepAdmin(), "partnership.accept", id(id).put("version", 2L)).getJsonObject("request");
    assertThat(accepted.getString("state")).isEqualTo("accepted");
    assertThat(accepted.getJsonArray("themes")).containsExactly("protection", "women-human-rights-defenders");
    assertThat(accepted.getJsonObject("jointAction").getString("endDate")).isEqualTo("2026-06-30");
    assertThat(accepted.getJsonObject("focalPoints").getJsonArray("to")).containsExactly(c.unwFocal().id(), c.unwMember().id());
    assertThat(accepted.containsKey("counter")).isFalse();
    assertThat(accepted.getString("acceptedBy")).isEqualTo(c.wanepAdmin().id());
    assertThat(accepted.getJsonArray("trail").getJsonObject(0).getJsonObject("terms").getJsonArray("themes"))
        .as("the requested terms stay in the trail").containsExactly("mediation", "early-warning");
    assertThat(f.spaces.requests()).anySatisfy(opened -> {
      assertThat(opened.getString("id")).isEqualTo(id);
      assertThat(opened.getJsonObject("focalPoints").getJsonArray("to")).containsExactly(c.unwFocal().id(), c.unwMember().id());
    });
  }

  @Test
  @DisplayName("a counter-proposal must change a term, comes from the receiving side only, and names only people of the right organisations")
  void counterRules() {
    Cast c = f.cast();
    JsonObject r = f.request(c);
    String id = r.getString("id");
    assertThat(f.failure(c.unwAdmin(), "partnership.counter", id(id).put("purpose", r.getString("purpose"))).getMessage())
        .contains("changes at least one term");
    assertThat(f.outcome(c.unwAdmin(), "partnership.counter", id(id))).isEqualTo("bad_request");
    assertThat(f.outcome(c.wanepAdmin(), "partnership.counter", id(id).put("purpose", "Other"))).isEqualTo("forbidden");
    assertThat(f.outcome(c.unwAdmin(), "partnership.counter", id(id)
        .put("focalPoints", new JsonObject().put("to", new JsonArray().add(c.wanepMember().id()))))).isEqualTo("bad_request");
    assertThat(f.get(c.unwAdmin(), id).getLong("version")).isEqualTo(1);
    f.call(c.unwAdmin(), "partnership.counter", id(id).put("purpose", "Other"));
    assertThat(f.outcome(c.unwAdmin(), "partnership.counter", id(id).put("purpose", "Yet another"))).isEqualTo("conflict");
  }

  @Test
  @DisplayName("a transition with a stale version is refused with conflict and changes nothing; the current version passes")
  void staleVersion() {
    Cast c = f.cast();
    String id = f.request(c).getString("id");
    f.call(c.unwAdmin(), "partnership.counter", id(id).put("version", 1L).put("purpose", "Changed purpose"));
    assertThat(f.failure(c.wanepAdmin(), "partnership.accept", id(id).put("version", 1L)).getMessage())
        .contains("changed since version 1");
    assertThat(f.outcome(c.wanepAdmin(), "partnership.decline", id(id).put("version", 1L))).isEqualTo("conflict");
    JsonObject r = f.get(c.wanepAdmin(), id);
    assertThat(r.getString("state")).isEqualTo("countered");
    assertThat(r.getJsonArray("trail")).hasSize(2);
    assertThat(f.call(c.wanepAdmin(), "partnership.decline", id(id).put("version", 2L)).getJsonObject("request")
        .getString("state")).isEqualTo("declined");
  }

  @Test
  @DisplayName("accepting lists each organisation as the other's partner; ending removes it unless another partnership links them")
  void partners() {
    Cast c = f.cast();
    String there = f.request(c).getString("id");
    JsonObject back = f.call(c.unwAdmin(), "partnership.request", new JsonObject().put("toOrgId", c.wanep().id())
        .put("purpose", "Protection of women human rights defenders in Tombouctou")
        .put("themes", new JsonArray().add("women-human-rights-defenders"))
        .put("focalPoints", new JsonObject().put("from", new JsonArray().add(c.unwFocal().id()))))
        .getJsonObject("request");
    assertThat(await(f.partnerships.partnersOf(c.wanep().id()))).isEmpty();

    f.call(c.unwAdmin(), "partnership.accept", id(there));
    assertThat(await(f.partnerships.partnersOf(c.wanep().id()))).containsExactly(c.unw().id());
    assertThat(await(f.partnerships.partnersOf(c.unw().id()))).containsExactly(c.wanep().id());
    f.call(c.wanepCoord(), "partnership.accept", id(back.getString("id")));
    assertThat(await(f.partnerships.partnersOf(c.wanep().id()))).containsExactly(c.unw().id());

    f.call(c.wanepAdmin(), "partnership.end", id(there));
    assertThat(await(f.partnerships.partnersOf(c.wanep().id()))).containsExactly(c.unw().id());
    assertThat(await(f.partnerships.partnersOf(c.unw().id()))).containsExactly(c.wanep().id());
    f.call(c.wanepAdmin(), "partnership.end", id(back.getString("id")));
    assertThat(await(f.partnerships.partnersOf(c.wanep().id()))).isEmpty();
    assertThat(await(f.partnerships.partnersOf(c.unw().id()))).isEmpty();
    assertThat(await(f.partnerships.partnersOf(c.ecowas().id()))).isEmpty();
  }

  @Test
  @DisplayName("when nobody is named on the receiving side, whoever accepts (or counters) for it becomes its focal point")
  void acceptorBecomesFocalPoint() {
    Cast c = f.cast();
    JsonObject data = c.requestData();
    data.getJsonObject("focalPoints").remove("to");
    String id = f.call(c.wanepCoord(), "partnership.request", data).getJsonObject("request").getString("id");
    JsonObject accepted = f.call(c.unwCoord(), "partnership.accept", id(id)).getJsonObject("request");
    assertThat(accepted.getJsonObject("focalPoints").getJsonArray("to")).containsExactly(c.unwCoord().id());

    f.call(c.unwAdmin(), "partnership.end", id(id));
    String second = f.call(c.wanepCoord(), "partnership.request", data).getJsonObject("request").getString("id");
    JsonObject countered = f.call(c.unwAdmin(), "partnership.counter", id(second).put("purpose", "Narrower"))
        .getJsonObject("request");
    assertThat(countered.getJsonObject("counter").getJsonObject("focalPoints").getJsonArray("to"))
        .containsExactly(c.unwAdmin().id());
  }

  @Test
  @DisplayName("a second open request in the same direction is refused with conflict; the other direction is free; once answered, a new one may be made")
  void oneOpenRequestPerDirection() {
    Cast c = f.cast();
    String first = f.request(c).getString("id");
    var refused = f.failure(c.wanepAdmin(), "partnership.request", c.requestData().put("purpose", "Another idea"));
    assertThat(refused.code().wire()).isEqualTo("conflict");
    assertThat(refused.details().getString("requestId")).isEqualTo(first);

    f.call(c.unwAdmin(), "partnership.counter", id(first).put("purpose", "Changed"));
    assertThat(f.outcome(c.wanepAdmin(), "partnership.request", c.requestData())).isEqualTo("conflict");

    JsonObject reverse = new JsonObject().put("toOrgId", c.wanep().id()).put("purpose", "The other way round")
        .put("themes", new JsonArray().add("protection"))
        .put("focalPoints", new JsonObject().put("from", new JsonArray().add(c.unwFocal().id())));
    assertThat(f.outcome(c.unwAdmin(), "partnership.request", reverse)).isEqualTo("ok");

    f.call(c.wanepCoord(), "partnership.withdraw", id(first).put("note", "We will come back with a new plan"));
    JsonObject withdrawn = f.get(c.wanepCoord(), first);
    assertThat(withdrawn.getString("state")).isEqualTo("withdrawn");
    assertThat(withdrawn.containsKey("counter")).isFalse();
    assertThat(f.outcome(c.wanepAdmin(), "partnership.request", c.requestData())).isEqualTo("ok");
  }
}
