package org.relais.bench;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/** A Relais client: hello with the access token (and resume), message.send, message.history, events (PROTOCOL.md). */
final class RelaisConn extends Conn {
  /** Last offset processed per channel (section 20); the order check needs each event to be exactly the next. */
  final Map<String, Long> offsets = new HashMap<>();
  String epoch;
  private int sendSeq;

  RelaisConn(Gen gen, int user, int node) {
    super(gen, user, node);
  }

  @Override
  String uri() {
    return "/ws";
  }

  @Override
  void afterConnect(boolean resume) {
    JsonObject data = new JsonObject().put("token", gen.token(user)).put("client", "relais-bench");
    if (resume && epoch != null) {
      JsonObject ch = new JsonObject();
      offsets.forEach(ch::put);
      data.put("resume", new JsonObject().put("epoch", epoch).put("channels", ch));
    }
    String id = newId();
    pending.put(id, reply -> {
      if (!reply.contains("\"ok\":true")) {
        failReady("hello refused: " + reply);
        return;
      }
      JsonObject d = new JsonObject(reply).getJsonObject("data");
      String newEpoch = d.getString("epoch");
      boolean resumed = resume && newEpoch.equals(epoch);
      epoch = newEpoch;
      JsonObject channels = d.getJsonObject("channels");
      for (String ch : channels.fieldNames()) {
        if (!resumed || !offsets.containsKey(ch)) {
          offsets.put(ch, channels.getLong(ch));
        }
      }
      markReady();
    });
    ws.writeTextMessage(new JsonObject().put("id", id).put("op", "hello").put("data", data).encode());
  }

  @Override
  void onFrame(String f) {
    if (f.startsWith("{\"re\":")) {
      String re = str(f, "\"re\":\"", 0);
      Consumer<String> c = re == null ? null : pending.remove(re);
      if (c != null) {
        c.accept(f);
      }
      return;
    }
    if (f.startsWith("{\"ev\":\"message.new\"")) {
      String channel = str(f, "\"channelId\":\"", 0);
      long offset = num(f, "\"offset\":", 0);
      if (order(channel, offset)) {
        gen.onMessage(this, str(f, "\"text\":\"", 0));
      }
      return;
    }
    String ev = str(f, "{\"ev\":\"", 0);
    if (ev == null) {
      return;
    }
    switch (ev) {
      case "presence.changed" -> gen.onPresence(this, str(f, "\"userId\":\"", 0), "online".equals(str(f, "\"status\":\"", 0)));
      case "resync" -> gen.onResync(this, f);
      default -> {
        String channel = str(f, "\"channelId\":\"", 0);
        long offset = num(f, "\"offset\":", 0);
        if (channel != null && offset != Long.MIN_VALUE) {
          order(channel, offset);
        }
      }
    }
  }

  /** True when the event is the next of its channel; a repeat is dropped, a jump is an order error. */
  private boolean order(String channel, long offset) {
    Long last = offsets.get(channel);
    if (last == null) {
      gen.onOrderError(this, "event of an unknown channel " + channel);
      offsets.put(channel, offset);
      return true;
    }
    if (offset <= last) {
      gen.onDuplicate(this);
      return false;
    }
    if (offset != last + 1) {
      gen.onOrderError(this, "channel " + channel + ": offset " + offset + " after " + last);
    }
    offsets.put(channel, offset);
    return true;
  }

  @Override
  void send(String room, String text, Consumer<String> done) {
    String id = newId();
    // a duplicate reply would mean the harness reused a clientMsgId: no event is pushed for it, so it is an error
    pending.put(id, reply -> done.accept(!reply.contains("\"ok\":true") ? error(reply)
        : reply.contains("\"duplicate\":true") ? "duplicate clientMsgId" : null));
    ws.writeTextMessage("{\"id\":\"" + id + "\",\"op\":\"message.send\",\"data\":{\"channelId\":\"" + room
        + "\",\"text\":\"" + text + "\",\"clientMsgId\":\"b" + gen.runId + "-" + user + "-" + (++sendSeq) + "\"}}");
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
      for (int i = reply.indexOf("\"seq\":"); i >= 0; i = reply.indexOf("\"seq\":", i + 6)) {
        n++;
      }
      done.accept(n);
    });
    ws.writeTextMessage("{\"id\":\"" + id + "\",\"op\":\"message.history\",\"data\":{\"channelId\":\"" + room
        + "\",\"limit\":50}}");
  }

  private static String error(String reply) {
    String code = str(reply, "\"code\":\"", 0);
    return code == null ? reply : code;
  }
}
