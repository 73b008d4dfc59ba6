package org.relais.tests.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.core.JsonFrames;
import org.relais.core.RawJson;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

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

  private static byte[] utf8(JsonObject frame) {
    ByteBuf buf = JsonFrames.encodeUtf8(frame);
    return ByteBufUtil.getBytes(buf);
  }

  private static byte[] viaText(JsonObject frame) {
    return JsonFrames.encode(frame).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("encodeUtf8 gives the bytes of encode()'s text for every kind of value, raw arrays included")
  void utf8SameAsText() {
    JsonObject frame = new JsonObject().put("re", "r\u00e9😀").put("ok", true).put("data", new JsonObject()
        .put("s", "a \"quoted\" \\ / é 😀 \u0001 \u2028").put("i", 3).put("l", 1L << 52).put("d", 1.5).put("f", 2.25f)
        .put("b", false).put("n", (Object) null).put("big", new BigDecimal("12.50"))
        .put("t", Instant.parse("2026-01-02T03:04:05.123Z")).put("bytes", new byte[] {1, 2, 3})
        .put("arr", new JsonArray().add(1).add("x").add(new JsonObject().put("k", new JsonArray())))
        .put("map", Map.of("k", List.of(1, 2))).put("empty", new JsonObject())
        .put("text", RawJson.array("[1,\"é\"]")).put("elements", RawJson.ofElements(List.of("{\"a\":\"😀\"}", "2"))));
    assertThat(utf8(frame)).isEqualTo(viaText(frame));
  }

  @Test
  @DisplayName("a raw array of UTF-8 elements is copied byte for byte into encodeUtf8's frame, decoded by encode(), "
      + "and reads like an ordinary array")
  void rawUtf8Spliced() {
    List<String> texts = List.of("{\"id\":\"a\",\"t\":\"x\\/y é 😀 \\u2028\"}", "{\"id\":\"b\",\"r\":[]}", "3");
    List<Buffer> elements = texts.stream().map(t -> Buffer.buffer(t.getBytes(StandardCharsets.UTF_8))).toList();
    JsonArray raw = RawJson.ofUtf8(elements);
    JsonObject frame = new JsonObject().put("re", 5L).put("ok", true)
        .put("data", new JsonObject().put("channelId", "c😀").put("messages", raw).put("hasAfter", false));
    String text = "{\"re\":5,\"ok\":true,\"data\":{\"channelId\":\"c😀\",\"messages\":[" + String.join(",", texts)
        + "],\"hasAfter\":false}}";
    assertThat(JsonFrames.encode(frame)).isEqualTo(text);
    assertThat(utf8(frame)).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
    JsonObject same = new JsonObject().put("re", 5L).put("ok", true)
        .put("data", new JsonObject().put("channelId", "c😀").put("messages", RawJson.ofElements(texts)).put("hasAfter", false));
    assertThat(utf8(frame)).isEqualTo(viaText(same));
    assertThat(JsonFrames.encodeUtf8(new JsonObject().put("a", RawJson.ofUtf8(List.of()))).toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"a\":[]}");
    assertThat(raw.size()).isEqualTo(3);
    assertThat(raw.getJsonObject(0).getString("t")).isEqualTo("x/y é 😀 \u2028");
    assertThat(utf8(frame)).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
    raw.remove(2);
    assertThat(JsonFrames.encode(new JsonObject().put("m", raw))).isEqualTo("{\"m\":[{\"id\":\"a\",\"t\":\"x/y é 😀 \u2028\"},"
        + texts.get(1) + "]}");
  }

  @Test
  @DisplayName("encodeUtf8 equals encode().getBytes(UTF_8) on random text: escapes, every UTF-8 length, surrogate "
      + "pairs cut at the generator's buffer boundaries, lone surrogates")
  void utf8OnRandomText() {
    char[] pool = {'a', 'Z', '0', ' ', '"', '\\', '/', '\u0000', '\u0001', '\u001f', '\u007f', '\u0080', 'é', '\u07ff',
        '\u0800', '\u2028', '\u2029', '日', '\ufeff', '\uffff', '\ud83d', '\ude00', '\udbff', '\udfff', '\ud800', '\udc00'};
    Random random = new Random(20261122L);
    for (int round = 0; round < 3_000; round++) {
      StringBuilder sb = new StringBuilder();
      int n = round % 10 == 0 ? 3_900 + random.nextInt(4_400) : random.nextInt(60);
      for (int i = 0; i < n; i++) {
        int k = random.nextInt(pool.length + 4);
        if (k < pool.length) {
          sb.append(pool[k]);
        } else if (k == pool.length) {
          sb.append("😀");
        } else if (k == pool.length + 1) {
          sb.append((char) random.nextInt(0x10000));
        } else {
          sb.append((char) ('a' + random.nextInt(26)));
        }
      }
      String s = sb.toString();
      List<Buffer> raw = new ArrayList<>();
      raw.add(Buffer.buffer("\"x\""));
      JsonObject frame = new JsonObject().put("re", s).put("ok", true).put("data", new JsonObject()
          .put(s, new JsonArray().add(s).add(new JsonObject().put("k", s)))
          .put("raw", RawJson.ofUtf8(raw)).put("after", s));
      assertThat(utf8(frame)).as("round %d", round).isEqualTo(viaText(frame));
    }
    // A surrogate pair at every offset around the generator's buffer boundaries.
    for (int k = 3_980; k < 4_020; k++) {
      for (String s : List.of("a".repeat(k) + "😀b", "\"".repeat(k / 2) + "😀", "é".repeat(k) + "\ud83d", "a".repeat(k) + "\ude00x")) {
        JsonObject frame = new JsonObject().put("s", s).put("raw", RawJson.ofUtf8(List.of(Buffer.buffer("1"))));
        assertThat(utf8(frame)).isEqualTo(viaText(frame));
      }
    }
  }
}
