package org.relais.tests.partnerships;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.partnerships.PartnershipNotifier;
import org.relais.partnerships.PartnershipService;
import org.relais.tests.partnerships.PartnershipFixture.Cast;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.partnerships.PartnershipFixture.await;
import static org.relais.tests.partnerships.PartnershipFixture.id;

/** What an accepted partnership opens: exactly once, through retries, failures and two sweepers. */
class SpacesTest {
  private static PartnershipFixture f;

  @BeforeAll
  static void start() {
    f = PartnershipFixture.start();
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @AfterEach
  void reset() {
    f.spaces.failNext(0);
    f.spaces.delay(0);
  }

  private static List<String> changes(String requestId) {
    return f.events.about(requestId).stream().map(p -> p.data().getString("change")).toList();
  }

  @Test
  @DisplayName("accepting opens the channel and the calendar once, with the accepted terms, and records their ids on the request")
  void opensOnce() {
    Cast c = f.cast();
    String id = f.request(c).getString("id");
    JsonObject accepted = f.call(c.unwCoord(), "partnership.accept", id(id)).getJsonObject("request");

    assertThat(f.spaces.calls(id)).isEqualTo(1);
    assertThat(f.spaces.created(id)).isEqualTo(1);
    assertThat(accepted.getString("channelId")).isEqualTo(f.spaces.ids(id).getString("channelId"));
    assertThat(accepted.getString("calendarId")).isEqualTo(f.spaces.ids(id).getString("calendarId"));
    assertThat(accepted.containsKey("spacesPending")).isFalse();
    JsonObject asked = f.spaces.requests().stream().filter(r -> r.getString("id").equals(id)).findFirst().orElseThrow();
    assertThat(asked.getString("state")).isEqualTo("accepted");
    assertThat(asked.getJsonObject("focalPoints").getJsonArray("from")).containsExactly(c.wanepFocal().id());
    assertThat(asked.getJsonObject("focalPoints").getJsonArray("to")).containsExactly(c.unwFocal().id());
    assertThat(f.get(c.wanepMember(), id).getString("channelId")).isEqualTo(accepted.getString("channelId"));
    assertThat(changes(id)).containsExactly("requested", "accepted");
    assertThat(f.events.about(id).get(1).data().getJsonObject("request").getString("channelId"))
        .isEqualTo(accepted.getString("channelId"));
  }

  @Test
  @DisplayName("a retried accept by the same person returns the accepted request and opens, announces and notifies nothing more")
  void retriedAccept() {
    Cast c = f.cast();
    String id = f.request(c).getString("id");
    JsonObject first = f.call(c.unwCoord(), "partnership.accept", id(id)).getJsonObject("request");
    for (int i = 0; i < 3; i++) {
      JsonObject again = f.call(c.unwCoord(), "partnership.accept", id(id).put("version", 1L)).getJsonObject("request");
      assertThat(again).isEqualTo(first);
    }
    assertThat(f.spaces.calls(id)).isEqualTo(1);
    assertThat(f.notifier.kindsAbout(id)).containsExactly(PartnershipNotifier.NEW, PartnershipNotifier.ACCEPTED);
    assertThat(changes(id)).containsExactly("requested", "accepted");
    assertThat(f.outcome(c.unwAdmin(), "partnership.accept", id(id))).as("someone else's accept").isEqualTo("conflict");
    assertThat(f.spaces.calls(id)).isEqualTo(1);
  }

  @Test
  @DisplayName("when opening fails, the request stays accepted; the accept retried opens the spaces once")
  void failedOpeningRetriedByAccept() {
    Cast c = f.cast();
    String id = f.request(c).getString("id");
    f.spaces.failNext(1);
    JsonObject accepted = f.call(c.unwAdmin(), "partnership.accept", id(id)).getJsonObject("request");
    assertThat(accepted.getString("state")).isEqualTo("accepted");
    assertThat(accepted.getBoolean("spacesPending")).isTrue();
    assertThat(accepted.containsKey("channelId")).isFalse();
    assertThat(await(f.partnerships.partnersOf(c.unw().id()))).containsExactly(c.wanep().id());
    assertThat(f.spaces.calls(id)).isEqualTo(1);
    assertThat(f.spaces.created(id)).isZero();

    JsonObject retried = f.call(c.unwAdmin(), "partnership.accept", id(id)).getJsonObject("request");
    assertThat(retried.getString("channelId")).isEqualTo(f.spaces.ids(id).getString("channelId"));
    assertThat(retried.getLong("version")).isEqualTo(accepted.getLong("version"));
    assertThat(f.spaces.calls(id)).isEqualTo(2);
    assertThat(f.spaces.created(id)).isEqualTo(1);

    f.call(c.unwAdmin(), "partnership.accept", id(id));
    await(f.partnerships.sweep());
    assertThat(f.spaces.calls(id)).isEqualTo(2);
    assertThat(f.notifier.kindsAbout(id)).containsExactly(PartnershipNotifier.NEW, PartnershipNotifier.ACCEPTED);
    assertThat(changes(id)).containsExactly("requested", "accepted", "spaces-opened");
  }

  @Test
  @DisplayName("when opening fails, the sweeper opens the spaces once after the retry delay, even with two sweepers")
  void failedOpeningRetriedBySweepers() {
    PartnershipService nodeB = f.node(f.notifier);
    Cast c = f.cast();
    String id = f.request(c).getString("id");
    f.spaces.failNext(1);
    f.call(c.unwAdmin(), "partnership.accept", id(id));
    await(f.partnerships.sweep());
    assertThat(f.spaces.calls(id)).as("not before the retry delay").isEqualTo(1);

    f.clock.advance(Duration.ofMinutes(2));
    f.spaces.delay(50);
    await(Future.all(f.partnerships.sweep(), nodeB.sweep(), f.partnerships.sweep()));
    assertThat(f.spaces.calls(id)).isEqualTo(2);
    assertThat(f.spaces.created(id)).isEqualTo(1);
    assertThat(f.get(c.wanepAdmin(), id).getString("channelId")).isEqualTo(f.spaces.ids(id).getString("channelId"));
    assertThat(changes(id)).containsExactly("requested", "accepted", "spaces-opened");

    f.clock.advance(Duration.ofMinutes(10));
    await(Future.all(f.partnerships.sweep(), nodeB.sweep()));
    assertThat(f.spaces.calls(id)).isEqualTo(2);
  }

  @Test
  @DisplayName("accept retries racing while the spaces are being opened call open() one at a time, and all answer accepted")
  void concurrentRetries() {
    Cast c = f.cast();
    String id = f.request(c).getString("id");
    f.spaces.failNext(1);
    f.call(c.unwCoord(), "partnership.accept", id(id));
    f.spaces.delay(100);
    List<Future<JsonObject>> retries = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      retries.add(f.start(c.unwCoord(), "partnership.accept", id(id)));
    }
    for (Future<JsonObject> r : retries) {
      assertThat(await(r).getJsonObject("request").getString("state")).isEqualTo("accepted");
    }
    assertThat(f.spaces.calls(id)).isEqualTo(2);
    assertThat(f.spaces.created(id)).isEqualTo(1);
    assertThat(retries.stream().filter(r -> r.result().getJsonObject("request").containsKey("channelId")).count())
        .isPositive();
    assertThat(f.get(c.unwCoord(), id).getString("channelId")).isEqualTo(f.spaces.ids(id).getString("channelId"));
  }

