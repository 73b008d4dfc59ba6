package org.relais.core;

import io.vertx.core.json.JsonArray;

import java.util.AbstractList;
import java.util.List;

/**
 * A JSON array whose text is already encoded (for instance a page of history read from Redis as stored JSON), put
 * in a reply as an ordinary {@link JsonArray}. {@link JsonFrames#encode} copies its text into the frame without
 * decoding it; anything else that looks inside it (a test, {@code JsonArray.encode()}, {@code size()}) decodes it
 * once, on first use, and sees the same values as if it had been built element by element. Changing it drops the
 * stored text: the frame is then encoded from the values.
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

  /** The stored text of an array made by {@link #array}, or null for any other list (or one changed since). */
  static String textOf(List<?> list) {
    return list instanceof RawList raw ? raw.text : null;
  }

  /** The stored elements of an array made by {@link #ofElements}, or null for any other list (or one changed since). */
  static List<String> elementsOf(List<?> list) {
    return list instanceof RawList raw ? raw.elements : null;
  }

  /** The length of the stored text of an array made by either factory, 0 for any other list: a size hint. */
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
    return n;
  }

  private static final class RawList extends AbstractList<Object> {
    private String text;
    private List<String> elements;
    private List<Object> values;

    RawList(String text) {
      this(text, null);
    }

    RawList(String text, List<String> elements) {
      this.text = text;
      this.elements = elements;
    }

    private List<Object> values() {
      if (values == null) {
        values = JsonFrames.parseArray(text != null ? text : "[" + String.join(",", elements) + "]").getList();
      }
      return values;
    }

    private void changed() {
      text = null;
      elements = null;
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
