package org.relais.tests.core;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.ErrorCode;
import org.relais.core.Ids;
import org.relais.core.JsonFrames;
import org.relais.core.RelaisException;
import org.relais.core.Schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaTest {
  private static final Schema PERSON = Schema.object()
      .required("name", Schema.name(10))
      .optional("age", Schema.integer(0, 150))
      .optional("tags", Schema.array(Schema.oneOf("a", "b")).maxItems(2).unique());

  private static void bad(Schema schema, String json, String message) {
    assertThatThrownBy(() -> schema.validate(new JsonObject(json)))
        .isInstanceOfSatisfying(RelaisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
        .hasMessageContaining(message);
  }

  @Test
  @DisplayName("valid data comes back normalised: NFC, trimmed names, duplicates dropped")
  void normalises() {
    JsonObject out = PERSON.validate(new JsonObject().put("name", "  Traore\u0301 ").put("tags", new JsonArray().add("a").add("a")));
    assertThat(out.getString("name")).isEqualTo("Traoré");
    assertThat(out.getJsonArray("tags")).containsExactly("a");
  }

  @Test
  @DisplayName("each misfit names the field and what it expects")
  void misfits() {
    bad(PERSON, "{}", "data.name: required");
    bad(PERSON, "{\"name\":5}", "data.name: expected a string");
    bad(PERSON, "{\"name\":\"x\",\"age\":\"12\"}", "data.age: expected a whole number");
    bad(PERSON, "{\"name\":\"x\",\"age\":1.5}", "data.age");
    bad(PERSON, "{\"name\":\"x\",\"age\":151}", "data.age");
    bad(PERSON, "{\"name\":\"x\",\"isAdmin\":true}", "unknown field 'isAdmin'");
    bad(PERSON, "{\"name\":\"12345678901\"}", "longer than 10");
    bad(PERSON, "{\"name\":\"\"}", "must not be empty");
    bad(PERSON, "{\"name\":\"ab\\u202Ecd\"}", "not allowed");
    bad(PERSON, "{\"name\":\"a\\u200Bb\"}", "not allowed");
    bad(PERSON, "{\"name\":\"a\\nb\"}", "not allowed");
    bad(PERSON, "{\"name\":\"x\",\"tags\":[\"c\"]}", "data.tags[0]: expected one of");
    bad(PERSON, "{\"name\":\"x\",\"tags\":[\"a\",\"b\",\"a\"]}", "more than 2 items");
    bad(Schema.object().required("id", Schema.id()), "{\"id\":\"x}:*\"}", "expected an id");
  }

  @Test
  @DisplayName("free text keeps line breaks but refuses control characters")
  void text() {
    Schema s = Schema.object().required("t", Schema.text(100));
    assertThat(s.validate(new JsonObject().put("t", "line one\nline two")).getString("t")).contains("\n");
    bad(s, "{\"t\":\"bell\\u0007\"}", "not allowed");
  }

  @Test
  @DisplayName("strict JSON: duplicate keys, trailing content, NaN, huge numbers and deep nesting are refused")
  void strictJson() {
    assertThat(JsonFrames.parseObject("{\"a\":[1,{\"b\":null}],\"c\":\"d\"}").getJsonArray("a")).hasSize(2);
    assertThatThrownBy(() -> JsonFrames.parseObject("{\"a\":1,\"a\":2}")).hasMessageContaining("Duplicate");
    assertThatThrownBy(() -> JsonFrames.parseObject("{} {}")).hasMessageContaining("after");
    assertThatThrownBy(() -> JsonFrames.parseObject("{\"a\":NaN}")).isInstanceOf(RelaisException.class);
    assertThatThrownBy(() -> JsonFrames.parseObject("{\"a\":9007199254740993}")).hasMessageContaining("range");
    assertThatThrownBy(() -> JsonFrames.parseObject("{\"a\":1e400}")).hasMessageContaining("range");
    assertThatThrownBy(() -> JsonFrames.parseObject("[1]")).hasMessageContaining("object");
    String deep = "{\"a\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}";
    assertThatThrownBy(() -> JsonFrames.parseObject(deep))
        .isInstanceOfSatisfying(RelaisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
  }

  @Test
  @DisplayName("ids are 26 Crockford characters, unique and ordered by time")
  void ids() throws Exception {
    String a = Ids.newId();
    Thread.sleep(2);
    String b = Ids.newId();
    assertThat(Ids.isId(a)).isTrue();
    assertThat(a).isNotEqualTo(b).isLessThan(b);
    assertThat(Ids.isId("01ARZ3NDEKTSV4RRFFQ69G5FA")).isFalse();
    assertThat(Ids.newSecret()).hasSize(43);
  }
}
