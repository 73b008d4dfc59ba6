package org.relais.tests.identity;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.Ids;
import org.relais.core.Role;
import org.relais.identity.Org;
import org.relais.identity.User;
import org.relais.identity.WorkingHours;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.identity.IdentityFixture.await;
import static org.relais.tests.identity.IdentityFixture.principal;

class DirectoryTest {
  /** More users than the Redis client queues for one batch (8,192). */
  private static final int PEOPLE = 9_000;
  private static IdentityFixture f;
  private static Org network;
  private static Org small;
  private static User admin;

  @BeforeAll
  static void start() {
    f = IdentityFixture.start(IdentityFixture.defaults());
    network = f.org("Network");
    small = f.org("Small");
    admin = f.user(network, "Zoé Admin", Role.ADMIN);
    bulkInsert();
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  /**
   * Writes the users' hashes and set memberships directly, without the creation script, in shuffled order:
   * "Amadou 00000" … "Amadou 08999", every tenth in the small organisation and from Senegal.
   */
  private static void bulkInsert() {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < PEOPLE; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(7));
    String hours = WorkingHours.DEFAULT.toJson().encode();
    List<Request> writes = new ArrayList<>();
    for (int i : order) {
      String id = Ids.newId();
      Org org = i % 10 == 0 ? small : network;
      writes.add(Request.cmd(Command.HSET).arg("relais:{idn}:user:" + id)
          .arg("id").arg(id).arg("email").arg("amadou" + i + "@test.example")
          .arg("displayName").arg(String.format("Amadou %05d", i)).arg("title").arg("").arg("orgId").arg(org.id())
          .arg("country").arg(i % 10 == 0 ? "SN" : "ML").arg("locale").arg("fr").arg("timeZone").arg("Africa/Bamako")
          .arg("workingHours").arg(hours).arg("roles").arg("member").arg("status").arg("active")
          .arg("createdAt").arg("2025-01-01T00:00:00Z").arg("updatedAt").arg("2025-01-01T00:00:00Z"));
      writes.add(Request.cmd(Command.SADD).arg("relais:{idn}:users").arg(id));
      writes.add(Request.cmd(Command.SADD).arg("relais:{idn}:org:" + org.id() + ":users").arg(id));
      if (writes.size() >= 3_000) {
        await(f.db.batch(writes));
        writes = new ArrayList<>();
      }
    }
    await(f.db.batch(writes));
  }

  private static List<String> names(JsonObject reply) {
    List<String> names = new ArrayList<>();
    reply.getJsonArray("users").forEach(u -> names.add(((JsonObject) u).getString("displayName")));
    return names;
  }

  private static List<String> amadou(int from, int to) {
    List<String> names = new ArrayList<>();
    for (int i = from; i < to; i++) {
      names.add(String.format("Amadou %05d", i));
    }
    return names;
  }

  @Test
  @DisplayName("the directory of 9,000 people is searched whole: sorted by name, paged by offset, with the total")
  void searchesLargeDirectory() {
    JsonObject first = await(f.identity.search(principal(admin), new JsonObject().put("limit", 100L)));
    assertThat(first.getInteger("total")).isEqualTo(PEOPLE + 1);
    assertThat(names(first)).isEqualTo(amadou(0, 100));
    assertThat(first.getInteger("nextOffset")).isEqualTo(100);

    JsonObject last = await(f.identity.search(principal(admin), new JsonObject().put("limit", 100L).put("offset", 8_950L)));
    List<String> expected = amadou(8_950, PEOPLE);
    expected.add("Zoé Admin");
    assertThat(names(last)).isEqualTo(expected);
    assertThat(last.containsKey("nextOffset")).isFalse();
  }

  @Test
  @DisplayName("filters still apply over a large directory: organisation, country, role, name words")
  void filtersLargeDirectory() {
    JsonObject inSmall = await(f.identity.search(principal(admin), new JsonObject().put("orgId", small.id())
        .put("limit", 3L)));
    assertThat(inSmall.getInteger("total")).isEqualTo(PEOPLE / 10);
    assertThat(names(inSmall)).containsExactly("Amadou 00000", "Amadou 00010", "Amadou 00020");

    JsonObject senegal = await(f.identity.search(principal(admin), new JsonObject().put("country", "SN").put("limit", 1L)));
    assertThat(senegal.getInteger("total")).isEqualTo(PEOPLE / 10);

    JsonObject admins = await(f.identity.search(principal(admin), new JsonObject().put("role", "admin")));
    assertThat(names(admins)).containsExactly("Zoé Admin");

    JsonObject byName = await(f.identity.search(principal(admin), new JsonObject().put("query", "zoe")));
    assertThat(names(byName)).containsExactly("Zoé Admin");
  }
}
