package org.relais.core;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;

import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.List;

/**
 * A JSON array whose text is already encoded (for instance a page of history read from Redis as stored JSON), put
 * in a reply as an ordinary {@link JsonArray}. {@link JsonFrames#encode} copies its text into the frame without
 * decoding it; anything else that looks inside it (a test, {@code JsonArray.encode()}, {@code size()}) decodes it
 * once, on first use, and sees the same values as if it had been built element by element. Changing it drops the
 * stored text: the frame is then encoded from the values.
 *
 * <p>The elements may also be held as UTF-8 bytes ({@link #ofUtf8}, a history page as Redis sent it):
 * {@link JsonFrames#encodeUtf8} copies those bytes into the outgoing frame's buffer as they are, never making
 * strings of them.
 */
public final class RawJson {
  private RawJson() {
  }

  /**
   * An array holding {@code json}, which must be the text of a JSON array from a trusted source (it is spliced
   * into frames as it is).
   */
  public static JsonArray array(String json) {
    return new JsonArray(new RawList(json));
  }

  /**
   * An array of these elements, each the text of one JSON value from a trusted source (spliced into frames as it
   * is, with commas between them: nothing is joined beforehand).
   */
  public static JsonArray ofElements(List<String> elements) {
    return new JsonArray(new RawList(null, elements));
  }

  /**
   * An array of these elements, each the UTF-8 text of one JSON value from a trusted source (copied into frames
   * byte for byte by {@link JsonFrames#encodeUtf8}, with commas between them; decoded to text only by
   * {@link JsonFrames#encode} or by looking inside the array).
   */
  public static JsonArray ofUtf8(List<Buffer> elements) {
    return new JsonArray(new RawList(null, null, elements));
  }

  /** The stored text of an array made by {@link #array}, or null for any other list (or one changed since). */
  static String textOf(List<?> list) {
    return list instanceof RawList raw ? raw.text : null;
  }

  /** The stored elements of an array made by {@link #ofElements}, or null for any other list (or one changed since). */
  static List<String> elementsOf(List<?> list) {
    return list instanceof RawList raw ? raw.elements : null;
  }

  /** The stored elements of an array made by {@link #ofUtf8}, or null for any other list (or one changed since). */
  static List<Buffer> utf8Of(List<?> list) {
    return list instanceof RawList raw ? raw.utf8 : null;
  }

  /** The length of the stored text of an array made by any factory, 0 for any other list: a size hint. */
  static int rawLength(List<?> list) {
    if (!(list instanceof RawList raw)) {
      return 0;
    }
    if (raw.text != null) {
      return raw.text.length();
    }
    int n = 2;
    if (raw.elements != null) {
      for (String e : raw.elements) {
        n += e.length() + 1;
      }
    }
    if (raw.utf8 != null) {
      for (Buffer e : raw.utf8) {
        n += e.length() + 1;
      }
    }
    return n;
  }

  private static final class RawList extends AbstractList<Object> {
    private String text;
    private List<String> elements;
    private List<Buffer> utf8;
    private List<Object> values;

    RawList(String text) {
      this(text, null, null);
    }

    RawList(String text, List<String> elements) {
      this(text, elements, null);
    }

    RawList(String text, List<String> elements, List<Buffer> utf8) {
      this.text = text;
      this.elements = elements;
      this.utf8 = utf8;
    }

    private List<Object> values() {
      if (values == null) {
        values = JsonFrames.parseArray(text != null ? text : "[" + String.join(",", elementTexts()) + "]").getList();
      }
      return values;
    }

    private List<String> elementTexts() {
      return elements != null ? elements : utf8.stream().map(b -> b.toString(StandardCharsets.UTF_8)).toList();
    }

    private void changed() {
      text = null;
      elements = null;
      utf8 = null;
    }

    @Override
    public Object get(int index) {
      return values().get(index);
    }

    @Override
    public int size() {
      return values().size();
    }

    @Override
    public Object set(int index, Object element) {
      List<Object> v = values();
      changed();
      return v.set(index, element);
    }

    @Override
    public void add(int index, Object element) {
      List<Object> v = values();
      changed();
      v.add(index, element);
    }

    @Override
    public Object remove(int index) {
      List<Object> v = values();
      changed();
      return v.remove(index);
    }
  }
}
