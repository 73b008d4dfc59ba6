package org.relais.tests.server.faults;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * One simulated person for the fault suite: a real WebSocket client that behaves as a well-written Relais client
 * should (docs/PROTOCOL.md section 20). It says hello with {@code resume} (epoch and the last offset processed per
 * channel), applies {@code resync}, reconnects with jittered backoff after any close (to the next node if the
 * current one refuses), logs in again when its session is gone, and sends messages with clientMsgIds — up to
 * {@link #WINDOW} on their way at once when it has a backlog, one at a time after an error — retrying the same
 * clientMsgId after an error, a timeout or a disconnection until it is acknowledged.
 *
 * <p>It records everything the checker needs: every channel event received (raw text, as the server sent it), every
 * resync, every ack, every close. All its state lives on one Vert.x context; the logs are read by the test thread
 * under the object's lock.
 */
public final class FaultClient {
  /** One thing the client saw, in the order it saw it. */
  public record Rec(Kind kind, String channelId, long offset, String text, String reason, Map<String, Long> start,
                    int connection, long atMs) {
  }

  public enum Kind { START, EVENT, RESYNC }

  /** An acknowledged send: what the server promised is stored. */
  public record Ack(String channelId, long seq, String messageId, String clientMsgId, String sender, boolean duplicate,
                    long atMs) {
  }

  public final String name;
  public final String userId;
  public final Set<String> memberOf;
  private final List<String> sendTo;
  private final Vertx vertx;
  private final Context context;
  private final WebSocketClient wsClient;
  private final WebClient http;
  private final Supplier<JsonObject> loginRequest;
  private final List<Integer> ports;
  private int portIndex;

  // Context-confined state.
  private String token;
  private String refreshToken;
  private WebSocket ws;
  private int connection;
  private String helloId;
  private String epoch;
  private Map<String, Long> helloChannels = Map.of();
  /** The last hello reply gave another epoch: the resync that follows it starts from that reply's offsets. */
  private boolean epochChangedAtHello;
  private final Map<String, Long> offsets = new HashMap<>();
  private boolean ready;
  private boolean stopped;
  private boolean sending;
  private long sendTimer = -1;
  private long sendIntervalMs;
  private int nextMsg;
  private int nextReq;
  private int targetIndex;
  /** clientMsgId → channel, for sends not acknowledged yet (the one in flight included). */
  private final LinkedHashMap<String, String> unacked = new LinkedHashMap<>();
  private final Map<String, String> requestToClientMsgId = new HashMap<>();
  /**
   * Sends on their way (clientMsgId → when sent), at most {@link #WINDOW}: a client with a backlog (after a
   * disconnection) pipelines it instead of paying one round trip per message; each is retried after 3 s.
   */
  private final LinkedHashMap<String, Long> inFlight = new LinkedHashMap<>();
  static final int WINDOW = 8;
  private boolean lastReplyFailed;
  private long backoffMs = 100;
  /** For the lagging report: sends written, replies to sends, the last error, when a frame last came. */
  private int sendWrites;
  private int sendReplies;
  private String lastSendError;
  private long lastFrameAt;
  private long lastTryAt;
  private String lastTry;

  // Logs, read by the checker (guarded by this).
  private final List<Rec> recs = new ArrayList<>();
  private final List<Ack> acks = new ArrayList<>();
  private final List<Integer> closes = new ArrayList<>();
  private final List<String> refused = new ArrayList<>();
  private final List<String> helloErrors = new ArrayList<>();
  private int sendErrors;
  private long lastActivity;

  FaultClient(String name, String userId, String token, String refreshToken, Set<String> memberOf, List<String> sendTo,
              Vertx vertx, WebClient http, Supplier<JsonObject> loginRequest, List<Integer> ports) {
    this.name = name;
    this.userId = userId;
    this.token = token;
    this.refreshToken = refreshToken;
    this.memberOf = memberOf;
    this.sendTo = sendTo;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20)
        .setMaxMessageSize(1 << 20).setReceiveBufferSize(16 * 1024).setConnectTimeout(3_000));
    this.http = http;
    this.loginRequest = loginRequest;
    this.ports = List.copyOf(ports);
  }

  // ---------------------------------------------------------------- control (any thread)

  public void start() {
    context.runOnContext(v -> connect());
  }

  /** Starts sending one message every {@code intervalMs} (jittered) to its channels, round robin. */
  public void startSending(long intervalMs) {
    context.runOnContext(v -> {
      if (sendTo.isEmpty()) {
        return;
      }
      sending = true;
      sendIntervalMs = intervalMs;
      scheduleSend();
    });
  }

  /** No new messages; the unacknowledged ones are still retried until acknowledged. */
  public void stopSending() {
    context.runOnContext(v -> sending = false);
  }

  /** Closes the socket from the client side (as a dropped network would); the client reconnects. */
  public void dropConnection() {
    context.runOnContext(v -> {
      if (ws != null) {
        ws.close((short) 1000, "client drop");
      }
    });
  }

  /** Uses another token from now on (a short-lived one, or after a refresh). */
  public void useToken(String token) {
    context.runOnContext(v -> this.token = token);
  }

  /** Logs this session out over HTTP (the server must close its sockets); completes with the token it had. */
  public Future<String> revokeSession() {
    io.vertx.core.Promise<String> p = io.vertx.core.Promise.promise();
    context.runOnContext(v -> {
      String old = token;
      http.post(ports.get(portIndex % ports.size()), "127.0.0.1", "/api/auth/logout")
          .sendJsonObject(new JsonObject().put("refreshToken", refreshToken))
          .onComplete(ar -> p.complete(old));
    });
    return p.future();
  }

  /** The access token in use. */
  public Future<String> token() {
    io.vertx.core.Promise<String> p = io.vertx.core.Promise.promise();
    context.runOnContext(v -> p.complete(token));
    return p.future();
  }

  public void stop() {
    context.runOnContext(v -> {
      stopped = true;
      sending = false;
      if (ws != null) {
        ws.close();
      }
    });
  }

  // ---------------------------------------------------------------- connection

  private void connect() {
    if (stopped) {
      return;
    }
    int port = ports.get(portIndex % ports.size());
    wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")).onComplete(ar -> {
      if (ar.failed()) {
        portIndex++;
        scheduleReconnect();
        return;
      }
      if (stopped) {
        ar.result().close();
        return;
      }
      opened(ar.result());
    });
  }

  private void opened(WebSocket socket) {
    ws = socket;
    connection++;
    int mine = connection;
    socket.textMessageHandler(text -> onText(mine, text));
    socket.closeHandler(v -> onClosed(socket, socket.closeStatusCode()));
    socket.exceptionHandler(e -> { });
    helloId = "h" + mine;
    JsonObject data = new JsonObject().put("token", token);
    if (epoch != null) {
      data.put("resume", new JsonObject().put("epoch", epoch).put("channels", new JsonObject(new HashMap<>(offsets))));
    }
    socket.writeTextMessage(new JsonObject().put("id", helloId).put("op", "hello").put("data", data).encode());
  }

  private void onClosed(WebSocket socket, Short code) {
    if (ws != socket) {
      return;
    }
    ws = null;
    ready = false;
    inFlight.clear();
    synchronized (this) {
      closes.add(code == null ? -1 : (int) code);
    }
    if (code != null && code == 4010) {
      // Token expired or session revoked: a real client refreshes, and logs in again if that fails.
      renewToken().onComplete(x -> scheduleReconnect());
      return;
    }
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    if (stopped) {
      return;
    }
    long delay = backoffMs / 2 + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
    backoffMs = Math.min(1_000, backoffMs * 2);
    vertx.setTimer(delay, t -> connect());
  }

  private Future<Void> renewToken() {
    Future<JsonObject> refreshed = refreshToken == null ? Future.failedFuture("no refresh token")
        : http.post(ports.get(portIndex % ports.size()), "127.0.0.1", "/api/auth/refresh")
            .sendJsonObject(new JsonObject().put("refreshToken", refreshToken))
            .compose(r -> r.statusCode() == 200 ? Future.succeededFuture(r.bodyAsJsonObject()) : Future.failedFuture("refresh " + r.statusCode()));
    return refreshed.recover(e -> http.post(ports.get(portIndex % ports.size()), "127.0.0.1", "/api/auth/login")
            .sendJsonObject(loginRequest.get())
            .compose(r -> r.statusCode() == 200 ? Future.succeededFuture(r.bodyAsJsonObject()) : Future.failedFuture("login " + r.statusCode())))
        .map(login -> {
          token = login.getString("accessToken");
          refreshToken = login.getString("refreshToken", refreshToken);
          return (Void) null;
        })
        .recover(e -> Future.succeededFuture());
  }

  // ---------------------------------------------------------------- frames

  private void onText(int conn, String text) {
    if (conn != connection) {
      return;
    }
    JsonObject frame = new JsonObject(text);
    lastFrameAt = System.currentTimeMillis();
    synchronized (this) {
      lastActivity = System.currentTimeMillis();
    }
    if (frame.containsKey("re")) {
      onReply(frame);
      return;
    }
    String ev = frame.getString("ev");
    JsonObject data = frame.getJsonObject("data", new JsonObject());
    if ("resync".equals(ev)) {
      onResync(conn, data);
      return;
    }
    String channelId = data.getString("channelId");
    Long offset = data.getLong("offset");
    if (channelId != null && offset != null) {
      record(new Rec(Kind.EVENT, channelId, offset, text, ev, null, conn, System.currentTimeMillis()));
      offsets.put(channelId, offset);
    }
  }

  private void onResync(int conn, JsonObject data) {
    String channelId = data.getString("channelId");
    String reason = data.getString("reason");
    if ("epoch".equals(reason)) {
      epoch = data.getString("epoch");
      offsets.clear();
      // Pushed on an open socket (the database changed under it), the new offsets come with the next hello.
      Map<String, Long> start = epochChangedAtHello ? Map.copyOf(helloChannels) : Map.of();
      epochChangedAtHello = false;
      offsets.putAll(start);
      record(new Rec(Kind.RESYNC, null, -1, data.encode(), reason, start, conn, System.currentTimeMillis()));
      return;
    }
    long offset = data.getLong("offset", -1L);
    record(new Rec(Kind.RESYNC, channelId, offset, data.encode(), reason, null, conn, System.currentTimeMillis()));
    if ("removed".equals(reason)) {
      offsets.remove(channelId);
    } else if (channelId != null && offset >= 0) {
      offsets.put(channelId, offset);
    }
  }

  private void onReply(JsonObject frame) {
    String re = String.valueOf(frame.getValue("re"));
    boolean ok = frame.getBoolean("ok", false);
    if (re.equals(helloId)) {
      if (!ok) {
        String code = frame.getJsonObject("error").getString("code");
        synchronized (this) {
          helloErrors.add(code);
        }
        if ("unauthenticated".equals(code)) {
          WebSocket socket = ws;
          renewToken().onComplete(x -> {
            if (socket != null && ws == socket) {
              socket.close();
            }
          });
        }
        return;
      }
      JsonObject data = frame.getJsonObject("data");
      Map<String, Long> channels = new HashMap<>();
      data.getJsonObject("channels").forEach(e -> channels.put(e.getKey(), ((Number) e.getValue()).longValue()));
      helloChannels = channels;
      String serverEpoch = data.getString("epoch");
      if (epoch == null) {
        epoch = serverEpoch;
        offsets.putAll(channels);
        record(new Rec(Kind.START, null, -1, null, "first hello", Map.copyOf(channels), connection, System.currentTimeMillis()));
      } else if (epoch.equals(serverEpoch)) {
        Map<String, Long> fresh = new HashMap<>();
        channels.forEach((ch, off) -> {
          if (!offsets.containsKey(ch)) {
            fresh.put(ch, off);
            offsets.put(ch, off);
          }
        });
        if (!fresh.isEmpty()) {
          record(new Rec(Kind.START, null, -1, null, "new channels", Map.copyOf(fresh), connection, System.currentTimeMillis()));
        }
      }
      // Another epoch: the resync that follows the reply resets the offsets.
      epochChangedAtHello = !epoch.equals(serverEpoch);
      ready = true;
      backoffMs = 100;
      if (!unacked.isEmpty() || sending) {
        trySend();
      }
      return;
    }
    String clientMsgId = requestToClientMsgId.remove(re);
    if (clientMsgId == null) {
      return;
    }
    sendReplies++;
    inFlight.remove(clientMsgId);
    if (ok) {
      lastReplyFailed = false;
      JsonObject data = frame.getJsonObject("data");
      JsonObject m = data.getJsonObject("message");
      String channelId = unacked.remove(clientMsgId);
      synchronized (this) {
        acks.add(new Ack(m.getString("channelId"), m.getLong("seq"), m.getString("id"), m.getString("clientMsgId"),
            m.getString("authorId"), data.getBoolean("duplicate", false), System.currentTimeMillis()));
      }
      if (channelId == null) {
        // A late reply to a retried send: already acknowledged.
        return;
      }
    } else {
      String code = frame.getJsonObject("error").getString("code");
      lastSendError = code;
      lastReplyFailed = true;
      synchronized (this) {
        sendErrors++;
      }
      if (code.equals("not_found") || code.equals("forbidden") || code.equals("bad_request")) {
        // Refused for good (the database lost the channel): not retried, and not acknowledged.
        String channelId = unacked.remove(clientMsgId);
        if (channelId != null) {
          synchronized (this) {
            refused.add(clientMsgId);
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- sending

  private void scheduleSend() {
    if (sendTimer >= 0) {
      return;
    }
    long jitter = sendIntervalMs / 2 + ThreadLocalRandom.current().nextLong(sendIntervalMs + 1);
    sendTimer = vertx.setTimer(Math.max(1, jitter), t -> {
      sendTimer = -1;
      if (stopped) {
        return;
      }
      if (sending) {
        String channelId = sendTo.get(targetIndex++ % sendTo.size());
        unacked.put(name + "-" + (++nextMsg), channelId);
      }
      trySend();
      if (sending || !unacked.isEmpty()) {
        scheduleSend();
      }
    });
  }

  /**
   * Sends the oldest unacknowledged messages that are not on their way (or were sent 3 s ago without a reply),
   * up to {@link #WINDOW} on their way at once.
   */
  private void trySend() {
    lastTryAt = System.currentTimeMillis();
    if (!ready || ws == null || unacked.isEmpty()) {
      lastTry = "not ready";
      return;
    }
    long now = System.currentTimeMillis();
    lastTry = "window full";
    // After an error (Redis down, say), one retry at a time, as before: the window is for a backlog, not for a storm.
    int budget = (lastReplyFailed ? 1 : WINDOW) - (int) inFlight.values().stream().filter(t -> now - t < 3_000).count();
    for (Map.Entry<String, String> next : unacked.entrySet()) {
      if (budget <= 0) {
        break;
      }
      Long sentAt = inFlight.get(next.getKey());
      if (sentAt != null && now - sentAt < 3_000) {
        continue;
      }
      budget--;
      lastTry = "sent";
      String reqId = "s" + (++nextReq);
      requestToClientMsgId.put(reqId, next.getKey());
      inFlight.put(next.getKey(), now);
      sendWrites++;
      ws.writeTextMessage(new JsonObject().put("id", reqId).put("op", "message.send").put("data", new JsonObject()
          .put("channelId", next.getValue()).put("clientMsgId", next.getKey())
          .put("text", "from " + name + ": " + next.getKey())).encode());
    }
    if (sendTimer < 0) {
      sendIntervalMs = Math.max(sendIntervalMs, 20);
      scheduleSend();
    }
  }

  private synchronized void record(Rec rec) {
    recs.add(rec);
  }

  // ---------------------------------------------------------------- what the checker reads (any thread)

  public synchronized List<Rec> recs() {
    return List.copyOf(recs);
  }

  public synchronized List<Ack> acks() {
    return List.copyOf(acks);
  }

  public synchronized List<Integer> closes() {
    return List.copyOf(closes);
  }

  public synchronized List<String> refused() {
    return List.copyOf(refused);
  }

  public synchronized List<String> helloErrors() {
    return List.copyOf(helloErrors);
  }

  public synchronized int sendErrors() {
    return sendErrors;
  }

  /** A snapshot of the client's view, taken on its context: ready, unacknowledged sends, last offsets, epoch. */
  public Future<View> view() {
    io.vertx.core.Promise<View> p = io.vertx.core.Promise.promise();
    context.runOnContext(v -> p.complete(new View(ready && ws != null, unacked.size(), Map.copyOf(offsets), epoch,
        "conn=" + connection + " inFlight=" + inFlight.size() + " sending=" + sending + " timer=" + sendTimer
            + " sendWrites=" + sendWrites + " sendReplies=" + sendReplies + " lastSendError=" + lastSendError
            + " lastFrameMsAgo=" + (System.currentTimeMillis() - lastFrameAt) + " lastTry=" + lastTry
            + " lastTryMsAgo=" + (System.currentTimeMillis() - lastTryAt) + " requests=" + requestToClientMsgId.size())));
    return p.future();
  }

  public record View(boolean ready, int unacked, Map<String, Long> offsets, String epoch, String debug) {
  }
}
