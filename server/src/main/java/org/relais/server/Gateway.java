package org.relais.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.PemKeyCertOptions;
import org.relais.core.CloseCode;
import org.relais.identity.AuthService;
import org.relais.identity.IdentityService;
import org.relais.messaging.MessagingService;
import org.relais.realtime.Presence;
import org.relais.realtime.PresenceSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One gateway instance per event loop: the HTTP server (shared port), the WebSocket endpoint {@code /ws}, and the
 * sockets this instance holds, by user. Node-wide events arrive on the local event bus and are applied here.
 * Nothing here is touched from another thread.
 */
final class Gateway extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Services services;
  private final Set<WsConnection> connections = new HashSet<>();
  private final Map<String, List<WsConnection>> byUser = new HashMap<>();
  private final Map<String, ChannelFeed> feeds = new HashMap<>();
  private HttpServer server;
  /** This instance's event loop: its sockets are written to from it alone (strict thread mode). */
  private Thread loop;
  private MessageConsumer<JsonObject> busConsumer;
  private long sweepTimer;
  private long pollTimer;
  private long heartbeatTimer;
  /**
   * The presence heartbeat is spread over its interval: each tick beats the users of one slice (by user id), so
   * that 10,000 users do not become one burst of scripts every interval that every send queues behind in Redis
   * (the small-rooms stalls of the five-repetition benchmark run; see docs/BENCHMARKS.md).
   */
  static final int HEARTBEAT_SLICES = 20;
  private int heartbeatTick;
  private final Map<String, Integer> awaitingHello = new HashMap<>();
  /** Sockets one user may hold on one gateway instance; past it the oldest is closed. */
  private static final int MAX_SOCKETS_PER_USER = 20;
  /**
   * When this instance last heard that a user's account or sessions changed ("changed", "revoked"), by user, in
   * System.nanoTime: a hello whose check started before that is checked again once registered (see
   * {@link #changedSince}). Entries older than any check can be are dropped by the sweep.
   */
  private final Map<String, Long> changedAt = new HashMap<>();
  /** The newest own / public presence view applied here per user: an older one arriving late is dropped. */
  private final PresenceVersions ownVersions = new PresenceVersions();
  private final PresenceVersions publicVersions = new PresenceVersions();
  /** When this instance last may have missed such news (the node's bus reconnected): every check since is redone. */
  // nanoTime values are compared by difference; a start far enough in the past that "lost after the check began"
  // is false for every check (Long.MIN_VALUE would overflow the difference into a large positive number)
  private long newsLostAt = System.nanoTime() - Long.MAX_VALUE / 4;

  Gateway(Services services) {
    this.services = services;
  }

  RelaisConfig settings() {
    return services.config();
  }

  Vertx vertx() {
    return vertx;
  }

  Dispatcher dispatcher() {
    return services.dispatcher();
  }

  AuthService auth() {
    return services.auth();
  }

  IdentityService identity() {
    return services.identity();
  }

  Metrics metrics() {
    return services.metrics();
  }

  MessagingService messaging() {
    return services.messaging();
  }

  Hub hub() {
    return services.hub();
  }

  Presence presence() {
    return services.presence();
  }

  HelloAdmission helloAdmission() {
    return services.helloAdmission();
  }

  /** True when called on this instance's event loop, the only thread that may write to its sockets. */
  boolean onLoop() {
    return Thread.currentThread() == loop;
  }

  /** Runs {@code task} on this instance's event loop. */
  void onLoop(Runnable task) {
    context.runOnContext(v -> task.run());
  }

  @Override
  public Future<?> start() {
    loop = Thread.currentThread();
    RelaisConfig config = services.config();
    HttpServerOptions options = new HttpServerOptions()
        // Writes come from the connection's own event loop only (see WsConnection): no per-connection
        // outbound queue for writes from other threads (about 5 KB per idle socket).
        .setStrictThreadMode(true)
        .setCompressionSupported(true)
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setMaxWebSocketFrameSize(config.wsMaxFrameBytes())
        .setMaxWebSocketMessageSize(config.wsMaxFrameBytes())
        .setDecompressionSupported(false);
    if (config.tlsCertFile() != null) {
      // HTTPS and WSS on the same port; Vert.x reloads nothing by itself: replace the files and restart to renew.
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(config.tlsCertFile().toString())
          .setKeyPath(config.tlsKeyFile().toString()));
    }
    server = vertx.createHttpServer(options)
        .webSocketHandshakeHandler(this::handshake)
        .webSocketHandler(ws -> {
          ws.setWriteQueueMaxSize(config.wsMaxQueueBytes());
          WsConnection conn = new WsConnection(ws, this,
              HttpApi.clientIp(ws.remoteAddress().hostAddress(), ws.headers().get("X-Forwarded-For"), config));
          SocketTrim.trim(ws);
          connections.add(conn);
          awaitingHello.merge(conn.peer, 1, Integer::sum);
          services.metrics().openSockets.incrementAndGet();
          conn.start();
        })
        .requestHandler(HttpApi.router(vertx, services));
    busConsumer = vertx.eventBus().localConsumer(NodeBus.LOCAL_ADDRESS, m -> onBus(m.body()));
    sweepTimer = vertx.setPeriodic(1_000, t -> sweep());
    pollTimer = vertx.setPeriodic(15_000, t -> feeds.values().forEach(ChannelFeed::poll));
    long beatMs = PresenceSettings.of(config.presenceTtlSeconds(), config.presenceAwaySeconds(),
        config.presenceGraceSeconds()).heartbeatIntervalMs();
    heartbeatTimer = vertx.setPeriodic(Math.max(1, beatMs / HEARTBEAT_SLICES), t -> heartbeat());
    return server.listen(config.port(), config.host());
  }

  /** Accepts {@code /ws} upgrades from an allowed origin; a foreign origin gets 403, another path 404. */
  private void handshake(ServerWebSocketHandshake hs) {
    if (!"/ws".equals(hs.path())) {
      hs.reject(404);
      return;
    }
    String peer = HttpApi.clientIp(hs.remoteAddress().hostAddress(), hs.headers().get("X-Forwarded-For"), services.config());
    // sockets one address may have open before their hello, per gateway instance (wsPreHelloPerAddress)
    if (awaitingHello.getOrDefault(peer, 0) >= services.config().wsPreHelloPerAddress()) {
      hs.reject(429);
      return;
    }
    String origin = hs.headers().get("Origin");
    if (origin != null && !originAllowed(origin, hs.scheme(), hs.authority())) {
      LOG.info("websocket refused: origin {} from {}", origin.replaceAll("[\\r\\n]", "_"), hs.remoteAddress());
      hs.reject(403);
      return;
    }
    hs.accept();
  }

  /**
   * An origin is allowed when it is the server's own (the scheme and Host of the request, or publicUrl), or
   * listed in allowedOrigins. Exact comparison of scheme, host and port: no wildcards, no substrings, no "null".
   */
  boolean originAllowed(String origin, String scheme, HostAndPort authority) {
    String normalized = normalizeOrigin(origin);
    if (normalized == null) {
      return false;
    }
    if (authority != null && normalized.equals(normalizeOrigin(scheme + "://" + authority.host()
        + (authority.port() > 0 ? ":" + authority.port() : "")))) {
      return true;
    }
    RelaisConfig config = services.config();
    if (config.publicUrl() != null && normalized.equals(normalizeOrigin(config.publicUrl()))) {
      return true;
    }
    for (String allowed : config.allowedOrigins()) {
      if (normalized.equals(normalizeOrigin(allowed))) {
        return true;
      }
    }
    return false;
  }

  static String normalizeOrigin(String origin) {
    try {
      URI uri = new URI(origin.trim());
      String scheme = uri.getScheme();
      String host = uri.getHost();
      if (scheme == null || host == null) {
        return null;
      }
      scheme = scheme.toLowerCase(Locale.ROOT);
      int port = uri.getPort();
      if (port == -1) {
        port = scheme.equals("https") || scheme.equals("wss") ? 443 : 80;
      }
      return scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port;
    } catch (Exception e) {
      return null;
    }
  }

  /** The socket said hello (or closed before): it no longer counts against its address's pre-hello budget. */
  void helloDone(WsConnection conn) {
    awaitingHello.computeIfPresent(conn.peer, (p, n) -> n > 1 ? n - 1 : null);
  }

  void register(WsConnection conn) {
    List<WsConnection> mine = byUser.computeIfAbsent(conn.principal().userId(), u -> new ArrayList<>());
    mine.add(conn);
    if (mine.size() > MAX_SOCKETS_PER_USER) {
      mine.get(0).close(CloseCode.POLICY, "too many connections for this user");
    }
    services.presence().connected(conn.principal().userId(), conn.id);
  }

  /**
   * True when news that could invalidate a hello (a change to the user, a revoked session, a lost bus connection)
   * reached this instance after {@code startedNanos}, when the hello's check began: the check's answer may predate it
   * and must be made again. Otherwise any later news finds the socket registered.
   */
  boolean changedSince(String userId, long startedNanos) {
    Long at = changedAt.get(userId);
    return newsLostAt - startedNanos >= 0 || (at != null && at - startedNanos >= 0);
  }

  private void noteChanged(String userId) {
    if (userId != null) {
      changedAt.put(userId, System.nanoTime());
    }
  }

  /** Tells presence that the sessions of one slice of this instance's users are alive (each user once an interval). */
  private void heartbeat() {
    int slice = heartbeatTick;
    heartbeatTick = (heartbeatTick + 1) % HEARTBEAT_SLICES;
    Map<String, List<String>> sessions = new HashMap<>();
    byUser.forEach((user, conns) -> {
      if (Math.floorMod(user.hashCode(), HEARTBEAT_SLICES) != slice) {
        return;
      }
      List<String> ids = new ArrayList<>();
      for (WsConnection c : conns) {
        if (c.isReady()) {
          ids.add(c.id);
        }
      }
      if (!ids.isEmpty()) {
        sessions.put(user, ids);
      }
    });
    if (!sessions.isEmpty()) {
      services.presence().heartbeat(sessions);
    }
  }

  /**
   * Starts delivering the channels of a socket that has just said hello: every channel of the user, each after
   * the offset the client says it last saw (with the same epoch), or else after the offset the hello reply gave
   * ({@code atHello}), so that nothing falls between the reply and the first event. Channels the client lists but
   * the user is no longer in, or an epoch that changed, are answered with {@code resync}.
   */
  void startFollowing(WsConnection conn, String epoch, JsonObject atHello, JsonObject resume) {
    boolean sameEpoch = resume != null && epoch.equals(resume.getString("epoch"));
    if (resume != null && !sameEpoch) {
      conn.push("resync", new JsonObject().put("reason", "epoch").put("epoch", epoch));
    }
    JsonObject seen = sameEpoch ? resume.getJsonObject("channels", new JsonObject()) : new JsonObject();
    for (String channelId : atHello.fieldNames()) {
      Long after = seen.getLong(channelId);
      follow(conn, channelId, after != null ? after : atHello.getLong(channelId));
    }
    for (String channelId : seen.fieldNames()) {
      if (!atHello.containsKey(channelId)) {
        conn.push("resync", new JsonObject().put("channelId", channelId).put("reason", "removed"));
      }
    }
  }

  /** The socket follows a channel, after {@code after} (null: from now), if its user is a member. */
  void follow(WsConnection conn, String channelId, Long after) {
    follow(conn, channelId, after, 0);
  }

  /**
   * How long to wait before asking Redis again after the {@code attempt}-th failed membership read (0 first): 1, 2,
   * 4, 8, 16, then 30 s, each plus up to a second at random, so that the follows a Redis outage failed together
   * (every socket and channel at once when a connection drops) neither come back as one burst nor keep a struggling
   * Redis busy every second.
   */
  static long membershipRetryMs(int attempt) {
    return Math.min(30_000L, 1_000L << Math.min(attempt, 5)) + ThreadLocalRandom.current().nextLong(1_000);
  }

  private void follow(WsConnection conn, String channelId, Long after, int attempt) {
    if (!conn.isReady() || conn.isFollowing(channelId)) {
      return;
    }
    ChannelFeed feed = feeds.get(channelId);
    if (feed == null) {
      feed = new ChannelFeed(channelId, this);
      feeds.put(channelId, feed);
      feed.open();
    }
    ChannelFeed opened = feed;
    opened.followers.add(conn);
    // The feed's own id as the key: each delivery looks the follow up by it, and finds it by identity.
    conn.reserveFollow(opened.channelId);
    opened.ready()
        .compose(v -> services.messaging().isMember(conn.principal(), channelId))
        .onComplete(ar -> {
          if (!conn.isReady() || !conn.isFollowing(channelId)) {
            return;
          }
          if (ar.failed()) {
            unfollow(conn, channelId);
            vertx.setTimer(membershipRetryMs(attempt), t -> follow(conn, channelId, after, attempt + 1));
            return;
          }
          if (!ar.result()) {
            unfollow(conn, channelId);
            return;
          }
          long current = opened.last();
          long from = after == null ? current : after;
          if (after != null && after > current) {
            conn.resync(channelId, "ahead", current);
            from = current;
          }
          conn.startFollow(channelId, from, current);
        });
  }

  void unfollow(WsConnection conn, String channelId) {
    conn.dropFollow(channelId);
    ChannelFeed feed = feeds.get(channelId);
    if (feed != null && feed.followers.remove(conn) && feed.followers.isEmpty()) {
      feeds.remove(channelId);
      feed.close();
    }
  }

  void unregister(WsConnection conn) {
    if (connections.remove(conn)) {
      services.metrics().openSockets.decrementAndGet();
    }
    for (String channelId : conn.followedChannels()) {
      unfollow(conn, channelId);
    }
    if (conn.principal() != null) {
      List<WsConnection> list = byUser.get(conn.principal().userId());
      if (list != null && list.remove(conn)) {
        services.presence().disconnected(conn.principal().userId(), conn.id);
        if (list.isEmpty()) {
          byUser.remove(conn.principal().userId());
        }
      }
    }
  }

  private void onBus(JsonObject message) {
    String type = message.getString("t", "");
    switch (type) {
      case "ev" -> {
        JsonArray users = message.getJsonArray("users", new JsonArray());
        SharedFrame frame = new SharedFrame(new JsonObject().put("ev", message.getString("ev"))
            .put("data", message.getJsonObject("data")).encode()).open();
        try {
          for (Object user : users) {
            for (WsConnection conn : List.copyOf(byUser.getOrDefault(String.valueOf(user), List.of()))) {
              conn.push(frame);
            }
          }
        } finally {
          frame.release();
        }
      }
      case "presence" -> onPresence(message.getJsonArray("changes", new JsonArray()));
      case "changed" -> {
        noteChanged(message.getString("user"));
        byUser.getOrDefault(message.getString("user"), List.of()).forEach(WsConnection::revalidate);
      }
      case "revoked" -> {
        noteChanged(message.getString("user"));
        String sid = message.getString("sid");
        for (WsConnection conn : List.copyOf(byUser.getOrDefault(message.getString("user"), List.of()))) {
          if (sid == null || sid.equals(conn.principal().sessionId())) {
            conn.close(CloseCode.TOKEN_EXPIRED, "session revoked");
          }
        }
      }
      case "epoch" -> {
        // The database lost its data or was replaced: what every socket follows is from a history that is gone.
        forgetPresenceVersions();
        JsonObject resync = new JsonObject().put("reason", "epoch").put("epoch", message.getString("epoch"));
        for (WsConnection conn : List.copyOf(connections)) {
          conn.push("resync", resync);
          conn.close(CloseCode.SERVICE_RESTART, "database changed; reconnect");
        }
      }
      case "reconnected" -> {
        newsLostAt = System.nanoTime();
        List.copyOf(connections).forEach(WsConnection::revalidate);
        feeds.values().forEach(ChannelFeed::poll);
      }
      case "follow" -> {
        String channelId = message.getString("channelId");
        long after = message.getLong("after", 0L);
        for (Object user : message.getJsonArray("users", new JsonArray())) {
          for (WsConnection conn : List.copyOf(byUser.getOrDefault(String.valueOf(user), List.of()))) {
            follow(conn, channelId, after);
          }
        }
      }
      case "followAll" -> {
        String orgId = message.getString("orgId");
        String channelId = message.getString("channelId");
        long after = message.getLong("after", 0L);
        for (WsConnection conn : List.copyOf(connections)) {
          if (conn.isReady() && (orgId == null || orgId.equals(conn.principal().orgId()))) {
            follow(conn, channelId, after);
          }
        }
      }
      default -> LOG.debug("ignoring bus message of type {}", type);
    }
  }

  /**
   * Presence changes (see {@link PresenceFanout}): the own view to the user's sockets here; the public view to the
   * sockets here that follow one of the user's watched channels, each once, the user's own left out. A socket
   * follows every channel of its user from its hello on, so these are the sockets of the people who share one of
   * those channels with the user, as the channels' member lists would say. A view older than one of the same user
   * already applied here (by the user's presence version) is dropped: watchers never go back to a stale status.
   */
  private void onPresence(JsonArray changes) {
    long now = System.currentTimeMillis();
    for (Object o : changes) {
      if (!(o instanceof JsonObject change)) {
        continue;
      }
      String user = change.getString("user");
      long version = change.getLong("v", 0L);
      JsonObject own = change.getJsonObject("own");
      List<WsConnection> mine = byUser.get(user);
      if (own != null && ownVersions.fresh(user, version, now) && mine != null) {
        SharedFrame frame = presenceFrame(own);
        try {
          for (WsConnection conn : List.copyOf(mine)) {
            conn.push(frame);
          }
        } finally {
          frame.release();
        }
      }
      JsonObject view = change.getJsonObject("public");
      JsonArray channels = change.getJsonArray("channels");
      if (view == null || channels == null || !publicVersions.fresh(user, version, now)) {
        continue;
      }
      SharedFrame frame = null;
      Set<WsConnection> told = channels.size() > 1 ? new HashSet<>() : null;
      try {
        for (Object channelId : channels) {
          ChannelFeed feed = feeds.get(String.valueOf(channelId));
          if (feed == null) {
            continue;
          }
          for (WsConnection conn : new ArrayList<>(feed.followers)) {
            // not to a socket whose own removal from this channel is being confirmed (it may still be told
            // through another channel it shares with the user)
            if (conn.principal() == null || user.equals(conn.principal().userId())
                || !conn.sharesEphemeral(feed.channelId) || (told != null && !told.add(conn))) {
              continue;
            }
            if (frame == null) {
              frame = presenceFrame(view);
            }
            conn.push(frame);
          }
        }
      } finally {
        if (frame != null) {
          frame.release();
        }
      }
    }
  }

  /** The database was replaced: versions remembered from it mean nothing (see {@link PresenceVersions#clear}). */
  private void forgetPresenceVersions() {
    ownVersions.clear();
    publicVersions.clear();
  }

  /** A presence.changed event, encoded once for the sockets it goes to (a fan-out batch: release it after). */
  private static SharedFrame presenceFrame(JsonObject view) {
    return new SharedFrame(new JsonObject().put("ev", Presence.CHANGED).put("data", view).encode()).open();
  }

  /** Keep-alive: pings sockets that have been quiet, and closes those silent past the idle timeout. */
  private void sweep() {
    long now = System.currentTimeMillis();
    // a hello's check is over within wsHelloTimeoutMs of its admission, or its socket is closed
    long keepNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(60_000, 4L * services.config().wsHelloTimeoutMs()));
    long nowNanos = System.nanoTime();
    changedAt.values().removeIf(at -> nowNanos - at > keepNanos);
    long idleMs = TimeUnit.SECONDS.toMillis(services.config().wsIdleTimeoutSeconds());
    long pingMs = TimeUnit.SECONDS.toMillis(services.config().wsPingIntervalSeconds());
    for (WsConnection conn : List.copyOf(connections)) {
      // One socket in a strange state (closed under the sweep) must not end the round for the sockets after it.
      try {
        if (conn.expired(now)) {
          conn.close(CloseCode.TOKEN_EXPIRED, "token expired");
        } else if (now - conn.lastSeen > idleMs) {
          conn.close(CloseCode.NORMAL, "idle timeout");
        } else if (conn.stuck(now)) {
          conn.close(CloseCode.TOO_SLOW, "too slow; reconnect and resume");
        } else if (now - conn.lastPing >= pingMs) {
          conn.ping();
        }
      } catch (RuntimeException e) {
        LOG.warn("keep-alive sweep skipped conn={}: {}", conn.id, e.toString());
      }
    }
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweepTimer);
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(heartbeatTimer);
    List<Future<Void>> closing = new ArrayList<>();
    for (WsConnection conn : List.copyOf(connections)) {
      closing.add(conn.close(CloseCode.GOING_AWAY, "server going away"));
    }
    return Future.join(closing)
        .eventually(() -> busConsumer.unregister())
        .eventually(() -> server.shutdown(5, TimeUnit.SECONDS));
  }
}
