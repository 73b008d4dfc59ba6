package org.relais.tests.core;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.relais.core.ErrorCode;
import org.relais.core.JsonFrames;
import org.relais.core.RelaisException;
import org.relais.core.Schema;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing of frame decoding and of the generic schemas (jqwik). Properties: decoding any text, or validating any
 * decoded value, ends in a result or a {@link RelaisException} with a typed client code, never in another exception
 * and never in a hang; valid input is accepted; normalisation is stable.
 *
 * <p>Tries per property come from {@code jqwik.tries.default} (200 in every build, 20 000 with {@code -Pfuzz}).
 */
class FrameFuzzTest {
  /** The codes bad input may get. */
  static final Set<ErrorCode> CLIENT_CODES = Set.of(ErrorCode.BAD_REQUEST, ErrorCode.TOO_LARGE);
  private static final ExecutorService RUNNER = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "fuzz-runner");
    t.setDaemon(true);
    return t;
  });

  @AfterContainer
  static void stop() {
    RUNNER.shutdownNow();
  }

  /** Runs {@code work} with a time bound; a RelaisException counts as an outcome, anything else fails. */
  static <T> Outcome<T> bounded(Supplier<T> work) {
    Future<T> f = RUNNER.submit(work::get);
    try {
      return new Outcome<>(f.get(2, TimeUnit.SECONDS), null);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError("did not finish within 2 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RelaisException r) {
        assertThat(r.code()).as("%s", r.getMessage()).isIn(CLIENT_CODES);
        return new Outcome<>(null, r);
      }
      throw new AssertionError("failed with " + e.getCause(), e.getCause());
    }
  }

  record Outcome<T>(T value, RelaisException error) {
  }

  // ------------------------------------------------------------------ generators

  private static final List<String> TOKENS = List.of("{", "}", "[", "]", "\"", ":", ",", " ", "\n", "0", "-1", "1e999",
      "9007199254740993", "1.5", "true", "false", "null", "NaN", "\\u0000", "\\uD800", "\\\"", "\\", "\"id\"", "\"op\"",
      "\"data\"", "\"x\"", "é", "\u202E", "\u0000", "/*", "'", "0x1F", "-", "+", ".", "e");

  /** Text made of JSON's own pieces, so that most of it gets past the first character. */
  @Provide
  Arbitrary<String> jsonish() {
    return Arbitraries.of(TOKENS).list().ofMaxSize(60).map(parts -> String.join("", parts));
  }

  /** JSON values, nested a few levels, with the numbers and strings that hurt. */
  @Provide
  Arbitrary<Object> values() {
    return values(4);
  }

  static Arbitrary<Object> values(int depth) {
    Arbitrary<Object> leaves = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(40).map(s -> (Object) s),
        Arbitraries.strings().withCharRange('\u0000', '\u036F').withChars('\u202E', '\u200B', '\uFEFF', '\uD800', '\u2028')
            .ofMaxLength(20).map(s -> (Object) s),
        Arbitraries.longs().between(-Schema.MAX_SAFE_INTEGER, Schema.MAX_SAFE_INTEGER).map(l -> (Object) l),
        Arbitraries.of(0L, -1L, 1L, 100L, 101L, Schema.MAX_SAFE_INTEGER).map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.of("01M8128B0ZK9NFK9FBCMGEQ4EV", "a@b.example", "2027-03-02T09:00", "Africa/Bamako", "", " ")
            .map(s -> (Object) s));
    if (depth == 0) {
      return leaves;
    }
    Arbitrary<Object> arrays = values(depth - 1).list().ofMaxSize(5).map(l -> (Object) new JsonArray(l));
    Arbitrary<Object> objects = Combinators.combine(
            Arbitraries.of("id", "op", "data", "userId", "text", "name", "x", "limit", "channelId").list().ofMaxSize(5),
            values(depth - 1).list().ofSize(5))
        .as((keys, vals) -> {
          JsonObject o = new JsonObject();
          for (int i = 0; i < keys.size(); i++) {
            o.put(keys.get(i), vals.get(i));
          }
          return (Object) o;
        });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, leaves),
        net.jqwik.api.Tuple.of(2, arrays),
        net.jqwik.api.Tuple.of(2, objects));
  }

  /** A valid frame with one mutation: a character inserted, removed or replaced, or a slice repeated. */
  @Provide
  Arbitrary<String> mutatedFrames() {
    Arbitrary<String> valid = values().map(v -> new JsonObject().put("id", "c1").put("op", "user.get")
        .put("data", v instanceof JsonObject o ? o : new JsonObject().put("userId", v)).encode());
    return Combinators.combine(valid, Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 10_000),
            Arbitraries.of(TOKENS), Arbitraries.integers().between(1, 50))
        .as((frame, kind, at, token, times) -> {
          int i = at % (frame.length() + 1);
          return switch (kind) {
            case 0 -> frame.substring(0, i) + token + frame.substring(i);
            case 1 -> frame.substring(0, i) + frame.substring(Math.min(frame.length(), i + 1));
            case 2 -> frame.substring(0, i) + token + frame.substring(Math.min(frame.length(), i + token.length()));
            default -> frame.substring(0, i) + frame.substring(i, Math.min(frame.length(), i + 3)).repeat(times)
                + frame.substring(i);
          };
        });
  }

  // ------------------------------------------------------------------ properties

  @Property
  void decodingAnyTextEndsInAnObjectOrATypedError(@ForAll String text) {
    bounded(() -> JsonFrames.parseObject(text));
  }

  @Property
  void decodingJsonLikeTextEndsInAnObjectOrATypedError(@ForAll("jsonish") String text) {
    bounded(() -> JsonFrames.parseObject(text));
  }

  @Property
  void decodingMutatedFramesEndsInAnObjectOrATypedError(@ForAll("mutatedFrames") String text) {
    bounded(() -> JsonFrames.parseObject(text));
  }

  @Property
  void deepNestingIsTooLargeNotACrash(@ForAll("depths") int depth) {
    String text = "{\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
    Outcome<JsonObject> o = bounded(() -> JsonFrames.parseObject(text));
    if (depth < JsonFrames.MAX_DEPTH) {
      assertThat(o.error()).isNull();
    } else {
      assertThat(o.error().code()).isEqualTo(ErrorCode.TOO_LARGE);
    }
  }

  @Provide
  Arbitrary<Integer> depths() {
    return Arbitraries.integers().between(1, 5_000);
  }

  @Property
  void anEncodedObjectDecodesToItself(@ForAll("values") Object value) {
    JsonObject object = new JsonObject().put("v", value);
    Outcome<JsonObject> o = bounded(() -> JsonFrames.parseObject(object.encode()));
    assertThat(o.error()).as("valid JSON refused: %s", object.encode()).isNull();
    assertThat(o.value().encode()).isEqualTo(object.encode());
  }

  /** Schemas of every kind the ops use, checked against any value. */
  private static final List<Schema> SCHEMAS = List.of(
      Schema.object().required("userId", Schema.id()),
      Schema.object().required("email", Schema.email()).optional("displayName", Schema.name(80)),
      Schema.object().required("text", Schema.text(8_000)).optional("limit", Schema.integer(1, 100)),
      Schema.object().optional("userIds", Schema.array(Schema.id()).minItems(1).maxItems(5).unique())
          .optional("flag", Schema.bool()).optional("kind", Schema.oneOf("a", "b")),
      Schema.object().optional("channels", Schema.mapOf(Schema.id(), Schema.oneOf("all", "muted"), 5))
          .optional("nested", Schema.object().optional("x", Schema.string().maxLength(10).singleLine().trim())));

  @Property
  void validatingAnyValueEndsInDataOrBadRequest(@ForAll("values") Object value, @ForAll("schemaIndex") int which) {
    Schema schema = SCHEMAS.get(which);
    JsonObject data = value instanceof JsonObject o ? o : new JsonObject().put("userId", value);
    Outcome<JsonObject> first = bounded(() -> schema.validate(data));
    if (first.error() != null) {
      assertThat(first.error().code()).isEqualTo(ErrorCode.BAD_REQUEST);
      return;
    }
    Outcome<JsonObject> again = bounded(() -> schema.validate(first.value()));
    assertThat(again.error()).as("normalised data refused: %s", first.value().encode()).isNull();
    assertThat(again.value()).as("normalisation is stable").isEqualTo(first.value());
  }

  @Provide
  Arbitrary<Integer> schemaIndex() {
    return Arbitraries.integers().between(0, SCHEMAS.size() - 1);
  }

  @Property
  void validNamesAreAccepted(@ForAll("names") String name) {
    Schema schema = Schema.object().required("displayName", Schema.name(80));
    Outcome<JsonObject> o = bounded(() -> schema.validate(new JsonObject().put("displayName", name)));
    assertThat(o.error()).as("refused %s", name).isNull();
    assertThat(o.value().getString("displayName")).isEqualTo(java.text.Normalizer.normalize(name.strip(),
        java.text.Normalizer.Form.NFC));
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').withChars("éèàçïôÉ -'ØßñœÆ").ofMinLength(1)
        .ofMaxLength(60).filter(s -> !s.isBlank());
  }
}
