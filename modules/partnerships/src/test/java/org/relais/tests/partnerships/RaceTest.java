package org.relais.tests.partnerships;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.tests.partnerships.PartnershipFixture.Cast;
import org.relais.tests.partnerships.PartnershipFixture.Person;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.partnerships.PartnershipFixture.id;
import static org.relais.tests.partnerships.PartnershipFixture.outcomeOf;

class RaceTest {
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

  /** One contested answer: who does what, and whether they say which version they saw (1). */
  private record Move(Person who, String action, String result, boolean versioned) {
    Move(Person who, String action, String result) {
      this(who, action, result, false);
    }

    Future<JsonObject> start(String requestId) {
      JsonObject data = id(requestId);
      if (versioned) {
        data.put("version", 1L);
      }
      if (action.equals("counter")) {
        data.put("purpose", "A narrower purpose");
      }
      return f.start(who, "partnership." + action, data);
    }
  }

  /** Runs two moves at once on a fresh pending request; returns the result of the one that won. */
  private static String race(Move first, Move second) {
    String id = f.request(c).getString("id");
    Future<JsonObject> a = first.start(id);
    Future<JsonObject> b = second.start(id);
    String ra = outcomeOf(a);
    String rb = outcomeOf(b);
    assertThat(List.of(ra, rb)).as("%s vs %s", first, second).containsExactlyInAnyOrder("ok", "conflict");
    Move winner = ra.equals("ok") ? first : second;

    JsonObject r = f.get(c.wanepAdmin(), id);
    assertThat(r.getString("state")).isEqualTo(winner.result());
    assertThat(r.getLong("version")).isEqualTo(2);
    assertThat(r.getJsonArray("trail")).hasSize(2);
    assertThat(r.getJsonArray("trail").getJsonObject(1).getString("by")).isEqualTo(winner.who().id());
    assertThat(f.events.about(id)).hasSize(2);
    assertThat(f.notifier.about(id)).hasSize(2);
    assertThat(f.spaces.calls(id)).isEqualTo(winner.result().equals("accepted") ? 1 : 0);
    assertThat(f.spaces.created(id)).isEqualTo(winner.result().equals("accepted") ? 1 : 0);
    if (r.getString("state").equals("countered")) {
      f.call(c.wanepAdmin(), "partnership.withdraw", id(id));
    }
    return winner.result();
  }

  @Test
  @DisplayName("an accept and a decline at the same moment: exactly one wins, the other gets conflict, the trail has one answer (50 rounds)")
  void acceptDeclineRace() {
    Move accept = new Move(c.unwAdmin(), "accept", "accepted");
    Move decline = new Move(c.unwCoord(), "decline", "declined");
    int accepted = 0;
    int declined = 0;
    for (int round = 0; round < 50; round++) {
      String won = round % 2 == 0 ? race(accept, decline) : race(decline, accept);
      if (won.equals("accepted")) {
        accepted++;
      } else {
        declined++;
      }
    }
    assertThat(accepted + declined).isEqualTo(50);
    assertThat(accepted).as("accepts won sometimes").isPositive();
    assertThat(declined).as("declines won sometimes").isPositive();
  }

  @Test
  @DisplayName("two accepts, an accept and a withdrawal, a counter and a withdrawal of the version seen, at the same moment: one wins, once (10 rounds each)")
  void otherRaces() {
    for (int round = 0; round < 10; round++) {
      race(new Move(c.unwAdmin(), "accept", "accepted"), new Move(c.unwCoord(), "accept", "accepted"));
      race(new Move(c.wanepAdmin(), "withdraw", "withdrawn"), new Move(c.unwCoord(), "accept", "accepted"));
      // A countered request may still be withdrawn: the withdrawal loses only because it names the version it saw.
      race(new Move(c.unwCoord(), "counter", "countered"), new Move(c.wanepCoord(), "withdraw", "withdrawn", true));
    }
  }
}
