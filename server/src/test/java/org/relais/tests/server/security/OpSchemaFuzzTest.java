package org.relais.tests.server.security;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.relais.core.ErrorCode;
import org.relais.core.Op;
import org.relais.core.RelaisException;
import org.relais.tests.server.TestServer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing of every op's schema, taken from the running server's dispatch table, and of {@code event.import}
 * end to end (jqwik). Each op has a valid example ({@code src/test/resources/fuzz/valid-requests.json}, checked to
 * cover the table); the properties: the example is accepted, and any value or any mutation of the example ends in
 * normalised data or {@code bad_request}/{@code too_large}, within a time bound, with normalisation stable.
 *
 * <p>Tries per property come from {@code jqwik.tries.default} (200 in every build, 20 000 with {@code -Pfuzz}).
 */
class OpSchemaFuzzTest {
  private static final Set<ErrorCode> CLIENT_CODES = Set.of(ErrorCode.BAD_REQUEST, ErrorCode.TOO_LARGE);
  private static TestServer t;
  private static Map<String, Op> ops;
  private static JsonObject examples;
  private static String token;
  private static ExecutorService runner;

  @BeforeContainer
  static void start() throws IOException {
    t = TestServer.start();
    ops = t.server.ops().all();
    try (InputStream in = OpSchemaFuzzTest.class.getResourceAsStream("/fuzz/valid-requests.json")) {
      examples = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    String admin = t.adminToken();
    String org = t.createOrg(admin, "WANEP-Mali", "ML");
    token = t.createUser(admin, org, "Moussa Keïta").getString("accessToken");
    runner = Executors.newSingleThreadExecutor(r -> {
      Thread th = new Thread(r, "fuzz-runner");
      th.setDaemon(true);
      return th;
    });
  }

  @AfterContainer
  static void stop() {
    runner.shutdownNow();
    t.close();
  }

  /** Validates with a time bound: the normalised data, or null after a client error; anything else fails. */
  private static JsonObject validate(Op op, JsonObject data) {
    Future<JsonObject> f = runner.submit(() -> op.schema().validate(data));
    try {
      return f.get(2, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError(op.name() + ": validation did not finish within 2 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RelaisException r) {
        assertThat(r.code()).as("%s: %s", op.name(), r.getMessage()).isIn(CLIENT_CODES);
        return null;
      }
      throw new AssertionError(op.name() + " failed with " + e.getCause() + " on " + data.encode(), e.getCause());
    }
  }

  @Example
  void everyOpHasAValidExampleThatItAccepts() {
    Set<String> missing = new TreeSet<>(ops.keySet());
    missing.removeAll(examples.fieldNames());
    assertThat(missing).as("ops without an example in fuzz/valid-requests.json").isEmpty();
    for (Op op : ops.values()) {
      JsonObject data = validate(op, examples.getJsonObject(op.name()).copy());
      assertThat(data).as("%s refuses its own example", op.name()).isNotNull();
      assertThat(validate(op, data.copy())).as("%s: normalisation is stable", op.name()).isEqualTo(data);
    }
  }

  @Provide
  Arbitrary<String> opNames() {
    return Arbitraries.of(new ArrayList<>(new TreeSet<>(ops.keySet())));
  }

  @Provide
  Arbitrary<Object> values() {
    return values(3);
  }

  private static Arbitrary<Object> values(int depth) {
    Arbitrary<Object> leaves = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(30).map(s -> (Object) s),
        Arbitraries.strings().withCharRange('\u0000', '\u00ff').withChars('\u202E', '\u200B', '\uD800', '\u2028', '\r', '\n')
            .ofMaxLength(12).map(s -> (Object) s),
        Arbitraries.strings().withChars('a').ofMinLength(0).ofMaxLength(9_000).map(s -> (Object) s),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.of(0L, -1L, 1L, 5L, 100L, 101L, 9_007_199_254_740_991L).map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.of("01M8128B0ZK9NFK9FBCMGEQ4EV", "2027-03-02T09:00", "2027-03-02", "Africa/Bamako", "FREQ=DAILY",
            "https://fcm.googleapis.com/x", "#ffffff", "mediation", "accepted", "all", "22:00", "a@b.example", "")
            .map(s -> (Object) s));
    if (depth == 0) {
      return leaves;
    }
    Arbitrary<Object> arrays = values(depth - 1).list().ofMaxSize(6).map(l -> (Object) new JsonArray(l));
    Arbitrary<Object> objects = values(depth - 1).list().ofMaxSize(4).map(l -> {
      JsonObject o = new JsonObject();
      String[] keys = {"from", "to", "p256dh", "auth", "start", "end"};
      for (int i = 0; i < l.size(); i++) {
        o.put(keys[i], l.get(i));
      }
      return (Object) o;
    });
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, leaves), net.jqwik.api.Tuple.of(2, arrays),
        net.jqwik.api.Tuple.of(2, objects));
  }

  /** An op's example with one field set to any value, removed, or added. */
  @Property
  void aMutatedRequestEndsInDataOrAClientError(@ForAll("opNames") String name, @ForAll("values") Object value,
      @ForAll("mutations") int mutation, @ForAll("fieldIndex") int fieldIndex) {
    Op op = ops.get(name);
    JsonObject data = examples.getJsonObject(name).copy();
    List<String> fields = new ArrayList<>(data.fieldNames());
    String field = fields.isEmpty() ? "x" : fields.get(fieldIndex % fields.size());
    switch (mutation) {
      case 0 -> data.put(field, value);
      case 1 -> data.remove(field);
      case 2 -> data.put("unexpected", value);
      default -> data = value instanceof JsonObject o ? o : new JsonObject().put(field, new JsonArray().add(value));
    }
    JsonObject normalised = validate(op, data);
    if (normalised != null) {
      assertThat(validate(op, normalised.copy())).as("%s: normalisation is stable for %s", name, data.encode())
          .isEqualTo(normalised);
    }
  }

  @Provide
  Arbitrary<Integer> mutations() {
    return Arbitraries.integers().between(0, 3);
  }

  @Provide
  Arbitrary<Integer> fieldIndex() {
    return Arbitraries.integers().between(0, 20);
  }

  /** A valid iCalendar text with one line broken, repeated or replaced, imported over HTTP. */
  @Property
  void importingAMutatedCalendarEndsInAnEventOrAClientError(@ForAll("icsMutations") String ics) {
    long start = System.nanoTime();
    JsonObject reply = t.op(token, "event.import", new JsonObject().put("ics", ics));
    assertThat((System.nanoTime() - start) / 1_000_000).as("answered within 5 s").isLessThan(5_000);
    if (!reply.getBoolean("ok")) {
      assertThat(reply.getJsonObject("error").getString("code")).as(reply.encode()).isIn("bad_request", "too_large");
    }
  }

  private static final List<String> ICS_LINES = List.of("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//x//EN", "BEGIN:VEVENT",
      "UID:fuzz@x", "DTSTAMP:20270101T000000Z", "DTSTART;TZID=Africa/Bamako:20270302T090000", "DTEND:20270302T100000Z",
      "RRULE:FREQ=WEEKLY;COUNT=10", "EXDATE:20270309T090000Z", "SUMMARY:Atelier \\, salle B", "DESCRIPTION:Ligne 1\\nLigne 2",
      "LOCATION:Bamako", "URL:https://meet.example/x", "BEGIN:VALARM", "TRIGGER:-PT15M", "END:VALARM", "END:VEVENT",
      "END:VCALENDAR");
  private static final List<String> ICS_JUNK = List.of("", " folded", "RRULE:FREQ=SECONDLY", "RRULE:FREQ=DAILY;INTERVAL=0",
      "DTSTART:99999999T999999Z", "DTSTART;TZID=Mars/Olympus:20270302T090000", "DURATION:P9999999D", "BEGIN:VEVENT",
      "END:VCALENDAR", "SUMMARY:" + "x".repeat(300), "EXDATE:" + "20270309T090000Z,".repeat(50) + "20270310T090000Z",
      "RDATE;VALUE=PERIOD:20270301T000000Z/PT1H", "X-INJECT:\r\nBEGIN:VEVENT", "ATTENDEE;CN=\"A\\nB\":mailto:a@b.example",
      "\u0000", "DTSTART;VALUE=DATE:20270302", "RRULE:FREQ=YEARLY;BYMONTH=13", "RRULE:FREQ=MONTHLY;BYMONTHDAY=0");

  @Provide
  Arbitrary<String> icsMutations() {
    return Combinators.combine(Arbitraries.integers().between(0, ICS_LINES.size() - 1), Arbitraries.of(ICS_JUNK),
            Arbitraries.integers().between(0, 2), Arbitraries.integers().between(1, 30))
        .as((at, junk, kind, times) -> {
          List<String> lines = new ArrayList<>(ICS_LINES);
          switch (kind) {
            case 0 -> lines.set(at, junk);
            case 1 -> lines.add(at, junk);
            default -> {
              String line = lines.get(at);
              for (int i = 1; i < times; i++) {
                lines.add(at, line);
              }
            }
          }
          return String.join("\r\n", lines) + "\r\n";
        });
  }
}
