package org.relais.tests.core;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.JsonFrames;
import org.relais.core.RawJson;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RawJsonTest {

  @Test
  @DisplayName("frames encode to the same text as JsonObject.encode() for every kind of value")
  void sameAsVertx() {
    JsonObject frame = new JsonObject().put("re", 7L).put("ok", true).put("data", new JsonObject()
        .put("s", "a \"quoted\" \\ / é 😀 \u0001 \u2028").put("i", 3).put("l", 1L << 52).put("d", 1.5).put("f", 2.25f)
        .put("b", false).put("n", (Object) null).put("big", new BigDecimal("12.50"))
        .put("t", Instant.parse("2026-01-02T03:04:05.123Z")).put("bytes", new byte[] {1, 2, 3})
        .put("arr", new JsonArray().add(1).add("x").add(new JsonObject().put("k", new JsonArray())))
        .put("map", Map.of("k", List.of(1, 2))).put("empty", new JsonObject()));
    assertThat(JsonFrames.encode(frame)).isEqualTo(frame.encode());
  }

  @Test
  @DisplayName("a raw array is copied into the frame as it is, and reads like an ordinary array")
  void rawArraySpliced() {
    String text = "[{\"id\":\"a\",\"seq\":1,\"tags\":[],\"t\":\"x\\/y\"},{\"id\":\"b\",\"seq\":2,\"r\":{}}]";
    JsonArray raw = RawJson.array(text);
    JsonObject frame = new JsonObject().put("re", "r1").put("ok", true)
        .put("data", new JsonObject().put("messages", raw).put("hasAfter", false));
    assertThat(JsonFrames.encode(frame))
        .isEqualTo("{\"re\":\"r1\",\"ok\":true,\"data\":{\"messages\":" + text + ",\"hasAfter\":false}}");
    // Looking inside decodes it, with the types the strict decoder gives (integers as Long).
    assertThat(raw.size()).isEqualTo(2);
    assertThat(raw.getJsonObject(0).getString("t")).isEqualTo("x/y");
    assertThat(raw.getJsonObject(1).getValue("seq")).isEqualTo(2L);
    assertThat(raw).isEqualTo(new JsonArray(text));
    // Still spliced after being read.
    assertThat(JsonFrames.encode(frame)).contains(text);
    assertThat(frame.encode()).isEqualTo(JsonFrames.encode(new JsonObject(frame.encode())));
  }

  @Test
  @DisplayName("a raw array of elements is spliced with commas between them, reads like an ordinary array, and "
      + "is encoded from its values once changed")
  void rawElementsSpliced() {
    List<String> elements = List.of("{\"id\":\"a\",\"seq\":1,\"tags\":[]}", "{\"id\":\"b\",\"seq\":2,\"t\":\"x\\/y\"}", "3");
    String text = "[" + String.join(",", elements) + "]";
    JsonArray raw = RawJson.ofElements(elements);
    JsonObject frame = new JsonObject().put("re", "r1").put("ok", true)
        .put("data", new JsonObject().put("messages", raw).put("hasAfter", false));
    assertThat(JsonFrames.encode(frame))
        .isEqualTo("{\"re\":\"r1\",\"ok\":true,\"data\":{\"messages\":" + text + ",\"hasAfter\":false}}");
    assertThat(raw.size()).isEqualTo(3);
    assertThat(raw.getJsonObject(1).getString("t")).isEqualTo("x/y");
    assertThat(raw).isEqualTo(new JsonArray(text));
    assertThat(JsonFrames.encode(frame)).contains(text);
    assertThat(JsonFrames.encode(new JsonObject().put("a", RawJson.ofElements(List.of())))).isEqualTo("{\"a\":[]}");
    raw.remove(2);
    assertThat(JsonFrames.encode(new JsonObject().put("m", raw))).isEqualTo("{\"m\":[" + elements.get(0) + ","
        + elements.get(1).replace("\\/", "/") + "]}");
  }

  @Test
  @DisplayName("a raw array changed after it was made is encoded from its values")
  void changedRawArray() {
    JsonArray raw = RawJson.array("[1,2]");
    raw.add(3);
    JsonObject frame = new JsonObject().put("a", raw);
    assertThat(JsonFrames.encode(frame)).isEqualTo("{\"a\":[1,2,3]}");
    assertThat(JsonFrames.encode(new JsonObject().put("a", RawJson.array("[]")))).isEqualTo("{\"a\":[]}");
  }
}
