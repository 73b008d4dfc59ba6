package org.relais.redis;

import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reading Redis replies into plain Java values, the same under RESP2 and RESP3. */
public final class Responses {
  private Responses() {
  }

  /** A hash reply (HGETALL) as a map; empty when the key does not exist. */
  public static Map<String, String> toMap(Response response) {
    Map<String, String> map = new HashMap<>();
    if (response == null) {
      return map;
    }
    for (String key : response.getKeys()) {
      Response value = response.get(key);
      map.put(key, value == null ? null : value.toString());
    }
    return map;
  }

  /** An array reply as strings; nil items stay null. */
  public static List<String> toList(Response response) {
    List<String> out = new ArrayList<>();
    if (response == null) {
      return out;
    }
    for (Response r : response) {
      out.add(r == null ? null : r.toString());
    }
    return out;
  }

  /** A bulk reply as a string, or null. */
  public static String str(Response response) {
    return response == null ? null : response.toString();
  }

  public static long num(Response response) {
    return response == null ? 0 : response.toLong();
  }
}
