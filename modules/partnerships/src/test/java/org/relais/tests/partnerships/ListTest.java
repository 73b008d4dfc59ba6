package org.relais.tests.partnerships;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.tests.partnerships.PartnershipFixture.Cast;
import org.relais.tests.partnerships.PartnershipFixture.Person;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.partnerships.PartnershipFixture.id;

class ListTest {
  private static PartnershipFixture f;
  private static Cast c;
  /** WANEP-Mali's requests, oldest first: out to UNW (accepted), in from UNW (declined), out to ECOWAS (pending), … */
  private static final List<String> made = new ArrayList<>();

  @BeforeAll
  static void start() {
    f = PartnershipFixture.start();
    c = f.cast();
    String a = make(c.wanepCoord(), c.unw().id(), "mediation", c.wanepFocal());
    f.call(c.unwAdmin(), "partnership.accept", id(a));
    String b = make(c.unwCoord(), c.wanep().id(), "protection", c.unwFocal());
    f.call(c.wanepAdmin(), "partnership.decline", id(b));
    make(c.wanepAdmin(), c.ecowas().id(), "mediation", c.wanepFocal());
    String d = make(c.ecowasAdmin(), c.wanep().id(), "security-sector-reform", c.ecowasMember());
    f.call(c.wanepCoord(), "partnership.counter", id(d).put("themes", new JsonArray().add("mediation")));
    make(c.wanepCoord(), c.unw().id(), "financing", c.wanepFocal());
    make(c.unwAdmin(), c.wanep().id(), "protection", c.unwFocal());
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static String make(Person by, String toOrgId, String theme, Person focal) {
    f.clock.advance(Duration.ofMinutes(1));
    String id = f.call(by, "partnership.request", new JsonObject().put("toOrgId", toOrgId)
            .put("purpose", "Purpose " + (made.size() + 1)).put("themes", new JsonArray().add(theme))
            .put("focalPoints", new JsonObject().put("from", new JsonArray().add(focal.id()))))
        .getJsonObject("request").getString("id");
    made.add(id);
    return id;
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("requests").stream().map(r -> ((JsonObject) r).getString("id")).toList();
  }

  private static List<String> newestFirst(int... indexes) {
    List<String> out = new ArrayList<>();
    for (int i = indexes.length - 1; i >= 0; i--) {
      out.add(made.get(indexes[i]));
    }
    return out;
  }

  @Test
  @DisplayName("incoming, outgoing or all of the caller's organisation, newest first")
  void boxes() {
    assertThat(ids(f.call(c.wanepMember(), "partnership.list", new JsonObject()))).isEqualTo(newestFirst(0, 1, 2, 3, 4, 5));
    assertThat(ids(f.call(c.wanepMember(), "partnership.list", new JsonObject().put("box", "outgoing"))))
        .isEqualTo(newestFirst(0, 2, 4));
    assertThat(ids(f.call(c.wanepMember(), "partnership.list", new JsonObject().put("box", "incoming"))))
        .isEqualTo(newestFirst(1, 3, 5));
    assertThat(ids(f.call(c.unwMember(), "partnership.list", new JsonObject()))).isEqualTo(newestFirst(0, 1, 4, 5));
    assertThat(ids(f.call(c.ecowasMember(), "partnership.list", new JsonObject()))).isEqualTo(newestFirst(2, 3));
    JsonObject first = f.call(c.wanepMember(), "partnership.list", new JsonObject()).getJsonArray("requests")
        .getJsonObject(5);
    assertThat(first.getString("state")).isEqualTo("accepted");
    assertThat(first.containsKey("trail")).isFalse();
    assertThat(first.containsKey("comments")).isFalse();
  }

  @Test
  @DisplayName("filters by state and by theme (of the terms in force)")
  void filters() {
    assertThat(ids(f.call(c.wanepAdmin(), "partnership.list", new JsonObject()
        .put("states", new JsonArray().add("pending").add("countered"))))).isEqualTo(newestFirst(2, 3, 4, 5));
    assertThat(ids(f.call(c.wanepAdmin(), "partnership.list", new JsonObject().put("box", "incoming")
        .put("states", new JsonArray().add("declined"))))).isEqualTo(newestFirst(1));
    assertThat(ids(f.call(c.wanepAdmin(), "partnership.list", new JsonObject().put("theme", "mediation"))))
        .isEqualTo(newestFirst(0, 2));
    assertThat(ids(f.call(c.wanepAdmin(), "partnership.list", new JsonObject().put("theme", "digital-safety"))))
        .isEmpty();
  }

  @Test
  @DisplayName("pages follow each other by cursor, without gaps or repeats, also when filtered")
  void paging() {
    List<String> all = new ArrayList<>();
    JsonObject page = f.call(c.wanepAdmin(), "partnership.list", new JsonObject().put("limit", 4L));
    all.addAll(ids(page));
    assertThat(page.getString("nextCursor")).isNotNull();
    page = f.call(c.wanepAdmin(), "partnership.list", new JsonObject().put("limit", 4L)
        .put("cursor", page.getString("nextCursor")));
    all.addAll(ids(page));
    assertThat(page.containsKey("nextCursor")).isFalse();
    assertThat(all).isEqualTo(newestFirst(0, 1, 2, 3, 4, 5));

    List<String> open = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject filter = new JsonObject().put("limit", 1L).put("states", new JsonArray().add("pending"));
      if (cursor != null) {
        filter.put("cursor", cursor);
      }
      page = f.call(c.wanepAdmin(), "partnership.list", filter);
      open.addAll(ids(page));
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    assertThat(open).isEqualTo(newestFirst(2, 4, 5));
  }

  @Test
  @DisplayName("network admins list any organisation's requests; others only their own")
  void adminsAnyOrg() {
    assertThat(ids(f.call(f.networkAdmin, "partnership.list", new JsonObject().put("orgId", c.ecowas().id()))))
        .isEqualTo(newestFirst(2, 3));
    assertThat(ids(f.call(f.networkAdmin, "partnership.list", new JsonObject()))).isEmpty();
    assertThat(f.outcome(c.wanepAdmin(), "partnership.list", new JsonObject().put("orgId", c.unw().id())))
        .isEqualTo("forbidden");
    assertThat(ids(f.call(c.wanepAdmin(), "partnership.list", new JsonObject().put("orgId", c.wanep().id()))))
        .hasSize(6);
  }
}
