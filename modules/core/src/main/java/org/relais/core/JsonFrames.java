package org.relais.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Strict decoding of inbound JSON: one object, nesting at most {@value #MAX_DEPTH} deep, no duplicate keys,
 * no NaN or Infinity, integers within ±2^53, nothing after the object. Fails with {@code bad_request} for
 * malformed input and {@code too_large} for input past the limits, never with anything else.
 *
 * <p>Also the encoding of outbound frames ({@link #encode}): the same text as {@code JsonObject.encode()}, except
 * that arrays made by {@link RawJson} are copied in as they are, not decoded and encoded again; and
 * {@link #encodeUtf8}, the same text as UTF-8 bytes, written straight into the frame's buffer.
 */
public final class JsonFrames {
  public static final int MAX_DEPTH = 32;
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_DEPTH)
          .maxNumberLength(32)
          .maxStringLength(1 << 20)
          .maxNameLength(1024)
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  /** Writes frames; its defaults are those of Vert.x's own codec. */
  private static final JsonFactory OUT = JsonFactory.builder().build();

  private JsonFrames() {
  }

  /**
   * Encodes an outbound frame (a reply, an HTTP body). Values other than JSON objects, arrays, strings, numbers,
   * booleans and null are encoded by Vert.x's codec, as {@code encode()} does.
   */
  public static String encode(JsonObject frame) {
    StringWriter out = new StringWriter(256 + rawLength(frame.getMap(), 2));
    try (JsonGenerator g = OUT.createGenerator(out)) {
      write(g, frame, null);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a frame", e);
    }
    return out.toString();
  }

  /**
   * Encodes an outbound frame as UTF-8: byte for byte {@code encode(frame).getBytes(UTF_8)} (a lone surrogate
   * becomes {@code ?}, as there), without the string in between. The elements of arrays made by
   * {@link RawJson#ofUtf8} are copied from their buffers into the frame's, never decoded. The buffer is on the Java
   * heap (the garbage collector frees it; releasing it is not needed).
   */
  public static ByteBuf encodeUtf8(JsonObject frame) {
    ByteBuf buf = Unpooled.buffer(256 + rawLength(frame.getMap(), 2));
    Utf8Sink out = new Utf8Sink(buf);
    try (JsonGenerator g = OUT.createGenerator(out)) {
      write(g, frame, out);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a frame", e);
    }
    return buf;
  }

  /** The length of the raw arrays ({@link RawJson}) among the values of map, depth levels down: a size hint. */
  private static int rawLength(Map<String, Object> map, int depth) {
    int n = 0;
    for (Object v : map.values()) {
      if (v instanceof JsonArray a) {
        n += RawJson.rawLength(a.getList());
      } else if (depth > 0 && v instanceof JsonObject o) {
        n += rawLength(o.getMap(), depth - 1);
      }
    }
    return n;
  }

  /** sink: the writer under g when it writes UTF-8 bytes ({@link #encodeUtf8}), null when it writes text. */
  private static void write(JsonGenerator g, Object value, Utf8Sink sink) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof JsonObject o) {
      writeMap(g, o.getMap(), sink);
    } else if (value instanceof JsonArray a) {
      writeList(g, a.getList(), sink);
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      g.writeNumber(((Number) value).longValue());
    } else if (value instanceof Double d) {
      g.writeNumber(d);
    } else if (value instanceof Float f) {
      g.writeNumber(f);
    } else if (value instanceof BigDecimal d) {
      g.writeNumber(d);
    } else if (value instanceof BigInteger i) {
      g.writeNumber(i);
    } else if (value instanceof Map<?, ?> m) {
      writeMap(g, m, sink);
    } else if (value instanceof List<?> l) {
      writeList(g, l, sink);
    } else {
      g.writeRawValue(Json.CODEC.toString(value));
    }
  }

  private static void writeMap(JsonGenerator g, Map<?, ?> map, Utf8Sink sink) throws IOException {
    g.writeStartObject();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      g.writeFieldName(String.valueOf(e.getKey()));
      write(g, e.getValue(), sink);
    }
    g.writeEndObject();
  }

  private static void writeList(JsonGenerator g, List<?> list, Utf8Sink sink) throws IOException {
    String raw = RawJson.textOf(list);
    if (raw != null) {
      g.writeRawValue(raw);
      return;
    }
    List<String> elements = RawJson.elementsOf(list);
    if (elements != null) {
      g.writeStartArray();
      for (String e : elements) {
        g.writeRawValue(e);
      }
      g.writeEndArray();
      return;
    }
    List<Buffer> utf8 = RawJson.utf8Of(list);
    if (utf8 != null) {
      g.writeStartArray();
      for (Buffer e : utf8) {
        if (sink == null) {
          g.writeRawValue(e.toString(StandardCharsets.UTF_8));
        } else {
          // the generator writes the separator (an empty raw value) and hands its text to the sink; the element's
          // bytes follow, straight into the frame's buffer
          g.writeRawValue("");
          g.flush();
          sink.writeUtf8(e);
        }
      }
      g.writeEndArray();
      return;
    }
    g.writeStartArray();
    for (Object v : list) {
      write(g, v, sink);
    }
    g.writeEndArray();
  }

  /**
   * The text of a frame encoded as UTF-8 into a heap buffer as it is written, exactly as
   * {@code String.getBytes(UTF_8)} would encode the whole text (a surrogate pair split between two writes is kept
   * whole; a lone surrogate becomes {@code ?}).
   */
  private static final class Utf8Sink extends Writer {
    private final ByteBuf out;
    /** A high surrogate that ended the last write, waiting for its low half; 0 when none. */
    private char high;

    Utf8Sink(ByteBuf out) {
      this.out = out;
    }

    @Override
    public void write(char[] chars, int off, int len) {
      if (len <= 0) {
        return;
      }
      out.ensureWritable(len * 3 + 4);
      byte[] a = out.array();
      int base = out.arrayOffset();
      int p = base + out.writerIndex();
      int i = off;
      int end = off + len;
      if (high != 0) {
        char c = chars[i];
        if (Character.isLowSurrogate(c)) {
          p = putCodePoint(a, p, Character.toCodePoint(high, c));
          i++;
        } else {
          a[p++] = '?';
        }
        high = 0;
      }
      for (; i < end; i++) {
        char c = chars[i];
        if (c < 0x80) {
          a[p++] = (byte) c;
        } else if (c < 0x800) {
          a[p++] = (byte) (0xC0 | (c >> 6));
          a[p++] = (byte) (0x80 | (c & 0x3F));
        } else if (Character.isHighSurrogate(c)) {
          if (i + 1 == end) {
            high = c;
          } else if (Character.isLowSurrogate(chars[i + 1])) {
            p = putCodePoint(a, p, Character.toCodePoint(c, chars[++i]));
          } else {
            a[p++] = '?';
          }
        } else if (Character.isLowSurrogate(c)) {
          a[p++] = '?';
        } else {
          a[p++] = (byte) (0xE0 | (c >> 12));
          a[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
          a[p++] = (byte) (0x80 | (c & 0x3F));
        }
      }
      out.writerIndex(p - base);
    }

    private static int putCodePoint(byte[] a, int p, int cp) {
      a[p++] = (byte) (0xF0 | (cp >> 18));
      a[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
      a[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
      a[p++] = (byte) (0x80 | (cp & 0x3F));
      return p;
    }

    @Override
    public void write(String s, int off, int len) {
      char[] chars = new char[len];
      s.getChars(off, off + len, chars, 0);
      write(chars, 0, len);
    }

    @Override
    public void write(int c) {
      write(new char[] {(char) c}, 0, 1);
    }

    /** Bytes that are already UTF-8, copied in as they are (after a high surrogate left waiting, which is lone). */
    void writeUtf8(Buffer bytes) {
      lone();
      int n = bytes.length();
      out.ensureWritable(n);
      bytes.getBytes(0, n, out.array(), out.arrayOffset() + out.writerIndex());
      out.writerIndex(out.writerIndex() + n);
    }

    private void lone() {
      if (high != 0) {
        high = 0;
        out.writeByte('?');
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
      lone();
    }
  }

  /** Decodes a JSON array (same rules as {@link #parseObject}). */
  public static JsonArray parseArray(String text) {
    return parse(text, JsonToken.START_ARRAY, "array", JsonFrames::readArray);
  }

  /** Decodes one JSON object. */
  public static JsonObject parseObject(String text) {
    return parse(text, JsonToken.START_OBJECT, "object", JsonFrames::readObject);
  }

  private interface Reader<T> {
    T read(JsonParser parser) throws IOException;
  }

  private static <T> T parse(String text, JsonToken start, String what, Reader<T> reader) {
    try (JsonParser parser = FACTORY.createParser(text)) {
      if (parser.nextToken() != start) {
        throw RelaisException.badRequest("Expected a JSON " + what);
      }
      T result = reader.read(parser);
      if (parser.nextToken() != null) {
        throw RelaisException.badRequest("Unexpected content after the JSON " + what);
      }
      return result;
    } catch (StreamConstraintsException e) {
      throw new RelaisException(ErrorCode.TOO_LARGE, "JSON is nested too deeply or has a value too long");
    } catch (JsonProcessingException e) {
      throw RelaisException.badRequest("Malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw RelaisException.badRequest("Malformed JSON");
    }
  }

  private static JsonObject readObject(JsonParser parser) throws IOException {
    JsonObject object = new JsonObject();
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      parser.nextToken();
      object.put(name, readValue(parser));
    }
    if (token != JsonToken.END_OBJECT) {
      throw RelaisException.badRequest("Malformed JSON");
    }
    return object;
  }

  private static JsonArray readArray(JsonParser parser) throws IOException {
    JsonArray array = new JsonArray();
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (token == null) {
        throw RelaisException.badRequest("Malformed JSON");
      }
      array.add(readValue(parser));
    }
    return array;
  }

  private static Object readValue(JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    if (token == null) {
      throw RelaisException.badRequest("Malformed JSON");
    }
    switch (token) {
      case START_OBJECT:
        return readObject(parser);
      case START_ARRAY:
        return readArray(parser);
      case VALUE_STRING:
        return parser.getText();
      case VALUE_NUMBER_INT:
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          BigInteger big = parser.getBigIntegerValue();
          throw RelaisException.badRequest("Number out of range: " + (big.signum() < 0 ? "-" : "") + "huge");
        }
        long v = parser.getLongValue();
        if (Math.abs(v) > Schema.MAX_SAFE_INTEGER) {
          throw RelaisException.badRequest("Number out of range: integers must be within ±2^53");
        }
        return v;
      case VALUE_NUMBER_FLOAT:
        double d = parser.getDoubleValue();
        if (Double.isInfinite(d) || Double.isNaN(d)) {
          throw RelaisException.badRequest("Number out of range");
        }
        return d;
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw RelaisException.badRequest("Malformed JSON");
    }
  }
}
