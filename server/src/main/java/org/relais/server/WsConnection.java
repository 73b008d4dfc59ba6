package org.relais.server;

import io.vertx.core.Future;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import org.relais.core.CloseCode;
import org.relais.core.ErrorCode;
import org.relais.core.Ids;
import org.relais.core.JsonFrames;
import org.relais.core.Op;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.core.Schema;
import org.relais.identity.AuthService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One client socket: the envelope, the hello handshake, per-connection rate limiting, token expiry and revocation,
 * keep-alive, and pushes. Owned by one gateway instance and only touched on its event loop.
 */
final class WsConnection {
  private static final Logger LOG = LoggerFactory.getLogger(WsConnection.class);
  private static final Pattern LEADING_ID = Pattern.compile("^\\s*\\{\\s*\"id\"\\s*:\\s*(\"[^\"\\\\]{1,64}\"|-?\\d{1,15}(?=\\s*[,}]))");
  private static final Schema HELLO = Schema.object()
      .required("token", Schema.string().minLength(1).maxLength(4096))
      .optional("client", Schema.string().maxLength(200));
  private static final int STRIKES_BEFORE_CLOSE = 50;
  private static final long STRIKE_WINDOW_MS = 10_000;
  private static final long SLOW_GRACE_MS = 10_000;
  private static final int MAX_PUSHES_WHILE_FULL = 1_000;

  private enum State { AWAITING_HELLO, READY, CLOSED }

  final String id = Ids.newId().substring(16);
  private final ServerWebSocket ws;
  private final Gateway gateway;
  private final TokenBucket bucket;
  private State state = State.AWAITING_HELLO;
  private boolean helloInFlight;
  private Principal principal;
  private String token;
  private long helloTimer = -1;
  private long expiryTimer = -1;
  long lastSeen = System.currentTimeMillis();
  long lastPing = System.currentTimeMillis();
  private int strikes;
  private long strikeWindowStart;
  private long fullSince;
  private int pushesWhileFull;

  WsConnection(ServerWebSocket ws, Gateway gateway) {
    this.ws = ws;
    this.gateway = gateway;
    this.bucket = new TokenBucket(gateway.settings().wsRateBurst(), gateway.settings().wsRatePerSecond());
  }