  @Test
  @DisplayName("a countered request accepted by the requester opens the spaces of the countered terms")
  void counterAccepted() {
    Cast c = f.cast();
    String id = f.request(c).getString("id");
    f.call(c.unwAdmin(), "partnership.counter", id(id).put("focalPoints", new JsonObject()
        .put("to", new JsonArray().add(c.unwMember().id()))));
    f.call(c.wanepCoord(), "partnership.accept", id(id));
    JsonObject asked = f.spaces.requests().stream().filter(r -> r.getString("id").equals(id)).findFirst().orElseThrow();
    assertThat(asked.getJsonObject("focalPoints").getJsonArray("to")).containsExactly(c.unwMember().id());
    assertThat(f.spaces.calls(id)).isEqualTo(1);
  }

  @Test
  @DisplayName("ending a partnership closes its spaces once; a declined request never opens any")
  void endCloses() {
    Cast c = f.cast();
    String id = f.request(c).getString("id");
    f.call(c.unwAdmin(), "partnership.accept", id(id));
    f.call(c.wanepAdmin(), "partnership.end", id(id));
    assertThat(f.outcome(c.unwAdmin(), "partnership.end", id(id))).isEqualTo("conflict");
    assertThat(f.spaces.closes(id)).isEqualTo(1);
    assertThat(f.spaces.calls(id)).isEqualTo(1);

    String declined = f.request(c).getString("id");
    f.call(c.unwAdmin(), "partnership.decline", id(declined));
    f.clock.advance(Duration.ofHours(1));
    await(f.partnerships.sweep());
    assertThat(f.spaces.calls(declined)).isZero();
  }
}
