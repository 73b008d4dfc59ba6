package org.relais.tests.server;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real WebSocket client speaking the Relais envelope, with blocking helpers for tests. */
public final class WsClient implements AutoCloseable {
  private final WebSocket ws;
  private final LinkedBlockingQueue<JsonObject> incoming = new LinkedBlockingQueue<>();
  private final List<JsonObject> held = new ArrayList<>();
  private final CompletableFuture<Short> closed = new CompletableFuture<>();
  private final java.util.Map<String, String> opsById = new java.util.concurrent.ConcurrentHashMap<>();
  private final List<String> leaks = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Frames received and not yet scanned: scanning is done on the test's thread, never on the event loop. */
  private final java.util.Queue<Received> unscanned = new java.util.concurrent.ConcurrentLinkedQueue<>();

  private record Received(JsonObject frame, String text) {
  }
  private int nextId;

  private WsClient(WebSocket ws) {
    this.ws = ws;
    ws.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      unscanned.add(new Received(frame, text));
      incoming.add(frame);
    });
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
  }

  static WsClient connect(Vertx vertx, int port, String origin) {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws");
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    return new WsClient(TestServer.await(client.connect(options)));
  }

  /** Sends {@code {"id", "op", "data"}} and returns the reply to it; pushes that arrive meanwhile are kept. */
  public JsonObject call(String op, JsonObject data) {
    return replyTo(callNoWait(op, data));
  }

  /**
   * Sends {@code {"id", "op", "data"}} without waiting for the reply; returns the id, to read the reply later with
   * {@link #replyTo} (so that several calls can be in flight at once).
   */
  public String callNoWait(String op, JsonObject data) {
    String id = "r" + (++nextId);
    JsonObject frame = new JsonObject().put("id", id).put("op", op);
    if (data != null) {
      frame.put("data", data);
    }
    opsById.put(id, op);
    String text = frame.encode();
    SecretScanner.learnFromRequest(text);
    ws.writeTextMessage(text);
    return id;
  }

  /** Sends raw text and returns the next reply (a frame with "re"). */
  public JsonObject sendRaw(String text) {
    SecretScanner.learnFromRequest(text);
    ws.writeTextMessage(text);
    return nextMatching(f -> f.containsKey("re"), 5_000);
  }

  /** Sends raw text without waiting for anything. */
  public void sendRawNoWait(String text) {
    SecretScanner.learnFromRequest(text);
    ws.writeTextMessage(text);
  }

  /**
   * Every frame received goes through the secret scanner, on the test's thread when it next calls this client (so
   * that a client reading fast is not slowed down); a finding fails the test then, or when it closes the client.
   * Replies are judged by the op they answer, pushes by their event.
   */
  private void scan(JsonObject frame, String text) {
    String source;
    if (frame.containsKey("ev")) {
      source = "ev:" + frame.getValue("ev");
    } else {
      Object re = frame.getValue("re");
      String op = re == null ? null : opsById.remove(String.valueOf(re));
      source = op == null ? "unknown" : "op:" + op;
    }
    List<String> findings = SecretScanner.scan(source, text, frame);
    if (!findings.isEmpty()) {
      leaks.add("secret leaked in " + source + ": " + findings + " in " + SecretScanner.shorten(text));
    }
  }

  /** Forgets the leaks found so far (for the scanner's own test, which provokes one). */
  public void forgetLeaks() {
    assertNoLeakQuietly();
    leaks.clear();
  }

  private void assertNoLeakQuietly() {
    try {
      assertNoLeak();
    } catch (AssertionError e) {
      // reported by the caller
    }
  }

  /** Fails if a frame received so far carried a secret. */
  public void assertNoLeak() {
    Received r;
    while ((r = unscanned.poll()) != null) {
      scan(r.frame(), r.text());
    }
    if (!leaks.isEmpty()) {
      throw new AssertionError(String.join("\n", leaks));
    }
  }

  public void writeFrame(WebSocketFrame frame) {
    ws.writeFrame(frame);
  }

  public void writeBinary(byte[] bytes) {
    ws.writeBinaryMessage(Buffer.buffer(bytes));
  }

  /** The next reply (a frame with "re"), whatever it answers. */
  public JsonObject nextReply() {
    return nextMatching(f -> f.containsKey("re"), 5_000);
  }

  public JsonObject replyTo(Object id) {
    return nextMatching(f -> id.equals(f.getValue("re")), 10_000);
  }

  /** The next logged event (one with an offset) of a channel, whatever its kind. */
  public JsonObject nextMatchingChannelEvent(String channelId, long timeoutMs) {
    return nextMatching(f -> f.containsKey("ev") && f.getJsonObject("data") != null
        && channelId.equals(f.getJsonObject("data").getString("channelId")) && f.getJsonObject("data").containsKey("offset"), timeoutMs);
  }

  /** How many logged events of a channel have arrived and not been taken yet. */
  public int heldChannelEvents(String channelId) {
    incoming.drainTo(held);
    return (int) held.stream().filter(f -> f.containsKey("ev") && f.getJsonObject("data") != null
        && channelId.equals(f.getJsonObject("data").getString("channelId")) && f.getJsonObject("data").containsKey("offset")).count();
  }

  /** The next push of event {@code ev} about channel {@code channelId}. */
  public JsonObject nextPush(String ev, String channelId, long timeoutMs) {
    return nextMatching(f -> ev.equals(f.getString("ev"))
        && channelId.equals(f.getJsonObject("data", new JsonObject()).getString("channelId")), timeoutMs);
  }

  /** The next push of event {@code ev}. */
  public JsonObject nextPush(String ev, long timeoutMs) {
    return nextMatching(f -> ev.equals(f.getString("ev")), timeoutMs);
  }

  /** The next frame that matches; frames that do not match are kept for later calls. */
  public JsonObject nextMatching(java.util.function.Predicate<JsonObject> match, long timeoutMs) {
    assertNoLeak();
    for (Iterator<JsonObject> it = held.iterator(); it.hasNext(); ) {
      JsonObject f = it.next();
      if (match.test(f)) {
        it.remove();
        assertNoLeak();
        return f;
      }
    }
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      long left = deadline - System.currentTimeMillis();
      JsonObject f;
      try {
        f = left <= 0 ? null : incoming.poll(left, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      if (f == null) {
        throw new AssertionError("no matching frame within " + timeoutMs + " ms; closed=" + closed.getNow(null)
            + " held=" + held);
      }
      if (match.test(f)) {
        assertNoLeak();
        return f;
      }
      held.add(f);
    }
  }

  /** How many pushes of event {@code ev} have arrived and not been taken yet (after a round trip, all have). */
  public int heldPushes(String ev) {
    incoming.drainTo(held);
    return (int) held.stream().filter(f -> ev.equals(f.getString("ev"))).count();
  }

  /** How many frames that match have arrived and not been taken yet. */
  public int heldMatching(java.util.function.Predicate<JsonObject> match) {
    incoming.drainTo(held);
    return (int) held.stream().filter(match).count();
  }

  /** Waits for the server to close the socket; the close code. */
  public short awaitClose(long timeoutMs) {
    try {
      return closed.get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("socket not closed within " + timeoutMs + " ms", e);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  public String closeReason() {
    return ws.closeReason();
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      ws.close();
    }
    assertNoLeak();
  }
}
