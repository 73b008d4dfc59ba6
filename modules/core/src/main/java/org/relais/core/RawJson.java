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

  /** The stored text of an array made by {@link #array}, or null for any other list (or one changed since). */
  static String textOf(List<?> list) {
    return list instanceof RawList raw ? raw.text : null;
  }

  private static final class RawList extends AbstractList<Object> {
    private String text;
    private List<Object> values;

    RawList(String text) {
      this.text = text;
    }

    private List<Object> values() {
      if (values == null) {
        values = JsonFrames.parseArray(text).getList();
      }
      return values;
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
      text = null;
      return v.set(index, element);
    }

    @Override
    public void add(int index, Object element) {
      List<Object> v = values();
      text = null;
      v.add(index, element);
    }

    @Override
    public Object remove(int index) {
      List<Object> v = values();
      text = null;
      return v.remove(index);
    }
  }
}
