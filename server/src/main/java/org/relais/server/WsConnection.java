package org.relais.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.http.WebSocketInternal;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
      .optional("client", Schema.string().maxLength(200))
      .optional("resume", Schema.object()
          .required("epoch", Schema.string().maxLength(64))
          .optional("channels", Schema.mapOf(Schema.id(), Schema.integer(0, Schema.MAX_SAFE_INTEGER), 5_000)));
  private static final int STRIKES_BEFORE_CLOSE = 50;
  private static final long STRIKE_WINDOW_MS = 10_000;
  private static final int CATCH_UP_BATCH = 200;
  private static final int MAX_HELD_WHILE_CATCHING_UP = 5_000;
  private static final long MAX_CATCH_UP_WAIT_MS = 30_000;

  private enum State { AWAITING_HELLO, READY, CLOSED }

  final String id = Ids.newId().substring(16);
  private final ServerWebSocket ws;
  private final Gateway gateway;
  private final TokenBucket bucket;
  private State state = State.AWAITING_HELLO;
  private boolean helloInFlight;
  private Principal principal;
  /**
   * How to check the socket's token again (revocation, expiry, key retirement): what the node's verification of it
   * found, kept instead of the token itself (see docs/MEMORY.md); the token only when that is not available.
   */
  private AuthService.Recheck recheck;
  private String token;
  private long helloTimer = -1;
  /** When the token of the last hello expires (epoch ms): the gateway's one-second sweep closes the socket then. */
  private long expiresAtMs = Long.MAX_VALUE;
  /** Vert.x's handler in the socket's pipeline: live events are written from there (see {@link #send}). */
  private final ChannelHandlerContext ctx;
  long lastSeen = System.currentTimeMillis();
  long lastPing = System.currentTimeMillis();
  private int strikes;
  private long strikeWindowStart;
  private final Map<String, Follow> follows = new HashMap<>();
  private long fullSince;
  private long lastActive;
  private static final long STUCK_AFTER_MS = 10_000;
  /** How long a closed socket may take to finish its close handshake before its TCP connection is dropped. */
  static final long CLOSE_GRACE_MS = 3_000;
  private long abortTimer = -1;

  /**
   * Where this socket stands in one channel: the last offset it was sent, and while it catches up from the log,
   * the live events held back until it is level.
   */
  private static final class Follow {
    long last = -1;
    boolean catchingUp;
    /**
     * The user's own member.left was just sent, or a trimmed gap may have hidden one: nothing more until membership
     * is checked again.
     */
    boolean checking;
    /** A new reason to check came while a check was being asked: its answer may predate it, so ask once more. */
    boolean checkAgain;
    /** A trimmed gap is among the reasons: if not a member, the client never saw its member.left and is told. */
    boolean removalUnseen;
    /** The offset catching up aims at. */
    long target;
    /** Made when first needed and dropped when emptied: most follows never hold anything (see docs/MEMORY.md). */
    private TreeMap<Long, SharedFrame> held;

    TreeMap<Long, SharedFrame> held() {
      if (held == null) {
        held = new TreeMap<>();
      }
      return held;
    }

    int heldCount() {
      return held == null ? 0 : held.size();
    }

    /** The first held event, removed; null when none is held. */
    Map.Entry<Long, SharedFrame> pollHeld() {
      if (held == null) {
        return null;
      }
      Map.Entry<Long, SharedFrame> first = held.pollFirstEntry();
      if (held.isEmpty()) {
        held = null;
      }
      return first;
    }
  }

  /** The client's address (a trusted proxy's X-Forwarded-For resolved): its budgets and audit entries use it. */
  final String peer;
  private boolean preHello = true;
  /** The text message being received, frame by frame; null between messages. */
  private Buffer text;

  /** Counted once: this socket no longer waits for its hello (it said it, or it closed). */
  private void leavePreHello() {
    if (preHello) {
      preHello = false;
      gateway.helloDone(this);
    }
  }

  WsConnection(ServerWebSocket ws, Gateway gateway, String peer) {
    this.ws = ws;
    this.gateway = gateway;
    this.peer = peer;
    this.bucket = new TokenBucket(gateway.settings().wsRateBurst(), gateway.settings().wsRatePerSecond());
    // The direct write below Vert.x (send) relies on Vert.x's writability flag being in step with the channel's,
    // which holds when Netty fires writability changes as the write happens (plain TCP); behind TLS the SslHandler
    // may fire them later, so TLS sockets keep Vert.x's own write path.
    ChannelHandlerContext c = ws instanceof WebSocketInternal internal ? internal.channelHandlerContext() : null;
    this.ctx = c != null && c.pipeline().get(SslHandler.class) == null ? c : null;
  }

  void start() {
    helloTimer = gateway.vertx().setTimer(gateway.settings().wsHelloTimeoutMs(),
        t -> close(CloseCode.NOT_AUTHENTICATED, "hello timeout"));
    // Text messages are put together here rather than by Vert.x, which would decode invalid UTF-8 into U+FFFD
    // instead of refusing it. Vert.x still counts every message against the hard size limit (1009).
    ws.frameHandler(this::onFrame);
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
   * Collects the frames of a text message and decodes it strictly: a message that is not valid UTF-8 closes the
   * socket with 1007, as RFC 6455 requires (section 8.1), rather than reaching an op with U+FFFD in place of bytes.
   */
  private void onFrame(io.vertx.core.http.WebSocketFrame frame) {
    if (frame.isText()) {
      text = frame.binaryData().copy();
    } else if (frame.isContinuation() && text != null) {
      text.appendBuffer(frame.binaryData());
    } else {
      if (frame.isBinary()) {
        text = null;
      }
      return;
    }
    if (text.length() > gateway.settings().wsMaxFrameBytes()) {
      text = null;
      return;
    }
    if (!frame.isFinal()) {
      return;
    }
    byte[] bytes = text.getBytes();
    text = null;
    String decoded;
    try {
      decoded = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      touch();
      close(CloseCode.INVALID_PAYLOAD, "invalid UTF-8");
      return;
    }
    onText(decoded);
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
    Object reqId = null;
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
      long now = System.currentTimeMillis();
      if (now - lastActive > 60_000) {
        lastActive = now;
        gateway.presence().active(principal.userId());
      }
      gateway.dispatcher().dispatch(id, principal, handler, data).onComplete(ar -> {
        if (ar.succeeded()) {
          reply(re, ar.result());
        } else {
          replyError(re, ar.cause());
        }
      });
    } catch (RuntimeException e) {
      // a frame that could not be decoded (or whose id is bad) is answered with the id read from its start
      replyError(reqId != null ? reqId : guessId(text), e);
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

  /**
   * The first hello waits for the node's handshake admission ({@link HelloAdmission}); it was said in time, so the
   * 4001 deadline no longer applies to it: a hello that cannot be checked (refused by the admission, Redis not
   * answering, a check slower than {@code wsHelloTimeoutMs}) is answered with {@code unavailable} and
   * {@code retryAfterMs} and the socket closed with 1013, so that the client reconnects later rather than taking it
   * for a bad token.
   */
  private void hello(Object reqId, JsonObject data) {
    JsonObject hello = HELLO.validate(data);
    if (helloInFlight) {
      throw RelaisException.badRequest("A hello is already being checked");
    }
    helloInFlight = true;
    boolean firstHello = state == State.AWAITING_HELLO;
    boolean[] admitted = new boolean[1];
    long[] checkStarted = new long[1];
    Future<Void> admission = Future.succeededFuture();
    if (firstHello) {
      gateway.vertx().cancelTimer(helloTimer);
      // It has said hello: from now on the admission bounds it (helloQueue, wsHelloTimeoutMs), not its address's
      // budget of silent sockets, which would otherwise refuse the upgrades of a storm while the queue has room.
      leavePreHello();
      admission = gateway.helloAdmission().acquire(peer);
    }
    admission
        .compose(v -> {
          admitted[0] = firstHello;
          if (state == State.CLOSED) {
            return Future.failedFuture(RelaisException.unavailable("Socket closed"));
          }
          if (firstHello) {
            helloTimer = gateway.vertx().setTimer(gateway.settings().wsHelloTimeoutMs(), t -> helloFailed(reqId,
                RelaisException.unavailable("The server is too busy to set up the connection; retry after retryAfterMs")));
          }
          checkStarted[0] = System.nanoTime();
          return checkHello(hello);
        })
        .onComplete(ar -> {
          if (admitted[0]) {
            gateway.helloAdmission().release(peer);
          }
          helloInFlight = false;
          if (state == State.CLOSED) {
            return;
          }
          if (ar.failed()) {
            helloFailed(reqId, ar.cause());
            return;
          }
          AuthService.Authenticated a = (AuthService.Authenticated) ar.result()[0];
          JsonObject me = (JsonObject) ar.result()[1];
          if (state == State.READY && !a.principal().userId().equals(principal.userId())) {
            replyError(reqId, RelaisException.forbidden("This socket belongs to another user"));
            return;
          }
          boolean first = state == State.AWAITING_HELLO;
          principal = a.principal().withAddress(peer);
          recheck = a.recheck();
          token = recheck == null ? hello.getString("token") : null;
          state = State.READY;
          gateway.vertx().cancelTimer(helloTimer);
          scheduleExpiry(a.expiresAt());
          if (first) {
            gateway.register(this);
            // A revocation or change this instance heard of between the start of the check above and the
            // registration would have been missed: then the check is made again (later news finds the socket).
            if (gateway.changedSince(principal.userId(), checkStarted[0])) {
              revalidate();
            }
            LOG.debug("hello conn={} user={}", id, principal.userId());
          }
          reply(reqId, me
              .put("connectionId", id)
              .put("sessionId", principal.sessionId())
              .put("expiresAt", java.time.Instant.ofEpochSecond(a.expiresAt()).toString())
              .put("heartbeatSeconds", gateway.settings().wsPingIntervalSeconds())
              .put("serverTime", java.time.Instant.now().toString()));
          if (first) {
            gateway.startFollowing(this, me.getString("epoch"), me.getJsonObject("channels"), hello.getJsonObject("resume"));
          }
        });
  }

  /**
   * The token, the session and the user, then what the reply carries: {authenticated, me}. The three reads of the
   * reply (the user and org, the epoch, the channels' offsets) are independent: they are sent together, so that a
   * hello waits for one round of Redis replies after the check rather than for three in a row.
   */
  private Future<Object[]> checkHello(JsonObject hello) {
    return gateway.auth().authenticateWithExpiry(hello.getString("token")).compose(a -> {
      Future<JsonObject> me = gateway.identity().me(a.principal());
      Future<String> epoch = gateway.messaging().epoch();
      Future<Map<String, Long>> offsets = gateway.messaging().channelOffsetsOf(a.principal());
      return Future.all(me, epoch, offsets).map(all -> new Object[] {a, me.result()
          .put("epoch", epoch.result())
          .put("channels", new JsonObject(new HashMap<>(offsets.result())))});
    });
  }

  /**
   * A hello that failed. On a socket still waiting for its first hello: {@code unavailable} (the server's trouble)
   * closes with 1013 after a reply carrying {@code retryAfterMs}; anything else (a bad token) closes with 4001.
   * On a ready socket the reply is all, and the socket stays as it was.
   */
  private void helloFailed(Object reqId, Throwable failure) {
    if (state == State.CLOSED) {
      return;
    }
    RelaisException error = RelaisException.from(failure);
    if (error.code() == ErrorCode.UNAVAILABLE) {
      if (error.details() == null || !error.details().containsKey("retryAfterMs")) {
        error = new RelaisException(ErrorCode.UNAVAILABLE, error.getMessage(),
            HelloAdmission.busy().details());
      }
      replyError(reqId, error);
      if (state == State.AWAITING_HELLO) {
        close(CloseCode.TRY_AGAIN_LATER, error.getMessage());
      }
      return;
    }
    replyError(reqId, failure);
    if (state == State.AWAITING_HELLO) {
      close(CloseCode.NOT_AUTHENTICATED, error.getMessage());
    }
  }

  /** The socket is closed with 4010 by the gateway's sweep (every second) once the token has expired. */
  private void scheduleExpiry(long expiresAtSeconds) {
    expiresAtMs = expiresAtSeconds * 1000;
  }

  /** True when the token of the last hello has expired. */
  boolean expired(long now) {
    return state == State.READY && now >= expiresAtMs;
  }

  /**
   * Re-checks the token and the user (after a change to the user, or a lost bus connection): refreshes the
   * principal, or closes with 4010 if the session or the account is no longer valid.
   */
  void revalidate() {
    if (state != State.READY) {
      return;
    }
    Future<AuthService.Authenticated> check = recheck != null
        ? gateway.auth().reauthenticate(recheck)
        : gateway.auth().authenticateWithExpiry(token);
    check.onComplete(ar -> {
      if (state != State.READY) {
        return;
      }
      if (ar.succeeded()) {
        principal = ar.result().principal().withAddress(peer);
      } else if (RelaisException.from(ar.cause()).code() == ErrorCode.UNAUTHENTICATED) {
        close(CloseCode.TOKEN_EXPIRED, "session revoked");
      }
    });
  }

  /**
   * Pushes an event. A socket whose outbound queue is past its bound is not written to any more: it is closed
   * with 4009, and resumes from what it last saw when it reconnects.
   */
  void push(String ev, JsonObject data) {
    push(new SharedFrame(new JsonObject().put("ev", ev).put("data", data).encode()));
  }

  /** Pushes an event encoded once for all the sockets it goes to (see {@link SharedFrame}). */
  void push(SharedFrame frame) {
    if (!gateway.onLoop()) {
      // The lambda only on this rare path: these run once per socket and event.
      offLoop(() -> push(frame));
      return;
    }
    writeLive(frame);
  }

  /**
   * Under strict thread mode (see Gateway) only the socket's own event loop may write to it. A call from another
   * thread (a callback of a future completed on another context) is run again on the socket's loop, where its
   * offsets keep it in order; returns true then.
   */
  private boolean offLoop(Runnable again) {
    if (gateway.onLoop()) {
      return false;
    }
    LOG.debug("conn={}: write from {} moved to its event loop", id, Thread.currentThread().getName());
    gateway.onLoop(again);
    return true;
  }

  /** Writes a live event; false if the socket was too slow and has been closed. */
  private boolean writeLive(SharedFrame frame) {
    // isClosed: a close frame received from the peer closes the socket before its close handler runs, and
    // writeQueueFull would then throw, ending the fan-out loop for every later follower
    if (state != State.READY || ws.isClosed()) {
      return false;
    }
    if (!send(frame)) {
      close(CloseCode.TOO_SLOW, "too slow; reconnect and resume");
      return false;
    }
    return true;
  }

  /**
   * Writes a frame; false, with nothing written, when the socket's outbound queue is full.
   *
   * <p>While the socket's channel is writable (below its high-water mark, {@code wsMaxQueueBytes}), the frame goes
   * straight into the pipeline from Vert.x's handler (the shared encoded frame, see {@link SharedFrame}). Vert.x's
   * own queue is empty then (it holds writes only while the channel is not writable, and is drained as soon as it is
   * again), so this keeps the order of everything written to the socket. Otherwise (a full channel, a message longer
   * than one frame) the write goes through Vert.x, behind what it holds, and the slow-consumer rule is Vert.x's.
   */
  private boolean send(SharedFrame frame) {
    if (ctx != null && ctx.channel().isWritable() && frame.utf8Length() <= gateway.settings().wsMaxFrameBytes()) {
      frame.writeTo(ctx);
      // Flushed at once, as Vert.x would: deferring the flush to the end of the event-loop turn (tried)
      // let a turn's writes pile up past the high-water mark before the kernel took any, and a healthy reader of a
      // flood was cut with 4009 (PausedReaderTest, FaultSuiteTest F9).
      ctx.flush();
      return true;
    }
    if (ws.writeQueueFull()) {
      return false;
    }
    ws.writeTextMessage(frame.json);
    return true;
  }

  // ---------------------------------------------------------------- channel delivery

  boolean isFollowing(String channelId) {
    return follows.containsKey(channelId);
  }

  /**
   * Whether the channel's unlogged events (presence of its members, typing) may go to this socket: it follows the
   * channel and is not waiting for its membership to be checked again after its own member.left (a removed member
   * must hear nothing more of the channel, however long Redis takes to confirm the removal). On the socket's loop.
   */
  boolean sharesEphemeral(String channelId) {
    Follow f = follows.get(channelId);
    return f != null && !f.checking && state == State.READY;
  }

  List<String> followedChannels() {
    return List.copyOf(follows.keySet());
  }

  /** Marks the channel as being set up, so that it is not followed twice. */
  void reserveFollow(String channelId) {
    follows.putIfAbsent(channelId, new Follow());
  }

  void dropFollow(String channelId) {
    follows.remove(channelId);
  }

  /** Starts delivering a channel: everything after {@code from}, catching up from the log up to {@code current}. */
  void startFollow(String channelId, long from, long current) {
    if (offLoop(() -> startFollow(channelId, from, current))) {
      return;
    }
    Follow f = follows.get(channelId);
    if (f == null || state != State.READY) {
      return;
    }
    f.last = from;
    if (from < current) {
      catchUp(channelId, f, current, System.currentTimeMillis());
    } else {
      releaseHeld(channelId, f);
    }
  }

  /** A channel event from the feed, in offset order; the same frame is handed to every follower of this instance. */
  void deliver(String channelId, long offset, SharedFrame json) {
    if (!gateway.onLoop()) {
      // The lambda only on this rare path: these run once per socket and event.
      offLoop(() -> deliver(channelId, offset, json));
      return;
    }
    Follow f = follows.get(channelId);
    if (f == null || f.last < 0 || state != State.READY || offset <= f.last) {
      if (f != null && f.last < 0) {
        f.held().put(offset, json);
      }
      return;
    }
    if (f.catchingUp || f.checking || offset > f.last + 1) {
      if (f.heldCount() >= MAX_HELD_WHILE_CATCHING_UP) {
        close(CloseCode.TOO_SLOW, "too slow; reconnect and resume");
        return;
      }
      f.held().put(offset, json);
      if (!f.catchingUp && !f.checking) {
        catchUp(channelId, f, offset - 1, System.currentTimeMillis());
      }
      return;
    }
    if (writeLive(json)) {
      sent(channelId, f, offset, json.memberLeftUser());
    }
  }

  /** An event that is not logged (typing): sent if the socket has room, never to its own author. */
  void deliverEphemeral(String channelId, SharedFrame json, String fromUser) {
    if (!gateway.onLoop()) {
      // The lambda only on this rare path: these run once per socket and event.
      offLoop(() -> deliverEphemeral(channelId, json, fromUser));
      return;
    }
    Follow f = follows.get(channelId);
    if (f == null || f.last < 0 || f.checking || state != State.READY || principal.userId().equals(fromUser)
        || ws.isClosed()) {
      return;
    }
    send(json);
  }

  /**
   * The channel's events between what this socket saw and {@code offset} are gone from the log: it must reload the
   * channel. They may have held the user's own {@code member.left}, which nothing else would tell this socket: so
   * nothing more of the channel is sent until Redis confirms the user is still a member (if not, {@code resync}
   * {@code removed} and the channel is dropped), as after a {@code member.left} seen.
   */
  void resync(String channelId, String reason, long offset) {
    if (offLoop(() -> resync(channelId, reason, offset))) {
      return;
    }
    Follow f = follows.get(channelId);
    boolean trimmed = "trimmed".equals(reason);
    if (trimmed && (f == null || f.last < 0)) {
      // a follow not started yet (its membership is still being checked) is told nothing here and keeps its place:
      // it starts from its own offset, and its own catch-up finds the gap and says so
      return;
    }
    if (f != null) {
      f.last = Math.max(f.last, offset);
    }
    push("resync", new JsonObject().put("channelId", channelId).put("reason", reason).put("offset", offset));
    if (trimmed && state == State.READY) {
      checkMembership(channelId, f, true);
    }
  }

  /**
   * The channel's data went back in time (Redis lost its last events): what this socket was sent after
   * {@code offset} no longer exists. It is told to reload the channel, and delivery goes on after {@code offset}.
   */
  void rewound(String channelId, long offset) {
    if (offLoop(() -> rewound(channelId, offset))) {
      return;
    }
    Follow f = follows.get(channelId);
    if (f == null || f.last <= offset) {
      return;
    }
    f.last = offset;
    if (f.heldCount() > 0) {
      f.held().headMap(offset, true).clear();
    }
    push("resync", new JsonObject().put("channelId", channelId).put("reason", "ahead").put("offset", offset));
  }

  /**
   * Records that an event was sent. After the user's own member.left, nothing more of the channel is sent until
   * membership is checked again: a removed member gets nothing further, while one who was removed and re-added
   * (replayed on resume, or racing live) keeps the channel.
   */
  private void sent(String channelId, Follow f, long offset, String leftUser) {
    f.last = offset;
    if (leftUser != null && principal.userId().equals(leftUser)) {
      checkMembership(channelId, f, false);
    }
  }

  /**
   * Holds the channel until Redis confirms that the user is still a member (after a member.left of this user, or a
   * trimmed gap: {@code unseen}, the client may not have seen its removal). A reason that comes while a check is
   * being asked makes it ask once more.
   */
  private void checkMembership(String channelId, Follow f, boolean unseen) {
    f.removalUnseen |= unseen;
    if (f.checking) {
      f.checkAgain = true;
      return;
    }
    f.checking = true;
    checkStillMember(channelId, f, 0);
  }

  /**
   * Keeps following if still a member, stops if not (telling the client {@code resync} {@code removed} when it may
   * not have seen its member.left), asks again if Redis fails.
   */
  private void checkStillMember(String channelId, Follow f, int attempt) {
    // every reason so far is covered by this question
    f.checkAgain = false;
    gateway.messaging().isMember(principal, channelId).onComplete(ar -> {
      if (follows.get(channelId) != f || state != State.READY) {
        return;
      }
      if (ar.failed()) {
        // unknown (Redis did not answer): the events stay held (nothing of the channel is sent meanwhile), and the
        // question is asked again, backing off
        gateway.vertx().setTimer(Gateway.membershipRetryMs(attempt), t -> {
          if (follows.get(channelId) == f && state == State.READY) {
            checkStillMember(channelId, f, attempt + 1);
          }
        });
      } else if (f.checkAgain) {
        // a reason to doubt came after the question was sent (a trimmed gap, another member.left): either answer
        // may predate it
        checkStillMember(channelId, f, 0);
      } else if (ar.result()) {
        f.checking = false;
        f.removalUnseen = false;
        releaseHeld(channelId, f);
        if (!f.catchingUp && !f.checking && f.last < f.target && follows.get(channelId) == f) {
          catchUp(channelId, f, f.target, System.currentTimeMillis());
        }
      } else {
        gateway.unfollow(this, channelId);
        if (f.removalUnseen) {
          push("resync", new JsonObject().put("channelId", channelId).put("reason", "removed"));
        }
      }
    });
  }

  /**
   * Sends the channel's events (f.last, upTo] from the log, pausing while the socket's queue is full (a resuming
   * client on a slow link is not cut off for catching up), then the live events held meanwhile.
   */
  private void catchUp(String channelId, Follow f, long upTo, long startedAt) {
    f.catchingUp = true;
    f.target = Math.max(f.target, upTo);
    gateway.messaging().readLog(channelId, f.last, upTo, CATCH_UP_BATCH).onComplete(ar -> {
      if (state != State.READY || follows.get(channelId) != f) {
        return;
      }
      if (ar.failed()) {
        gateway.vertx().setTimer(500, t -> catchUp(channelId, f, upTo, startedAt));
        return;
      }
      writeCatchUp(channelId, f, upTo, ar.result().events(), 0, ar.result().complete(), startedAt);
    });
  }

  private void writeCatchUp(String channelId, Follow f, long upTo, List<String> events, int index, boolean complete,
                            long startedAt) {
    if (state != State.READY || follows.get(channelId) != f || ws.isClosed()) {
      return;
    }
    for (int i = index; i < events.size(); i++) {
      if (f.checking) {
        // membership is being checked (this user's member.left was just sent, or a trimmed gap): the rest waits,
        // and is released from held if still a member
        for (int j = i; j < events.size(); j++) {
          f.held().put(ChannelFeed.offsetOf(events.get(j)), new SharedFrame(events.get(j)));
        }
        f.catchingUp = false;
        return;
      }
      if (ws.writeQueueFull()) {
        if (System.currentTimeMillis() - startedAt > MAX_CATCH_UP_WAIT_MS) {
          close(CloseCode.TOO_SLOW, "too slow; reconnect and resume");
          return;
        }
        int next = i;
        gateway.vertx().setTimer(50, t -> writeCatchUp(channelId, f, upTo, events, next, complete, startedAt));
        return;
      }
      String event = events.get(i);
      long offset = ChannelFeed.offsetOf(event);
      if (offset == f.last + 1) {
        ws.writeTextMessage(event);
        sent(channelId, f, offset, SharedFrame.leftUserOf(event));
      }
    }
    if (f.checking) {
      // the last event sent was this user's member.left: what is left to read waits for the check
      f.catchingUp = false;
      return;
    }
    if (!complete && f.last < upTo) {
      resync(channelId, "trimmed", upTo);
    }
    if (f.last < upTo) {
      catchUp(channelId, f, upTo, startedAt);
      return;
    }
    f.catchingUp = false;
    releaseHeld(channelId, f);
  }

  private void releaseHeld(String channelId, Follow f) {
    while (f.heldCount() > 0 && !f.catchingUp && !f.checking && follows.get(channelId) == f && state == State.READY) {
      Map.Entry<Long, SharedFrame> next = f.pollHeld();
      deliver(channelId, next.getKey(), next.getValue());
    }
  }

  void ping() {
    if (offLoop(this::ping)) {
      return;
    }
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

  /**
   * Writes a reply. Replies are never dropped, but a client that does not read them stops being read from
   * until its queue drains (and is closed if it stays stuck; see {@link #stuck}).
   */
  private void write(JsonObject frame) {
    if (offLoop(() -> write(frame))) {
      return;
    }
    if (state != State.CLOSED && !ws.isClosed()) {
      // Encoded straight into the frame's UTF-8 bytes: parts of a reply already held as JSON (a history page, as
      // Redis sent its bytes) are copied in, never turned into strings.
      writeText(ws, JsonFrames.encodeUtf8(frame), gateway.settings().wsMaxFrameBytes());
      if (ws.writeQueueFull()) {
        ws.pause();
        ws.drainHandler(v -> ws.resume());
      }
    }
  }

  /**
   * Writes one text message already encoded as UTF-8, as Vert.x's {@code writeTextMessage} would write its text:
   * one frame, or past {@code maxFrameBytes} a text frame and continuation frames of at most that size.
   */
  static void writeText(ServerWebSocket ws, ByteBuf utf8, int maxFrameBytes) {
    int n = utf8.readableBytes();
    if (n <= maxFrameBytes) {
      ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, utf8, true));
      return;
    }
    int start = utf8.readerIndex();
    for (int off = 0; off < n; off += maxFrameBytes) {
      int len = Math.min(maxFrameBytes, n - off);
      ws.writeFrame(new WebSocketFrameImpl(off == 0 ? WebSocketFrameType.TEXT : WebSocketFrameType.CONTINUATION,
          utf8.slice(start + off, len), off + len == n));
    }
  }

  /** True when the socket's outbound queue has stayed full for too long: it is not reading. */
  boolean stuck(long now) {
    // A socket closed under the sweep has no write queue to ask about (Vert.x throws); it is not stuck.
    if (state == State.CLOSED || ws.isClosed() || !ws.writeQueueFull()) {
      fullSince = 0;
      return false;
    }
    if (fullSince == 0) {
      fullSince = now;
    }
    return now - fullSince > STUCK_AFTER_MS;
  }

  Future<Void> close(short code, String reason) {
    if (state == State.CLOSED) {
      return Future.succeededFuture();
    }
    state = State.CLOSED;
    gateway.metrics().closed(code);
    LOG.debug("closing conn={} user={} code={} reason={}", id, principal == null ? null : principal.userId(), code, reason);
    String safeReason = reason.length() > 120 ? reason.substring(0, 120) : reason;
    // Vert.x starts its closing timeout only once the close frame is flushed: behind the full queue of a peer that
    // stopped reading it never is, and the socket (and its queue) would stay open for as long as the peer does.
    abortTimer = gateway.vertx().setTimer(CLOSE_GRACE_MS, t -> abort());
    return ws.close(code, safeReason).recover(e -> Future.succeededFuture());
  }

  /**
   * Drops the TCP connection of a socket that was closed but is still open {@link #CLOSE_GRACE_MS} later (its peer
   * reads nothing, so neither the close frame nor the close handshake got through): RST, with what was queued for it
   * discarded.
   */
  private void abort() {
    abortTimer = -1;
    if (ws instanceof WebSocketInternal internal) {
      // Vert.x's handler (also for a TLS socket, whose ctx field is null)
      ChannelHandlerContext handler = internal.channelHandlerContext();
      if (handler.channel().isOpen()) {
        LOG.debug("aborting conn={}: still open {} ms after its close", id, CLOSE_GRACE_MS);
        gateway.metrics().aborted();
        handler.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        // From Vert.x's own handler towards the socket: channel.close() would enter Vert.x's handler, which turns
        // it into one more close handshake instead of closing.
        handler.close();
      }
    }
  }

  private void onClosed() {
    if (abortTimer >= 0) {
      gateway.vertx().cancelTimer(abortTimer);
      abortTimer = -1;
    }
    leavePreHello();
    state = State.CLOSED;
    gateway.vertx().cancelTimer(helloTimer);
    gateway.unregister(this);
  }
}
