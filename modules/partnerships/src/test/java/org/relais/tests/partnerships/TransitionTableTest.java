package org.relais.tests.partnerships;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.Ids;
import org.relais.tests.partnerships.PartnershipFixture.Cast;
import org.relais.tests.partnerships.PartnershipFixture.Person;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.partnerships.PartnershipFixture.await;
import static org.relais.tests.partnerships.PartnershipFixture.id;

/**
 * Every action in every state by every kind of person: what the rules say, checked against what the service does.
 * Refused attempts must change nothing and announce nothing; allowed ones must lead to the expected state.
 */
class TransitionTableTest {
  private static final List<String> STATES = List.of("pending", "countered", "accepted", "declined", "withdrawn",
      "expired", "ended");
  private static final List<String> ACTIONS = List.of("accept", "decline", "counter", "withdraw", "end", "comment");
  /** Whose move an action is, per state: the requesting side, the receiving side, or either. Absent: nobody's. */
  private static final Map<String, Map<String, String>> MOVES = Map.of(
      "accept", Map.of("pending", "to", "countered", "from"),
      "decline", Map.of("pending", "to", "countered", "from"),
      "counter", Map.of("pending", "to"),
      "withdraw", Map.of("pending", "from", "countered", "from"),
      "end", Map.of("accepted", "either"));
  private static final Map<String, String> RESULT = Map.of("accept", "accepted", "decline", "declined",
      "counter", "countered", "withdraw", "withdrawn", "end", "ended");

  /** A kind of person: their side (null: neither), whether they act for it, whether they are a named focal point. */
  enum Actor {
    FROM_ORG_ADMIN("from", true, false, Cast::wanepAdmin),
    FROM_COORDINATOR("from", true, false, Cast::wanepCoord),
    FROM_MEMBER("from", false, false, Cast::wanepMember),
    FROM_FOCAL_POINT("from", false, true, Cast::wanepFocal),
    TO_ORG_ADMIN("to", true, false, Cast::unwAdmin),
    TO_COORDINATOR("to", true, false, Cast::unwCoord),
    TO_MEMBER("to", false, false, Cast::unwMember),
    TO_FOCAL_POINT("to", false, true, Cast::unwFocal),
    THIRD_ORG_ADMIN(null, false, false, Cast::ecowasAdmin),
    THIRD_MEMBER(null, false, false, Cast::ecowasMember),
    NETWORK_ADMIN(null, false, false, c -> f.networkAdmin);

    final String side;
    final boolean acts;
    final boolean focal;
    final Function<Cast, Person> who;

    Actor(String side, boolean acts, boolean focal, Function<Cast, Person> who) {
      this.side = side;
      this.acts = acts;
      this.focal = focal;
      this.who = who;
    }
  }

  private static PartnershipFixture f;
  private static Cast c;
  private static int counters;

