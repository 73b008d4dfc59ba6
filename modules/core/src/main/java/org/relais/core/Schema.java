package org.relais.core;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The shape an op's {@code data} must have. A schema checks a decoded JSON value and returns it normalised
 * (strings in NFC); a value that does not fit fails with {@link ErrorCode#BAD_REQUEST} naming the field and what is
 * expected. Objects reject unknown fields, so a client cannot smuggle {@code "authorId"} or {@code "isAdmin"} in.
 *
 * <pre>
 * Schema.object()
 *     .required("email", Schema.email())
 *     .optional("roles", Schema.array(Schema.oneOf(Role.wireNames())).maxItems(4))
 * </pre>
 */
public interface Schema {

  /** The largest integer that survives a round trip through a JavaScript number. */
  long MAX_SAFE_INTEGER = 9_007_199_254_740_991L;

  /**
   * Checks {@code value} at {@code path}.
   *
   * @return the value, normalised
   * @throws RelaisException {@code bad_request} when it does not fit
   */
  Object check(String path, Object value);

  /** Checks the {@code data} of a request; {@code null} counts as an empty object. */
  default JsonObject validate(JsonObject data) {
    return (JsonObject) check("data", data == null ? new JsonObject() : data);
  }

  static ObjectSchema object() {
    return new ObjectSchema();
  }

  static StringSchema string() {
    return new StringSchema();
  }

  /** A single-line human name (display name, organisation name): NFC, no control or invisible characters. */
  static StringSchema name(int maxLength) {
    return new StringSchema().minLength(1).maxLength(maxLength).singleLine().trim();
  }

  /**
   * Free text that may span lines (a topic, a message): NFC, no control characters but tab and newline, no lone
   * surrogates.
   */
  static StringSchema text(int maxLength) {
    return new StringSchema().maxLength(maxLength);
  }

  /** An entity id as made by {@link Ids#newId()}. */
  static StringSchema id() {
    return new StringSchema().pattern(Ids.ID, "an id");
  }

  /**
   * An email address: NFC, trimmed, without invisible or bidi formatting characters, so that no two accounts
   * differ only by characters nobody sees.
   */
  static StringSchema email() {
    return new StringSchema().maxLength(254).trim().singleLine()
        .pattern(Pattern.compile("[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+"), "an email address");
  }

  static StringSchema oneOf(String... values) {
    return new StringSchema().oneOf(values);
  }

  static IntegerSchema integer(long min, long max) {
    return new IntegerSchema(min, max);
  }

  static Schema bool() {
    return (path, value) -> {
      if (value instanceof Boolean) {
        return value;
      }
      throw fail(path, "a boolean");
    };
  }

  static ArraySchema array(Schema items) {
    return new ArraySchema(items);
  }

  /**
   * An object used as a map: every key matches {@code keys}, every value {@code values}; at most {@code maxEntries}.
   * Two keys that are the same once normalised are refused, rather than one silently replacing the other.
   */
  static Schema mapOf(StringSchema keys, Schema values, int maxEntries) {
    return (path, value) -> {
      if (!(value instanceof JsonObject json)) {
        throw fail(path, "an object");
      }
      if (json.size() > maxEntries) {
        throw RelaisException.badRequest(path + ": more than " + maxEntries + " entries");
      }
      JsonObject out = new JsonObject();
      for (String key : json.fieldNames()) {
        String k = (String) keys.check(path + " key", key);
        if (out.containsKey(k)) {
          throw RelaisException.badRequest(path + ": two keys are the same once normalised ('" + k + "')");
        }
        out.put(k, values.check(path + "." + k, json.getValue(key)));
      }
      return out;
    };
  }

  static RelaisException fail(String path, String expected) {
    return RelaisException.badRequest(path + ": expected " + expected);
  }

  /** An object with known fields only. */
  final class ObjectSchema implements Schema {
    private final Map<String, Schema> fields = new LinkedHashMap<>();
    private final Set<String> required = new LinkedHashSet<>();

    public ObjectSchema required(String field, Schema schema) {
      fields.put(field, schema);
      required.add(field);
      return this;
    }

    public ObjectSchema optional(String field, Schema schema) {
      fields.put(field, schema);
      return this;
    }

    public Set<String> fieldNames() {
      return fields.keySet();
    }

    @Override
    public Object check(String path, Object value) {
      if (!(value instanceof JsonObject json)) {
        throw fail(path, "an object");
      }
      for (String name : json.fieldNames()) {
        if (!fields.containsKey(name)) {
          throw RelaisException.badRequest(path + ": unknown field '" + truncate(name) + "'");
        }
      }
      for (String name : required) {
        if (json.getValue(name) == null) {
          throw RelaisException.badRequest(path + "." + name + ": required");
        }
      }
      JsonObject out = new JsonObject();
      for (Map.Entry<String, Schema> field : fields.entrySet()) {
        Object v = json.getValue(field.getKey());
        if (v != null) {
          out.put(field.getKey(), field.getValue().check(path + "." + field.getKey(), v));
        }
      }
      return out;
    }

    private static String truncate(String s) {
      return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
  }

  /** A string, normalised to NFC, measured in code points. */
  final class StringSchema implements Schema {
    private int minLength = 0;
    private int maxLength = 10_000;
    private Pattern pattern;
    private String patternDescription;
    private List<String> oneOf;
    private boolean singleLine;
    private boolean trim;

    public StringSchema minLength(int n) {
      this.minLength = n;
      return this;
    }

    public StringSchema maxLength(int n) {
      this.maxLength = n;
      return this;
    }

    public StringSchema pattern(Pattern p, String description) {
      this.pattern = p;
      this.patternDescription = description;
      return this;
    }

    public StringSchema oneOf(String... values) {
      this.oneOf = Arrays.asList(values);
      return this;
    }

    /** Rejects line breaks and invisible formatting characters (bidi overrides, zero-width characters). */
    public StringSchema singleLine() {
      this.singleLine = true;
      return this;
    }

    public StringSchema trim() {
      this.trim = true;
      return this;
    }

    @Override
    public Object check(String path, Object value) {
      if (!(value instanceof String raw)) {
        throw fail(path, oneOf != null ? "one of " + oneOf : "a string");
      }
      if (raw.length() > maxLength * 2 + 16) {
        throw RelaisException.badRequest(path + ": longer than " + maxLength + " characters");
      }
      String s = Normalizer.normalize(raw, Normalizer.Form.NFC);
      if (trim) {
        s = s.strip();
      }
      int length = s.codePointCount(0, s.length());
      if (length < minLength) {
        throw RelaisException.badRequest(path + (minLength == 1 ? ": must not be empty" : ": shorter than " + minLength + " characters"));
      }
      if (length > maxLength) {
        throw RelaisException.badRequest(path + ": longer than " + maxLength + " characters");
      }
      checkCharacters(path, s);
      if (oneOf != null && !oneOf.contains(s)) {
        throw fail(path, "one of " + oneOf);
      }
      if (pattern != null && !pattern.matcher(s).matches()) {
        throw fail(path, patternDescription);
      }
      return s;
    }

    private void checkCharacters(String path, String s) {
      for (int i = 0; i < s.length(); ) {
        int cp = s.codePointAt(i);
        i += Character.charCount(cp);
        int type = Character.getType(cp);
        // A lone surrogate is not a character: it cannot be stored or sent as UTF-8 (it would become '?').
        boolean control = (type == Character.CONTROL && cp != '\n' && cp != '\t') || type == Character.SURROGATE;
        boolean lineBreak = cp == '\n' || cp == '\t' || cp == 0x2028 || cp == 0x2029;
        boolean invisible = type == Character.FORMAT || type == Character.SURROGATE || type == Character.UNASSIGNED
            || type == Character.PRIVATE_USE;
        if (control || (singleLine && (lineBreak || invisible))) {
          throw RelaisException.badRequest(path + ": contains a character that is not allowed (U+"
              + String.format("%04X", cp) + ")");
        }
      }
    }
  }

  /** A whole number within bounds; 1.5, "12" and numbers beyond ±2^53 are rejected. */
  final class IntegerSchema implements Schema {
    private final long min;
    private final long max;

    IntegerSchema(long min, long max) {
      this.min = Math.max(min, -MAX_SAFE_INTEGER);
      this.max = Math.min(max, MAX_SAFE_INTEGER);
    }

    @Override
    public Object check(String path, Object value) {
      if (!(value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte)) {
        throw fail(path, "a whole number from " + min + " to " + max);
      }
      long v = ((Number) value).longValue();
      if (v < min || v > max) {
        throw fail(path, "a whole number from " + min + " to " + max);
      }
      return v;
    }
  }

  /** An array of items of one schema. */
  final class ArraySchema implements Schema {
    private final Schema items;
    private int maxItems = 100;
    private int minItems = 0;
    private boolean unique;

    ArraySchema(Schema items) {
      this.items = items;
    }

    public ArraySchema maxItems(int n) {
      this.maxItems = n;
      return this;
    }

    public ArraySchema minItems(int n) {
      this.minItems = n;
      return this;
    }

    /** Drops repeated items, keeping the first. */
    public ArraySchema unique() {
      this.unique = true;
      return this;
    }

    @Override
    public Object check(String path, Object value) {
      if (!(value instanceof JsonArray array)) {
        throw fail(path, "an array");
      }
      if (array.size() > maxItems) {
        throw RelaisException.badRequest(path + ": more than " + maxItems + " items");
      }
      if (array.size() < minItems) {
        throw RelaisException.badRequest(path + ": fewer than " + minItems + " items");
      }
      List<Object> out = new ArrayList<>(array.size());
      for (int i = 0; i < array.size(); i++) {
        Object item = items.check(path + "[" + i + "]", array.getValue(i));
        if (!unique || !out.contains(item)) {
          out.add(item);
        }
      }
      return new JsonArray(out);
    }
  }
}
