package org.relais.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.math.BigInteger;

/**
 * Strict decoding of inbound JSON: one object, nesting at most {@value #MAX_DEPTH} deep, no duplicate keys,
 * no NaN or Infinity, integers within ±2^53, nothing after the object. Fails with {@code bad_request} for
 * malformed input and {@code too_large} for input past the limits, never with anything else.
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

  private JsonFrames() {
  }

  /** Decodes one JSON object. */
  public static JsonObject parseObject(String text) {
    try (JsonParser parser = FACTORY.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw RelaisException.badRequest("Expected a JSON object");
      }
      JsonObject result = readObject(parser);
      if (parser.nextToken() != null) {
        throw RelaisException.badRequest("Unexpected content after the JSON object");
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
