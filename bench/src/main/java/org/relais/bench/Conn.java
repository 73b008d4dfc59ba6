package org.relais.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One client socket of the generator, for one target's protocol. Everything runs on the generator's single event
 * loop, so no field needs a lock. Subclasses parse only what the measurement needs (cheap string scans for the
 * hot frames), check each room's order (the server's own order key), and report to {@link Gen}.
 */
abstract class Conn {
  final Gen gen;
  final int user;
  final int node;
  WebSocket ws;
  boolean ready;
  boolean dropping;
  int nextId = 1;
  final Map<String, Consumer<String>> pending = new HashMap<>();
  private Promise<Void> readyPromise;

  /** BENCH_DEBUG_USER=n prints every frame user n receives (to check a target's protocol by eye). */
  static final int DEBUG_USER = Integer.parseInt(System.getenv().getOrDefault("BENCH_DEBUG_USER", "-1"));

  void debug(String frame) {
    if (user == DEBUG_USER) {
      System.out.println("  [user " + user + "] " + (frame.length() > 300 ? frame.substring(0, 300) + "…" : frame));
    }
  }

  Conn(Gen gen, int user, int node) {
    this.gen = gen;
    this.user = user;
    this.node = node;
  }

  /** Connects, authenticates, follows the user's rooms (resuming after what was seen when resume is true). */
  Future<Void> open(boolean resume) {
    dropping = false;
    ready = false;
    readyPromise = Promise.promise();
    WebSocketClient client = gen.client(user);
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gen.port(node))
        .setURI(uri());
    return client.connect(o).compose(socket -> {
      ws = socket;
      socket.textMessageHandler(DEBUG_USER < 0 ? this::onFrame : f -> {
        debug(f);
        onFrame(f);
      });
      socket.exceptionHandler(e -> { });
      socket.closeHandler(v -> {
        boolean wasReady = ready;
        ready = false;
        failPending("closed");
        if (!readyPromise.future().isComplete()) {
          readyPromise.tryFail("closed before ready: " + socket.closeStatusCode() + " " + socket.closeReason());
        } else if (!dropping && wasReady) {
          gen.onUnexpectedClose(this, socket.closeStatusCode() + " " + socket.closeReason());
        }
      });
      afterConnect(resume);
      return readyPromise.future();
    });
  }

  void markReady() {
    ready = true;
    readyPromise.tryComplete();
  }

  void failReady(String why) {
    readyPromise.tryFail(why);
    if (ws != null) {
      dropping = true;
      ws.close();
    }
  }

  void drop() {
    dropping = true;
    ready = false;
    if (ws != null) {
      ws.close((short) 1001);
    }
  }

  String newId() {
    return Integer.toString(nextId++);
  }

  private void failPending(String why) {
    if (pending.isEmpty()) {
      return;
    }
    Map<String, Consumer<String>> copy = new HashMap<>(pending);
    pending.clear();
    copy.values().forEach(c -> c.accept(why));
  }

  abstract String uri();

  abstract void afterConnect(boolean resume);

  abstract void onFrame(String frame);

  /** Sends a message to the room (wire id); {@code done} gets null when stored, or an error. */
  abstract void send(String room, String text, Consumer<String> done);

  /** Reads the newest page of 50; {@code done} gets the number of messages, or -1. */
  abstract void history(String room, Consumer<Integer> done);

  /** The timestamp embedded by the sender: "nanos:step:sender:k:padding". */
  static long sendNanos(String text) {
    int c = text.indexOf(':');
    return c > 0 ? Long.parseLong(text, 0, c, 10) : -1;
  }

  static int step(String text) {
    int a = text.indexOf(':');
    int b = text.indexOf(':', a + 1);
    return Integer.parseInt(text, a + 1, b, 10);
  }

  /** The value of "key":"..." (a string without escapes) from position from; null if absent. */
  static String str(String s, String key, int from) {
    int i = s.indexOf(key, from);
    if (i < 0) {
      return null;
    }
    int start = i + key.length();
    int end = s.indexOf('"', start);
    return s.substring(start, end);
  }

  static long num(String s, String key, int from) {
    int i = s.indexOf(key, from);
    if (i < 0) {
      return Long.MIN_VALUE;
    }
    int start = i + key.length();
    int end = start;
    while (end < s.length() && (Character.isDigit(s.charAt(end)) || s.charAt(end) == '-')) {
      end++;
    }
    return Long.parseLong(s, start, end, 10);
  }
}
