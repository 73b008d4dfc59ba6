package org.relais.tests.partnerships;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.partnerships.PartnershipNotifier;
import org.relais.partnerships.PartnershipService;
import org.relais.partnerships.PartnershipSettings;
import org.relais.tests.partnerships.PartnershipFixture.Cast;
import org.relais.tests.partnerships.RecordingEvents.Push;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relais.tests.partnerships.PartnershipFixture.await;
import static org.relais.tests.partnerships.PartnershipFixture.id;

/** Deadlines with an injected clock, and two sweepers (two nodes) on one Redis. */
class ExpiryTest {
  private static PartnershipFixture f;
  private static PartnershipService nodeB;

  @BeforeAll
  static void start() {
    f = PartnershipFixture.start();
    nodeB = f.node(f.notifier);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  /** One round on both nodes at once. */
  private static void sweepBoth() {
    Future<Integer> a = f.partnerships.sweep();
    Future<Integer> b = nodeB.sweep();
    await(Future.all(a, b));
  }

  private static List<String> changes(String requestId) {
    return f.events.about(requestId).stream().map(p -> p.data().getString("change")).toList();
  }

  @Test
  @DisplayName("a pending request is noticed once as expiring three days before its deadline, then expires once, with two sweepers")
  void expiringThenExpired() {
    Cast c = f.cast();
    JsonObject r = f.request(c);
    String id = r.getString("id");
    Instant deadline = Instant.parse(r.getString("expiresAt"));

    f.clock.advance(Duration.ofDays(27).minusMinutes(1));
    sweepBoth();
    assertThat(f.notifier.kindsAbout(id)).containsExactly(PartnershipNotifier.NEW);

    f.clock.advance(Duration.ofMinutes(2));
    sweepBoth();
    sweepBoth();
    assertThat(f.notifier.kindsAbout(id)).containsExactly(PartnershipNotifier.NEW, PartnershipNotifier.EXPIRING);
    RecordingNotifier.Notice expiring = f.notifier.about(id).get(1);
    assertThat(expiring.actorId()).isNull();
    assertThat(expiring.recipientIds()).containsExactlyInAnyOrderElementsOf(c.authorised());
    assertThat(expiring.request().getString("expiresAt")).isEqualTo(deadline.toString());
    assertThat(f.get(c.wanepAdmin(), id).getString("state")).isEqualTo("pending");

    f.clock.advance(Duration.ofDays(3));
    sweepBoth();
    sweepBoth();
    JsonObject expired = f.get(c.wanepAdmin(), id);
    assertThat(expired.getString("state")).isEqualTo("expired");
    assertThat(expired.getLong("version")).isEqualTo(2);
    assertThat(expired.getJsonArray("trail")).hasSize(2);
    assertThat(expired.getJsonArray("trail").getJsonObject(1)).isEqualTo(new JsonObject().put("state", "expired")
        .putNull("by").put("at", f.clock.instant().toString()).putNull("note"));
    assertThat(f.notifier.kindsAbout(id)).containsExactly(PartnershipNotifier.NEW, PartnershipNotifier.EXPIRING,
        PartnershipNotifier.EXPIRED);
    assertThat(changes(id)).containsExactly("requested", "expiring", "expired");
    Push last = f.events.about(id).get(2);
    assertThat(last.userIds()).containsExactlyInAnyOrderElementsOf(c.authorised());
    assertThat(last.data().getValue("by")).isNull();

    assertThat(f.outcome(c.wanepAdmin(), "partnership.request", c.requestData())).as("the pair is free again")
        .isEqualTo("ok");
  }

  @Test
  @DisplayName("a counter-proposal restarts the deadline, and its expiry clears it")
  void counterRestartsDeadline() {
    Cast c = f.cast();
    String id = f.request(c).getString("id");
    f.clock.advance(Duration.ofDays(20));
    JsonObject countered = f.call(c.unwAdmin(), "partnership.counter", id(id).put("purpose", "Only Mopti"))
        .getJsonObject("request");
    assertThat(Instant.parse(countered.getString("expiresAt"))).isEqualTo(f.clock.instant().plus(Duration.ofDays(30)));

    f.clock.advance(Duration.ofDays(11));
    sweepBoth();
    assertThat(f.get(c.wanepAdmin(), id).getString("state")).isEqualTo("countered");
    assertThat(f.notifier.kindsAbout(id)).containsExactly(PartnershipNotifier.NEW, PartnershipNotifier.COUNTER);

    f.clock.advance(Duration.ofDays(17));
    sweepBoth();
    assertThat(f.notifier.kindsAbout(id)).endsWith(PartnershipNotifier.EXPIRING);
    f.clock.advance(Duration.ofDays(3));
    sweepBoth();
    JsonObject expired = f.get(c.wanepAdmin(), id);
    assertThat(expired.getString("state")).isEqualTo("expired");
    assertThat(expired.containsKey("counter")).isFalse();
    assertThat(f.notifier.kindsAbout(id)).containsExactly(PartnershipNotifier.NEW, PartnershipNotifier.COUNTER,
        PartnershipNotifier.EXPIRING, PartnershipNotifier.EXPIRED);
  }

  @Test
  @DisplayName("a request past its deadline cannot be answered, even before a sweeper has run")
  void pastDeadlineBeforeSweep() {
    Cast c = f.cast();
    String id = f.request(c).getString("id");
    f.clock.advance(Duration.ofDays(30).plusSeconds(1));
    assertThat(f.failure(c.unwAdmin(), "partnership.accept", id(id)).getMessage()).contains("expired");
    assertThat(f.outcome(c.wanepAdmin(), "partnership.withdraw", id(id))).isEqualTo("conflict");
    assertThat(f.spaces.calls(id)).isZero();
    await(f.partnerships.sweep());
    assertThat(f.get(c.unwAdmin(), id).getString("state")).isEqualTo("expired");
    assertThat(await(f.partnerships.partnersOf(c.wanep().id()))).isEmpty();
  }

  @Test
  @DisplayName("accepted, declined and withdrawn requests never expire nor are noticed")
  void answeredRequestsDoNotExpire() {
    Cast c = f.cast();
    String accepted = f.request(c).getString("id");
    f.call(c.unwAdmin(), "partnership.accept", id(accepted));
    String declined = f.request(c).getString("id");
    f.call(c.unwAdmin(), "partnership.decline", id(declined));
    f.clock.advance(Duration.ofDays(90));
    sweepBoth();
    assertThat(f.get(c.unwAdmin(), accepted).getString("state")).isEqualTo("accepted");
    assertThat(f.get(c.unwAdmin(), declined).getString("state")).isEqualTo("declined");
    assertThat(f.notifier.kindsAbout(accepted)).containsExactly(PartnershipNotifier.NEW, PartnershipNotifier.ACCEPTED);
    assertThat(f.notifier.kindsAbout(declined)).containsExactly(PartnershipNotifier.NEW, PartnershipNotifier.DECLINED);
  }

  @Test
  @DisplayName("with an expiry period shorter than the notice period, a request expires without an 'expiring' notice")
  void shortPeriodNoNotice() {
    PartnershipSettings short2 = PartnershipSettings.defaults().withExpiry(Duration.ofDays(2));
    RecordingNotifier seen = new RecordingNotifier();
    PartnershipService node = f.node(seen, short2);
    Cast c = f.cast();
    String id = await(node.request(c.wanepCoord().principal(), c.requestData())).getJsonObject("request").getString("id");
    f.clock.advance(Duration.ofDays(1));
    await(node.sweep());
    assertThat(seen.kindsAbout(id)).containsExactly(PartnershipNotifier.NEW);
    f.clock.advance(Duration.ofDays(1));
    await(node.sweep());
    assertThat(seen.kindsAbout(id)).containsExactly(PartnershipNotifier.NEW, PartnershipNotifier.EXPIRED);
  }

  @Test
  @DisplayName("the expiry period is configurable, and a started sweeper runs its rounds by itself until stopped")
  void timerSweeps() throws InterruptedException {
    PartnershipSettings quick = new PartnershipSettings(Duration.ofDays(7), Duration.ofDays(3), Duration.ofMillis(20),
        100, Duration.ofSeconds(30), Duration.ofMinutes(1), 1_000);
    RecordingNotifier seen = new RecordingNotifier();
    PartnershipService node = f.node(seen, quick);
    Cast c = f.cast();
    JsonObject r = await(node.request(c.wanepCoord().principal(), c.requestData())).getJsonObject("request");
    String id = r.getString("id");
    assertThat(Instant.parse(r.getString("expiresAt"))).isEqualTo(f.clock.instant().plus(Duration.ofDays(7)));

    node.start();
    node.start();
    f.clock.advance(Duration.ofDays(7).plusSeconds(1));
    long until = System.nanoTime() + 5_000_000_000L;
    while (!f.get(c.wanepAdmin(), id).getString("state").equals("expired") && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    await(node.stop());
    assertThat(f.get(c.wanepAdmin(), id).getString("state")).isEqualTo("expired");
    assertThat(seen.kindsAbout(id)).containsExactly(PartnershipNotifier.NEW, PartnershipNotifier.EXPIRED);

    String later = await(node.request(c.wanepCoord().principal(), c.requestData())).getJsonObject("request")
        .getString("id");
    f.clock.advance(Duration.ofDays(8));
    Thread.sleep(100);
    assertThat(f.get(c.wanepAdmin(), later).getString("state")).as("a stopped sweeper sweeps no more")
        .isEqualTo("pending");
    await(f.partnerships.sweep());
  }
}
