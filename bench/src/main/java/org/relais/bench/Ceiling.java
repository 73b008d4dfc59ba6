package org.relais.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ceiling: a bare Vert.x WebSocket broadcaster with no application logic (no authentication, no storage, no
 * membership check, no JSON parsing of what it relays). It shows what this machine can do with Vert.x and Netty
 * alone. One event loop (the server is pinned to one CPU), strict thread mode.
 *
 * <pre>
 * connect  /ws?u=USER&amp;r=ROOM1,ROOM2[&amp;p=1]  joins the rooms; "R" when ready; with p=1 (the presence scenario
 *                                          only) {"p":USER,"s":"on"} to its rooms, and "off" when it closes
 * "S|room|cid|text"                        broadcast {"r":room,"o":n,"m":text} to the room, then "A|cid" to the sender
 * "H|room|reqId"                           "{"h":reqId,"m":[the last 50 frames]}" from memory
 * POST /preload?room=R&amp;n=N&amp;text=T         put N frames in the room's memory (for the history scenario)
 * </pre>
 */
public final class Ceiling {
  private static final int KEEP = 200;

  private static final class Room {
    final List<ServerWebSocket> members = new ArrayList<>();
    final ArrayDeque<String> last = new ArrayDeque<>();
    long offset;
  }

  private final Map<String, Room> rooms = new HashMap<>();

  private Room room(String name) {
    return rooms.computeIfAbsent(name, k -> new Room());
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args.length > 0 ? args[0] : "8090");
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    new Ceiling().listen(vertx, port);
  }

  void listen(Vertx vertx, int port) {
    vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true)
            .setStrictThreadMode(true).setMaxWebSocketFrameSize(65536))
        .webSocketHandler(this::onSocket)
        .requestHandler(req -> {
          if (req.path().equals("/preload")) {
            Room r = room(req.getParam("room"));
            int n = Integer.parseInt(req.getParam("n"));
            String text = req.getParam("text");
            for (int i = 0; i < n; i++) {
              r.offset++;
              remember(r, frame(req.getParam("room"), r.offset, text + " " + i));
            }
            req.response().end("ok");
          } else {
            req.response().setStatusCode(404).end();
          }
        })
        .listen()
        .onSuccess(s -> System.out.println("ceiling listening on 127.0.0.1:" + s.actualPort()))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  private static String frame(String room, long offset, String text) {
    return "{\"r\":\"" + room + "\",\"o\":" + offset + ",\"m\":\"" + text + "\"}";
  }

  private static void remember(Room r, String frame) {
    r.last.addLast(frame);
    if (r.last.size() > KEEP) {
      r.last.removeFirst();
    }
  }

  private void onSocket(ServerWebSocket ws) {
    if (!ws.path().equals("/ws")) {
      ws.close((short) 1008);
      return;
    }
    String user = param(ws.query(), "u");
    String roomList = param(ws.query(), "r");
    List<Room> mine = new ArrayList<>();
    List<String> names = new ArrayList<>();
    if (roomList != null && !roomList.isEmpty()) {
      for (String name : roomList.split(",")) {
        Room r = room(name);
        r.members.add(ws);
        mine.add(r);
        names.add(name);
      }
    }
    ws.writeTextMessage("R");
    boolean presence = "1".equals(param(ws.query(), "p"));
    String on = "{\"p\":\"" + user + "\",\"s\":\"on\"}";
    for (Room r : presence ? mine : List.<Room>of()) {
      for (ServerWebSocket m : r.members) {
        if (m != ws) {
          m.writeTextMessage(on);
        }
      }
    }
    ws.textMessageHandler(msg -> {
      char kind = msg.charAt(0);
      int a = msg.indexOf('|', 2);
      String roomName = msg.substring(2, a);
      Room r = rooms.get(roomName);
      if (kind == 'S') {
        int b = msg.indexOf('|', a + 1);
        String cid = msg.substring(a + 1, b);
        if (r != null) {
          r.offset++;
          String f = frame(roomName, r.offset, msg.substring(b + 1));
          remember(r, f);
          for (ServerWebSocket m : r.members) {
            m.writeTextMessage(f);
          }
        }
        ws.writeTextMessage("A|" + cid);
      } else if (kind == 'H') {
        String reqId = msg.substring(a + 1);
        StringBuilder sb = new StringBuilder("{\"h\":\"").append(reqId).append("\",\"m\":[");
        if (r != null) {
          int skip = Math.max(0, r.last.size() - 50);
          int i = 0;
          boolean first = true;
          for (String f : r.last) {
            if (i++ < skip) {
              continue;
            }
            if (!first) {
              sb.append(',');
            }
            first = false;
            sb.append(f);
          }
        }
        ws.writeTextMessage(sb.append("]}").toString());
      }
    });
    ws.closeHandler(v -> {
      String off = "{\"p\":\"" + user + "\",\"s\":\"off\"}";
      for (Room r : mine) {
        r.members.remove(ws);
        if (presence) {
          for (ServerWebSocket m : r.members) {
            m.writeTextMessage(off);
          }
        }
      }
    });
    ws.exceptionHandler(e -> { });
  }

  private static String param(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String kv : query.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0 && kv.substring(0, eq).equals(name)) {
        return kv.substring(eq + 1);
      }
    }
    return null;
  }
}
