package org.relais.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Response;
import org.relais.core.ErrorCode;
import org.relais.core.RelaisException;

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

  /**
   * A script's reply checked: the convention of every Relais script is to refuse with {@code {'err', code, message}},
   * where {@code code} is an error code's wire name; that becomes a failure with the typed error (bad_request for an
   * unknown code). Any other reply is returned as it is.
   */
  public static Future<Response> checked(Response r) {
    if (r != null && r.size() >= 3 && "err".equals(r.get(0).toString())) {
      return Future.failedFuture(new RelaisException(ErrorCode.fromWire(r.get(1).toString(), ErrorCode.BAD_REQUEST),
          r.get(2).toString()));
    }
    return Future.succeededFuture(r);
  }

  /** A bulk reply as a string, or null. */
  public static String str(Response response) {
    return response == null ? null : response.toString();
  }

  public static long num(Response response) {
    return response == null ? 0 : response.toLong();
  }
}
