package org.relais.tests.core;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.ErrorCode;
import org.relais.core.RelaisException;
import org.relais.core.Schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaHardeningTest {
  private static final Schema EMAIL = Schema.object().required("email", Schema.email());
  private static final Schema OFFSETS = Schema.object()
      .required("channels", Schema.mapOf(Schema.id(), Schema.integer(0, 1_000), 10));

  private static void bad(Schema schema, JsonObject data, String message) {
    assertThatThrownBy(() -> schema.validate(data))
        .isInstanceOfSatisfying(RelaisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
        .hasMessageContaining(message);
  }

  @Test
  @DisplayName("an email with an invisible or bidi character is refused, so no look-alike of an address can exist")
  void emailRefusesInvisibleCharacters() {
    assertThat(EMAIL.validate(new JsonObject().put("email", " sarah@x.example ")).getString("email"))
        .isEqualTo("sarah@x.example");
    bad(EMAIL, new JsonObject().put("email", "sarah\u200b@x.example"), "not allowed (U+200B)");
    bad(EMAIL, new JsonObject().put("email", "ad\u202Emin@relais.local"), "not allowed (U+202E)");
    bad(EMAIL, new JsonObject().put("email", "admin\u2066@relais.local"), "not allowed");
    bad(EMAIL, new JsonObject().put("email", "\uFEFFadmin@relais.local"), "not allowed");
  }

  @Test
  @DisplayName("a map with two keys that are the same once normalised to NFC is refused, not silently merged")
  void mapRefusesKeysEqualOnceNormalised() {
    String id = "01ARZ3NDEKTSV4RRFFQ69G5FA";
    JsonObject ok = OFFSETS.validate(new JsonObject().put("channels", new JsonObject().put(id + "K", 1).put(id + "M", 2)));
    assertThat(ok.getJsonObject("channels").fieldNames()).containsExactlyInAnyOrder(id + "K", id + "M");

    // U+212A KELVIN SIGN is "K" in NFC.
    bad(OFFSETS, new JsonObject().put("channels", new JsonObject().put(id + "K", 1).put(id + "\u212A", 2)),
        "data.channels: two keys are the same once normalised");
  }

  @Test
  @DisplayName("a lone surrogate is refused in every string, free text included (it used to be stored as '?')")
  void loneSurrogatesRefused() {
    Schema message = Schema.object().required("text", Schema.text(100));
    bad(message, new JsonObject().put("text", "a\uD800b"), "not allowed (U+D800)");
    bad(message, new JsonObject().put("text", "a\uDC00"), "not allowed (U+DC00)");
    bad(Schema.object().required("q", Schema.string()), new JsonObject().put("q", "\uDBFF"), "not allowed");
    assertThat(message.validate(new JsonObject().put("text", "ok 👍 \uD83D\uDC4D")).getString("text")).isEqualTo("ok 👍 👍");
  }
}
