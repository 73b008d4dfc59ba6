package org.relais.tests.partnerships;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.Ids;
import org.relais.core.RelaisException;
import org.relais.partnerships.Theme;
import org.relais.tests.partnerships.PartnershipFixture.Cast;

import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.partnerships.PartnershipFixture.id;

/** Bad input gets a typed error and changes nothing. */
class BadInputTest {
  private static PartnershipFixture f;
  private static Cast c;

  @BeforeAll
  static void start() {
    f = PartnershipFixture.start();
    c = f.cast();
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static JsonObject request(UnaryOperator<JsonObject> change) {
    return change.apply(c.requestData());
  }

  private static JsonObject event(String start, String end, String zone) {
    return new JsonObject().put("kind", "event").put("title", "Joint workshop").put("start", start).put("end", end)
        .put("zone", zone);
  }

  private static void refused(String code, String messagePart, JsonObject data) {
    RelaisException e = f.failure(c.wanepCoord(), "partnership.request", data);
    assertThat(e.code().wire()).as(data.encode()).isEqualTo(code);
    assertThat(e.getMessage()).as(data.encode()).contains(messagePart);
  }

  @Test
  @DisplayName("a bad partnership request gets a typed error naming the problem, and nothing is written or announced")
  void badRequests() {
    List<String> keys = f.keys();
    int pushes = f.events.all().size();
    int notices = f.notifier.all().size();
    refused("not_found", "No such organisation", request(d -> d.put("toOrgId", Ids.newId())));
    refused("bad_request", "does not partner with itself", request(d -> d.put("toOrgId", c.wanep().id())));
    refused("bad_request", "data.themes[1]: expected one of", request(d -> d.put("themes",
        new JsonArray().add("mediation").add("peacekeeping-logistics"))));
    refused("bad_request", "data.themes: fewer than 1", request(d -> d.put("themes", new JsonArray())));
    refused("bad_request", "data.purpose: longer than 2000", request(d -> d.put("purpose", "x".repeat(2_001))));
    refused("bad_request", "data.purpose: must not be empty", request(d -> d.put("purpose", "   \n ")));
    refused("bad_request", "data.purpose: required", request(d -> {
      d.remove("purpose");
      return d;
    }));
    refused("bad_request", "data.focalPoints.from[0]: not a person of the requesting organisation", request(d -> d.put(
        "focalPoints", new JsonObject().put("from", new JsonArray().add(c.unwMember().id())))));
    refused("bad_request", "data.focalPoints.to[1]: not a person of the receiving organisation", request(d -> d.put(
        "focalPoints", new JsonObject().put("from", new JsonArray().add(c.wanepFocal().id()))
            .put("to", new JsonArray().add(c.unwFocal().id()).add(c.ecowasMember().id())))));
    refused("bad_request", "data.focalPoints.to[0]: no such person", request(d -> d.put(
        "focalPoints", new JsonObject().put("from", new JsonArray().add(c.wanepFocal().id()))
            .put("to", new JsonArray().add(Ids.newId())))));
    refused("bad_request", "data.focalPoints.from: fewer than 1", request(d -> d.put(
        "focalPoints", new JsonObject().put("from", new JsonArray()))));
    refused("bad_request", "data.focalPoints.from[0]: expected an id", request(d -> d.put(
        "focalPoints", new JsonObject().put("from", new JsonArray().add("../../etc")))));
    refused("bad_request", "unknown field 'fromOrgId'", request(d -> d.put("fromOrgId", c.unw().id())));
    refused("bad_request", "unknown field 'state'", request(d -> d.put("state", "accepted")));
    refused("bad_request", "data.note: longer than 1000", request(d -> d.put("note", "n".repeat(1_001))));
    refused("bad_request", "data.jointAction.end: not after start", request(d -> d.put("jointAction",
        event("2026-03-02T12:00", "2026-03-02T09:00", "Africa/Bamako"))));
    refused("bad_request", "data.jointAction.zone: expected an IANA time zone", request(d -> d.put("jointAction",
        event("2026-03-02T09:00", "2026-03-02T12:00", "Mali/Bamako"))));
    refused("bad_request", "data.jointAction.start: expected a real local date-time", request(d -> d.put("jointAction",
        event("2026-02-30T09:00", "2026-03-02T12:00", "Africa/Bamako"))));
    refused("bad_request", "data.jointAction.title: required", request(d -> d.put("jointAction",
        event("2026-03-02T09:00", "2026-03-02T12:00", "Africa/Bamako").copy().put("title", (String) null))));
    refused("bad_request", "data.jointAction.endDate: before startDate", request(d -> d.put("jointAction",
        new JsonObject().put("kind", "dates").put("startDate", "2026-05-01").put("endDate", "2026-04-30"))));
    refused("bad_request", "data.jointAction.title: not part of a joint action of kind dates", request(d -> d.put(
        "jointAction", new JsonObject().put("kind", "dates").put("startDate", "2026-05-01").put("endDate", "2026-05-02")
            .put("title", "Extra"))));
    refused("bad_request", "data.jointAction.kind: expected one of", request(d -> d.put("jointAction",
        new JsonObject().put("kind", "meeting"))));
    refused("bad_request", "data.jointAction.startDate: expected a date from 2000 to 2100", request(d -> d.put(
        "jointAction", new JsonObject().put("kind", "dates").put("startDate", "1999-12-31").put("endDate", "2026-01-01"))));
    assertThat(f.outcome(c.wanepMember(), "partnership.request", c.requestData())).isEqualTo("forbidden");

    assertThat(f.keys()).containsExactlyInAnyOrderElementsOf(keys);
    assertThat(f.events.all()).hasSize(pushes);
    assertThat(f.notifier.all()).hasSize(notices);
  }

  @Test
  @DisplayName("bad transitions, comments and lists get typed errors and change nothing")
  void badAnswers() {
    String id = f.request(c).getString("id");
    JsonObject before = f.get(c.wanepAdmin(), id);
    int pushes = f.events.all().size();
    assertThat(f.outcome(c.unwAdmin(), "partnership.accept", id(id).put("version", 0L))).isEqualTo("bad_request");
    assertThat(f.outcome(c.unwAdmin(), "partnership.accept", id(id).put("version", "1"))).isEqualTo("bad_request");
    assertThat(f.outcome(c.unwAdmin(), "partnership.accept", id(id).put("note", "n".repeat(1_001)))).isEqualTo("bad_request");
    assertThat(f.outcome(c.unwAdmin(), "partnership.accept", id(id).put("purpose", "sneaky"))).isEqualTo("bad_request");
    assertThat(f.outcome(c.unwAdmin(), "partnership.decline", id("not-an-id"))).isEqualTo("bad_request");
    assertThat(f.outcome(c.unwAdmin(), "partnership.counter", id(id).put("themes", new JsonArray().add("weather"))))
        .isEqualTo("bad_request");
    assertThat(f.outcome(c.unwAdmin(), "partnership.counter", id(id).put("jointAction", new JsonObject()
        .put("kind", "none").put("startDate", "2026-01-01")))).isEqualTo("bad_request");
    assertThat(f.outcome(c.unwAdmin(), "partnership.comment", id(id).put("text", "c".repeat(4_001)))).isEqualTo("bad_request");
    assertThat(f.outcome(c.unwAdmin(), "partnership.comment", id(id).put("text", " "))).isEqualTo("bad_request");
    assertThat(f.outcome(c.unwAdmin(), "partnership.comment", id(id))).isEqualTo("bad_request");
    assertThat(f.outcome(c.unwAdmin(), "partnership.list", new JsonObject().put("box", "sent"))).isEqualTo("bad_request");
    assertThat(f.outcome(c.unwAdmin(), "partnership.list", new JsonObject().put("states", new JsonArray().add("open"))))
        .isEqualTo("bad_request");
    assertThat(f.outcome(c.unwAdmin(), "partnership.list", new JsonObject().put("cursor", "0:DROP"))).isEqualTo("bad_request");
    assertThat(f.outcome(c.unwAdmin(), "partnership.list", new JsonObject().put("limit", 101L))).isEqualTo("bad_request");
    assertThat(f.outcome(c.unwAdmin(), "partnership.get", new JsonObject())).isEqualTo("bad_request");
    assertThat(f.get(c.wanepAdmin(), id)).isEqualTo(before);
    assertThat(f.events.all()).hasSize(pushes);

    assertThat(f.call(c.unwAdmin(), "partnership.comment", id(id).put("text", "c".repeat(4_000)))
        .getJsonObject("comment").getString("text")).hasSize(4_000);
    f.call(c.unwAdmin(), "partnership.decline", id(id));
    assertThat(f.failure(c.unwAdmin(), "partnership.comment", id(id).put("text", "Too late")).getMessage())
        .contains("conversation is closed");
  }

  @Test
  @DisplayName("a joint action is normalised; a counter-proposal can remove it with kind none")
  void jointActionNormalised() {
    JsonObject r = f.call(c.wanepCoord(), "partnership.request", c.requestData().put("jointAction",
        event("2026-03-29T01:30:00", "2026-03-29T04:00", "Europe/Paris"))).getJsonObject("request");
    assertThat(r.getJsonObject("jointAction")).isEqualTo(event("2026-03-29T01:30", "2026-03-29T04:00", "Europe/Paris"));
    JsonObject countered = f.call(c.unwAdmin(), "partnership.counter", id(r.getString("id"))
        .put("jointAction", new JsonObject().put("kind", "none"))).getJsonObject("request");
    assertThat(countered.getJsonObject("counter").getValue("jointAction")).isNull();
    assertThat(countered.getJsonObject("jointAction")).isNotNull();
    f.call(c.wanepCoord(), "partnership.withdraw", id(r.getString("id")));
  }

  @Test
  @DisplayName("the nine partnership ops are registered, and the themes are the network-wide list of stable ids")
  void opsAndThemes() {
    assertThat(f.ops.all().keySet()).containsExactlyInAnyOrder("partnership.request", "partnership.list",
        "partnership.get", "partnership.accept", "partnership.decline", "partnership.counter", "partnership.withdraw",
        "partnership.end", "partnership.comment");
    assertThat(Theme.wireNames()).contains("mediation", "prevention-of-violent-extremism", "security-sector-reform",
        "protection", "participation-in-peace-processes").doesNotHaveDuplicates()
        .allSatisfy(t -> assertThat(t).matches("[a-z]+(-[a-z]+)*"));
  }
}