  @BeforeAll
  static void start() {
    f = PartnershipFixture.start();
    c = f.cast();
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  /**
   * What the rules say an attempt gives: "ok", an error code, or "same": the person who accepted (here the receiving
   * org-admin, see {@link #inState}) accepting again gets the request back and nothing changes.
   */
  static String expected(String state, String action, Actor a) {
    if (a.side == null && a != Actor.NETWORK_ADMIN) {
      return "not_found";
    }
    if (state.equals("accepted") && action.equals("accept") && a == Actor.TO_ORG_ADMIN) {
      return "same";
    }
    if (action.equals("comment")) {
      if (!a.acts && !a.focal) {
        return "forbidden";
      }
      return Set.of("pending", "countered", "accepted").contains(state) ? "ok" : "conflict";
    }
    if (!a.acts) {
      return "forbidden";
    }
    String mover = MOVES.get(action).get(state);
    if (mover == null) {
      return "conflict";
    }
    return mover.equals("either") || mover.equals(a.side) ? "ok" : "forbidden";
  }

  private static JsonObject data(String action, String requestId) {
    return switch (action) {
      case "counter" -> id(requestId).put("purpose", "Counter-proposal " + (++counters));
      case "comment" -> id(requestId).put("text", "A word from the table");
      default -> id(requestId);
    };
  }

  /** A fresh request between the cast's two organisations, brought to {@code state}. */
  private static String inState(String state) {
    String id = f.request(c).getString("id");
    switch (state) {
      case "countered" -> f.call(c.unwAdmin(), "partnership.counter", data("counter", id));
      case "accepted" -> f.call(c.unwAdmin(), "partnership.accept", id(id));
      case "declined" -> f.call(c.unwAdmin(), "partnership.decline", id(id));
      case "withdrawn" -> f.call(c.wanepAdmin(), "partnership.withdraw", id(id));
      case "expired" -> {
        f.clock.advance(Duration.ofDays(31));
        await(f.partnerships.sweep());
      }
      case "ended" -> {
        f.call(c.unwAdmin(), "partnership.accept", id(id));
        f.call(c.wanepAdmin(), "partnership.end", id(id));
      }
      default -> {
      }
    }
    assertThat(f.get(c.wanepAdmin(), id).getString("state")).isEqualTo(state);
    return id;
  }

  /** Frees the pair for the next request. */
  private static void close(String id) {
    String state = f.get(c.wanepAdmin(), id).getString("state");
    if (state.equals("pending") || state.equals("countered")) {
      f.call(c.wanepAdmin(), "partnership.withdraw", id(id));
    }
  }

  @Test
  @DisplayName("every action in every state by every kind of person gives what the rules say, and refusals change nothing")
  void table() {
    List<String> mismatches = new ArrayList<>();
    int cases = 0;
    int allowed = 0;
    for (String state : STATES) {
      String shared = inState(state);
      JsonObject before = f.get(c.wanepAdmin(), shared);
      int pushes = f.events.about(shared).size();
      int notices = f.notifier.about(shared).size();
      List<Actor> commenters = new ArrayList<>();
      for (String action : ACTIONS) {
        for (Actor a : Actor.values()) {
          cases++;
          String want = expected(state, action, a);
          if (want.equals("ok")) {
            continue;
          }
          String got = f.outcome(a.who.apply(c), "partnership." + action, data(action, shared));
          if (!got.equals(want.equals("same") ? "ok" : want)) {
            mismatches.add(state + " × " + action + " × " + a + ": expected " + want + ", got " + got);
          }
        }
      }
      JsonObject after = f.get(c.wanepAdmin(), shared);
      assertThat(after).as("refusals (and a repeated accept) in state %s change nothing", state).isEqualTo(before);
      assertThat(f.events.about(shared)).as("refusals in state %s announce nothing", state).hasSize(pushes);
      assertThat(f.notifier.about(shared)).hasSize(notices);

      for (Actor a : Actor.values()) {
        if (expected(state, "comment", a).equals("ok")) {
          allowed++;
          commenters.add(a);
          String got = f.outcome(a.who.apply(c), "partnership.comment", data("comment", shared));
          if (!got.equals("ok")) {
            mismatches.add(state + " × comment × " + a + ": expected ok, got " + got);
          }
        }
      }
      assertThat(f.get(c.wanepAdmin(), shared).getLong("commentCount")).isEqualTo(commenters.size());
      close(shared);

      for (String action : ACTIONS) {
        if (action.equals("comment")) {
          continue;
        }
        for (Actor a : Actor.values()) {
          if (!expected(state, action, a).equals("ok")) {
            continue;
          }
          allowed++;
          String fresh = inState(state);
          String got = f.outcome(a.who.apply(c), "partnership." + action, data(action, fresh));
          JsonObject result = f.get(c.wanepAdmin(), fresh);
          if (!got.equals("ok") || !result.getString("state").equals(RESULT.get(action))) {
            mismatches.add(state + " × " + action + " × " + a + ": expected ok → " + RESULT.get(action) + ", got " + got
                + " → " + result.getString("state"));
          }
          close(fresh);
        }
      }
    }
    assertThat(mismatches).isEmpty();
    assertThat(cases).isEqualTo(STATES.size() * ACTIONS.size() * Actor.values().length);
    assertThat(allowed).isEqualTo(8 + 6 + 4 + 3 * 6);
  }

  @Test
  @DisplayName("a refusal to a third organisation is the same not_found as for a request that does not exist")
  void thirdPartyRefusalIsNotFound() {
    String id = f.request(c).getString("id");
    String missing = Ids.newId();
    for (String action : ACTIONS) {
      var third = f.failure(c.ecowasAdmin(), "partnership." + action, data(action, id));
      var none = f.failure(c.wanepAdmin(), "partnership." + action, data(action, missing));
      assertThat(third.code()).isEqualTo(none.code());
      assertThat(third.getMessage()).isEqualTo(none.getMessage());
      assertThat(third.toJson()).isEqualTo(none.toJson());
    }
    var third = f.failure(c.ecowasMember(), "partnership.get", id(id));
    var none = f.failure(c.wanepAdmin(), "partnership.get", id(missing));
    assertThat(third.toJson()).isEqualTo(none.toJson());
    close(id);
  }
}
