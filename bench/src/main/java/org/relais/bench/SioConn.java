package org.relais.bench;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A Socket.IO client speaking Engine.IO v4 / Socket.IO v5 directly over a WebSocket: "0{open}" → "40{auth}",
 * "2" → "3", events "42[...]", acks "42&lt;id&gt;[...]" / "43&lt;id&gt;[...]".
 */
final class SioConn extends Conn {
  /** Last stream id seen per room (ms * 10^6 + seq), for the order check and for resuming. */
  final Map<String, Long> last = new HashMap<>();
  final Map<String, String> lastId = new HashMap<>();
  private int sendSeq;

  SioConn(Gen gen, int user, int node) {
    super(gen, user, node);
  }

  @Override
  String uri() {
    return "/socket.io/?EIO=4&transport=websocket";
  }

  @Override
  void afterConnect(boolean resume) {
    // wait for the Engine.IO open packet "0{...}"; the auth goes in the namespace connect
    this.resume = resume;
  }

  private boolean resume;

  @Override
  void onFrame(String f) {
    char t = f.charAt(0);
    if (t == '2') {
      ws.writeTextMessage("3");
      return;
    }
    if (t == '0') {
      JsonObject auth = new JsonObject().put("token", gen.token(user));
      if (resume && !lastId.isEmpty()) {
        JsonObject since = new JsonObject();
        lastId.forEach(since::put);
        auth.put("since", since);
      }
      ws.writeTextMessage("40" + auth.encode());
      return;
    }
    if (t != '4' || f.length() < 2) {
      return;
    }
    char s = f.charAt(1);
    if (s == '2') {
      if (f.startsWith("42[\"msg\"")) {
        String room = str(f, "\"room\":\"", 0);
        String id = str(f, "\"id\":\"", 0);
        if (order(room, id)) {
          gen.onMessage(this, str(f, "\"text\":\"", 0));
        }
      } else if (f.startsWith("42[\"presence\"")) {
        gen.onPresence(this, str(f, "\"userId\":\"", 0), "online".equals(str(f, "\"status\":\"", 0)));
      } else if (f.startsWith("42[\"ready\"")) {
        JsonObject rooms = new io.vertx.core.json.JsonArray(f.substring(2)).getJsonObject(1).getJsonObject("rooms");
        for (String r : rooms.fieldNames()) {
          if (!lastId.containsKey(r)) {
            lastId.put(r, rooms.getString(r));
            last.put(r, key(rooms.getString(r)));
          }
        }
        markReady();
      }
    } else if (s == '3') {
      int b = f.indexOf('[');
      Consumer<String> c = pending.remove(f.substring(2, b));
      if (c != null) {
        c.accept(f);
      }
    } else if (s == '4') {
      failReady("connect refused: " + f);
    }
  }

  private static long key(String id) {
    int dash = id.indexOf('-');
    return Long.parseLong(id, 0, dash, 10) * 1_000_000L + Long.parseLong(id, dash + 1, id.length(), 10);
  }

  private boolean order(String room, String id) {
    long k = key(id);
    Long prev = last.get(room);
    if (prev != null && k <= prev) {
      gen.onDuplicate(this);
      return false;
    }
    last.put(room, k);
    lastId.put(room, id);
    return true;
  }

  @Override
  void send(String room, String text, Consumer<String> done) {
    String id = newId();
    pending.put(id, reply -> done.accept(reply.contains("\"ok\":true") ? null : reply));
    ws.writeTextMessage("42" + id + "[\"send\",{\"room\":\"" + room + "\",\"text\":\"" + text + "\",\"cid\":\"b"
        + user + "-" + (++sendSeq) + "\"}]");
  }

  @Override
  void history(String room, Consumer<Integer> done) {
    String id = newId();
    pending.put(id, reply -> {
      if (!reply.contains("\"ok\":true")) {
        done.accept(-1);
        return;
      }
      int n = 0;
      for (int i = reply.indexOf("\"id\":"); i >= 0; i = reply.indexOf("\"id\":", i + 5)) {
        n++;
      }
      done.accept(n);
    });
    ws.writeTextMessage("42" + id + "[\"history\",{\"room\":\"" + room + "\",\"limit\":50}]");
  }
}