  void start() {
    helloTimer = gateway.vertx().setTimer(gateway.settings().wsHelloTimeoutMs(),
        t -> close(CloseCode.NOT_AUTHENTICATED, "hello timeout"));
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> {
      touch();
      if (!bucket.tryTake(1)) {
        rateLimited(null, 1);
        return;
      }
      replyError(null, RelaisException.badRequest("Binary frames are not supported; send JSON text"));
    });
    ws.pongHandler(b -> touch());
    ws.exceptionHandler(this::onSocketError);
    ws.closeHandler(v -> onClosed());
  }

  /**
   * A frame or message past the hard limit: Netty refuses the frame, Vert.x refuses the message. Either way the
   * socket is closed with 1009 (Vert.x alone would drop the TCP connection without a close frame).
   */
  private void onSocketError(Throwable e) {
    boolean tooBig = (e instanceof CorruptedWebSocketFrameException c && c.closeStatus() != null
        && c.closeStatus().code() == CloseCode.TOO_BIG)
        || (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("max message size"));
    if (tooBig) {
      close(CloseCode.TOO_BIG, "message too big");
    } else {
      LOG.debug("socket error conn={}: {}", id, e.toString());
    }
  }

  Principal principal() {
    return principal;
  }

  boolean isReady() {
    return state == State.READY;
  }

  private void touch() {
    lastSeen = System.currentTimeMillis();
  }

  private void onText(String text) {
    touch();
    if (state == State.CLOSED) {
      return;
    }
    if (!bucket.tryTake(1)) {
      rateLimited(guessId(text), 1);
      return;
    }
    int max = gateway.settings().wsMaxRequestBytes();
    if (text.length() > max || (text.length() * 3 > max && text.getBytes(StandardCharsets.UTF_8).length > max)) {
      replyError(guessId(text), new RelaisException(ErrorCode.TOO_LARGE, "Request larger than " + max + " bytes"));
      return;
    }
    Object reqId = guessId(text);
    try {
      JsonObject frame = JsonFrames.parseObject(text);
      reqId = requestId(frame);
      String op = requestOp(frame);
      Object rawData = frame.getValue("data");
      if (rawData != null && !(rawData instanceof JsonObject)) {
        throw RelaisException.badRequest("data: expected an object");
      }
      JsonObject data = (JsonObject) rawData;
      if (op.equals("hello")) {
        hello(reqId, data);
        return;
      }
      if (state != State.READY) {
        throw RelaisException.unauthenticated("Send hello with a token first");
      }
      if (op.equals("ping")) {
        reply(reqId, new JsonObject().put("serverTime", java.time.Instant.now().toString()));
        return;
      }
      Op handler = gateway.dispatcher().find(op);
      if (handler.cost() > 1 && !bucket.tryTake(handler.cost() - 1)) {
        rateLimited(reqId, handler.cost());
        return;
      }
      Object re = reqId;
      gateway.dispatcher().dispatch(id, principal, handler, data).onComplete(ar -> {
        if (ar.succeeded()) {
          reply(re, ar.result());
        } else {
          replyError(re, ar.cause());
        }
      });
    } catch (RuntimeException e) {
      replyError(reqId, e);
    }
  }

  private static Object requestId(JsonObject frame) {
    Object id = frame.getValue("id");
    for (String field : frame.fieldNames()) {
      if (!field.equals("id") && !field.equals("op") && !field.equals("data")) {
        throw RelaisException.badRequest("unknown field '" + Dispatcher.truncate(field) + "' in the envelope");
      }
    }
    if (id instanceof String s && !s.isEmpty() && s.length() <= 64) {
      return s;
    }
    if (id instanceof Long) {
      return id;
    }
    throw RelaisException.badRequest("id: expected a string of 1 to 64 characters");
  }

  private static String requestOp(JsonObject frame) {
    Object op = frame.getValue("op");
    if (!(op instanceof String s) || s.isEmpty() || s.length() > 64) {
      throw RelaisException.badRequest("op: expected the name of an op");
    }
    return s;
  }

  /** The request id, read from the start of a frame that could not be decoded, so the error can still answer it. */
  private static Object guessId(String text) {
    Matcher m = LEADING_ID.matcher(text.length() > 200 ? text.substring(0, 200) : text);
    if (!m.find()) {
      return null;
    }
    String raw = m.group(1);
    return raw.startsWith("\"") ? raw.substring(1, raw.length() - 1) : Long.parseLong(raw);
  }

  private void hello(Object reqId, JsonObject data) {
    JsonObject hello = HELLO.validate(data);
    if (helloInFlight) {
      throw RelaisException.badRequest("A hello is already being checked");
    }
    helloInFlight = true;
    gateway.auth().authenticateWithExpiry(hello.getString("token"))
        .compose(a -> gateway.identity().me(a.principal()).map(me -> new Object[] {a, me}))
        .onComplete(ar -> {
          helloInFlight = false;
          if (state == State.CLOSED) {
            return;
          }
          if (ar.failed()) {
            replyError(reqId, ar.cause());
            if (state == State.AWAITING_HELLO) {
              close(CloseCode.NOT_AUTHENTICATED, RelaisException.from(ar.cause()).getMessage());
            }
            return;
          }
          AuthService.Authenticated a = (AuthService.Authenticated) ar.result()[0];
          JsonObject me = (JsonObject) ar.result()[1];
          if (state == State.READY && !a.principal().userId().equals(principal.userId())) {
            replyError(reqId, RelaisException.forbidden("This socket belongs to another user"));
            return;
          }
          boolean first = state == State.AWAITING_HELLO;
          principal = a.principal();
          token = hello.getString("token");
          state = State.READY;
          gateway.vertx().cancelTimer(helloTimer);
          scheduleExpiry(a.expiresAt());
          if (first) {
            gateway.register(this);
            LOG.debug("hello conn={} user={}", id, principal.userId());
          }
          reply(reqId, me
              .put("connectionId", id)
              .put("sessionId", principal.sessionId())
              .put("expiresAt", java.time.Instant.ofEpochSecond(a.expiresAt()).toString())
              .put("heartbeatSeconds", gateway.settings().wsPingIntervalSeconds())
              .put("serverTime", java.time.Instant.now().toString()));
        });
  }

  private void scheduleExpiry(long expiresAtSeconds) {
    if (expiryTimer >= 0) {
      gateway.vertx().cancelTimer(expiryTimer);
    }
    long delay = Math.max(1, expiresAtSeconds * 1000 - System.currentTimeMillis());
    expiryTimer = gateway.vertx().setTimer(delay, t -> close(CloseCode.TOKEN_EXPIRED, "token expired"));
  }

  /**
   * Re-checks the token and the user (after a change to the user, or a lost bus connection): refreshes the
   * principal, or closes with 4010 if the session or the account is no longer valid.
   */
  void revalidate() {
    if (state != State.READY) {
      return;
    }
    gateway.auth().authenticateWithExpiry(token).onComplete(ar -> {
      if (state != State.READY) {
        return;
      }
      if (ar.succeeded()) {
        principal = ar.result().principal();
      } else if (RelaisException.from(ar.cause()).code() == ErrorCode.UNAUTHENTICATED) {
        close(CloseCode.TOKEN_EXPIRED, "session revoked");
      }
    });
  }

  /** Pushes an event. A socket that cannot keep up for {@value #SLOW_GRACE_MS} ms is closed with 4009. */
  void push(String ev, JsonObject data) {
    if (state != State.READY) {
      return;
    }
    if (ws.writeQueueFull()) {
      long now = System.currentTimeMillis();
      if (fullSince == 0) {
        fullSince = now;
        ws.drainHandler(v -> {
          fullSince = 0;
          pushesWhileFull = 0;
        });
      }
      if (now - fullSince > SLOW_GRACE_MS || ++pushesWhileFull > MAX_PUSHES_WHILE_FULL) {
        close(CloseCode.TOO_SLOW, "too slow; reconnect and resume");
        return;
      }
    }
    write(new JsonObject().put("ev", ev).put("data", data));
  }

  void ping() {
    lastPing = System.currentTimeMillis();
    ws.writePing(Buffer.buffer());
  }

  private void rateLimited(Object reqId, int cost) {
    long now = System.currentTimeMillis();
    if (now - strikeWindowStart > STRIKE_WINDOW_MS) {
      strikeWindowStart = now;
      strikes = 0;
    }
    if (++strikes > STRIKES_BEFORE_CLOSE) {
      close(CloseCode.POLICY, "rate limit abuse");
      return;
    }
    replyError(reqId, RelaisException.rateLimited("Too many requests on this connection", bucket.millisUntil(cost)));
  }

  private void reply(Object reqId, JsonObject data) {
    write(new JsonObject().put("re", reqId).put("ok", true).put("data", data));
  }

  private void replyError(Object reqId, Throwable failure) {
    RelaisException error = RelaisException.from(failure);
    if (error.code() == ErrorCode.INTERNAL && !(failure instanceof RelaisException)) {
      LOG.error("request failed conn={} user={}", id, principal == null ? null : principal.userId(), failure);
    }
    write(new JsonObject().put("re", reqId).put("ok", false).put("error", error.toJson()));
  }

  private void write(JsonObject frame) {
    if (state != State.CLOSED && !ws.isClosed()) {
      ws.writeTextMessage(frame.encode());
    }
  }

  Future<Void> close(short code, String reason) {
    if (state == State.CLOSED) {
      return Future.succeededFuture();
    }
    state = State.CLOSED;
    gateway.metrics().closed(code);
    LOG.debug("closing conn={} user={} code={} reason={}", id, principal == null ? null : principal.userId(), code, reason);
    String safeReason = reason.length() > 120 ? reason.substring(0, 120) : reason;
    return ws.close(code, safeReason).recover(e -> Future.succeededFuture());
  }

  private void onClosed() {
    state = State.CLOSED;
    gateway.vertx().cancelTimer(helloTimer);
    if (expiryTimer >= 0) {
      gateway.vertx().cancelTimer(expiryTimer);
    }
    gateway.unregister(this);
  }
}
