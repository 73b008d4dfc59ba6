package org.relais.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A client of the bare broadcaster ({@link Ceiling}): no auth, rooms in the URL, no resume. */
final class CeilConn extends Conn {
  final Map<String, Long> offsets = new HashMap<>();

  CeilConn(Gen gen, int user, int node) {
    super(gen, user, node);
  }

  @Override
  String uri() {
    List<String> rooms = gen.roomsOf(user);
    return "/ws?u=u" + user + "&r=" + String.join(",", rooms) + (user >= gen.world.presBase ? "&p=1" : "");
  }

  @Override
  void afterConnect(boolean resume) {
    offsets.clear();
  }

  @Override
  void onFrame(String f) {
    char c = f.charAt(0);
    if (c == 'R') {
      markReady();
    } else if (c == 'A') {
      Consumer<String> k = pending.remove(f.substring(2));
      if (k != null) {
        k.accept(f);
      }
    } else if (f.startsWith("{\"r\":\"")) {
      String room = str(f, "{\"r\":\"", 0);
      long o = num(f, "\"o\":", 0);
      Long prev = offsets.get(room);
      if (prev != null && o <= prev) {
        gen.onDuplicate(this);
        return;
      }
      if (prev != null && o != prev + 1) {
        gen.onOrderError(this, "room " + room + ": " + o + " after " + prev);
      }
      offsets.put(room, o);
      gen.onMessage(this, str(f, "\"m\":\"", 0));
    } else if (f.startsWith("{\"p\":\"")) {
      gen.onPresence(this, str(f, "{\"p\":\"", 0), "on".equals(str(f, "\"s\":\"", 0)));
    } else if (f.startsWith("{\"h\":\"")) {
      Consumer<String> k = pending.remove(str(f, "{\"h\":\"", 0));
      if (k != null) {
        k.accept(f);
      }
    }
  }

  @Override
  void send(String room, String text, Consumer<String> done) {
    String id = newId();
    pending.put(id, reply -> done.accept(reply.startsWith("A|") ? null : reply));
    ws.writeTextMessage("S|" + room + "|" + id + "|" + text);
  }

  @Override
  void history(String room, Consumer<Integer> done) {
    String id = newId();
    pending.put(id, reply -> {
      int n = 0;
      for (int i = reply.indexOf("{\"r\":"); i >= 0; i = reply.indexOf("{\"r\":", i + 5)) {
        n++;
      }
      done.accept(n);
    });
    ws.writeTextMessage("H|" + room + "|" + id);
  }
}
