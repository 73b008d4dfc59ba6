package org.relais.server;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.relais.core.OpRegistry;
import org.relais.identity.AuthService;
import org.relais.identity.IdentityOps;
import org.relais.identity.IdentityService;
import org.relais.identity.TokenSettings;
import org.relais.identity.Tokens;
import org.relais.messaging.MessagingOps;
import org.relais.messaging.MessagingService;
import org.relais.messaging.MessagingSettings;
import org.relais.core.Principal;
import org.relais.core.Role;
import org.relais.calendar.CalendarOps;
import org.relais.calendar.CalendarService;
import org.relais.calendar.CalendarSettings;
import org.relais.calendar.ReminderSink;
import org.relais.calendar.Reminders;
import org.relais.notifications.Notification;
import org.relais.partnerships.PartnershipOps;
import org.relais.partnerships.PartnershipService;
import org.relais.partnerships.PartnershipSettings;
import org.relais.notifications.NotificationKind;
import org.relais.notifications.NotificationOps;
import org.relais.notifications.NotificationService;
import org.relais.notifications.NotificationSettings;
import org.relais.notifications.OnlineCheck;
import org.relais.notifications.PushService;
import org.relais.notifications.PushSettings;
import org.relais.realtime.Presence;
import org.relais.realtime.PresenceOps;
import org.relais.realtime.PresenceSettings;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The composition root: builds Vert.x, the Redis client, every service and the dispatch table, then deploys the
 * bus subscriber and one gateway per event loop. {@link #stop()} closes sockets with 1001 and releases everything.
 */
public final class RelaisServer {
  private static final Logger LOG = LoggerFactory.getLogger(RelaisServer.class);

  private final Vertx vertx;
  private final RedisDb db;
  private final RelaisConfig config;
  private Tokens tokens;
  private RateLimits limits;
  private CalendarService calendars;
  private Reminders reminders;
  private PartnershipService partnerships;
  private OpRegistry ops;

  private RelaisServer(Vertx vertx, RedisDb db, RelaisConfig config) {
    this.vertx = vertx;
    this.db = db;
    this.config = config;
  }

  /**
   * Starts a server on {@code redisUrl}. Waits, with backoff, for Redis to answer; fails if the configuration
   * cannot be applied (no signing key, port in use).
   */
  public static Future<RelaisServer> start(RelaisConfig config, String redisUrl) {
    Metrics metrics = new Metrics();
    int loops = config.eventLoops() > 0 ? config.eventLoops() : Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions()
            .setEventLoopPoolSize(loops)
            .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(metrics.registry))
        .build();
    RedisDb db = RedisDb.create(vertx, redisSettings(config, redisUrl), metrics.registry);
    NodeBus bus = new NodeBus(db);
    OpRegistry ops = new OpRegistry();
    TokenSettings tokenSettings = new TokenSettings(config.jwtIssuer(), config.jwtAudience(),
        config.accessTokenTtlSeconds(), config.refreshTokenTtlSeconds(), config.jwtLeewaySeconds(),
        config.jwtKeyFile(), config.inviteTtlSeconds(), config.refreshReuseGraceSeconds(),
        TokenSettings.DEFAULT_KEY_RELOAD_SECONDS);
    RelaisServer server = new RelaisServer(vertx, db, config);
    AuditLog audit = new AuditLog(db, nodeName(config), config.auditRetentionDays(), config.auditMaxEntries(), metrics);
    RateLimits limits = new RateLimits(vertx, db, config, metrics);
    server.limits = limits;
    server.ops = ops;

    return awaitRedis(vertx, db)
        .compose(v -> Tokens.create(vertx, db, tokenSettings, audit))
        .compose(tokens -> {
          server.tokens = tokens;
          AuthService auth = AuthService.create(vertx, db, tokens, bus);
          auth.auditTo(audit);
          IdentityService identity = IdentityService.create(db, auth, bus, config.publicUrl(),
              config.inviteTtlSeconds());
          identity.auditTo(audit);
          MessagingSettings messagingSettings = new MessagingSettings(config.messageMaxChars(), 20,
              config.channelLogEvents(), 86_400, 8, 1_000, config.redisWaitReplicas() <= 0);
          MessagingService messaging = MessagingService.create(db, identity, bus, bus, messagingSettings);
          messaging.auditTo(audit);
          Presence presence = Presence.create(vertx, db, PresenceSettings.of(config.presenceTtlSeconds(),
              config.presenceAwaySeconds(), config.presenceGraceSeconds()), new PresenceFanout(vertx, messaging, bus));
          IdentityOps.register(ops, identity);
          MessagingOps.register(ops, messaging, messagingSettings);
          PresenceOps.register(ops, presence);
          AuditOps.register(ops, audit);
          BusSubscriber subscriber = new BusSubscriber(db.settings(), presence, messaging);
          return PushService.create(vertx, db, new PushSettings(config.pushSubject(),
                  config.pushAllowInsecureEndpoints(), 86_400, 3, 1_000, config.pushAllowedHosts()), auth::sessionActive)
              .compose(push -> {
                OnlineCheck online = userId -> presence.get(new Principal(userId, "", Set.of(Role.MEMBER), "system", "en"),
                        List.of(userId))
                    .map(r -> List.of("online", "dnd").contains(r.getJsonArray("presence").getJsonObject(0).getString("status")));
                NotificationService notifications = NotificationService.create(vertx, db, identity, messaging, bus,
                    push, online, new NotificationSettings(config.notificationMaxPerUser(),
                        config.notificationRetentionDays(), config.pushCoalesceSeconds() * 1000L, 7 * 86_400));
                messaging.observe(notifications.messagingObserver());
                NotificationOps.register(ops, notifications, push);
                notifications.start();
                CalendarSettings calendarSettings = CalendarSettings.defaults().withMaxIcsBytes(config.wsMaxRequestBytes() / 2);
                CalendarService calendars = CalendarService.create(vertx, db, identity, messaging::isMember,
                    channelId -> messaging.memberIds(channelId).map(ids -> (java.util.Collection<String>) ids),
                    new CalendarNotifications(bus, notifications), calendarSettings);
                calendars.auditTo(audit);
                CalendarOps.register(ops, calendars);
                server.calendars = calendars;
                server.reminders = Reminders.create(vertx, db, identity, remindersTo(bus, notifications), calendarSettings);
                server.reminders.start();
                PartnershipService partnerships = PartnershipService.create(vertx, db, identity, bus,
                    new PartnershipWiring.Spaces(identity, messaging, calendars),
                    new PartnershipWiring.Notifier(identity, notifications),
                    PartnershipSettings.defaults().withExpiry(java.time.Duration.ofDays(config.partnershipExpiryDays())),
                    java.time.Clock.systemUTC());
                partnerships.auditTo(audit);
                PartnershipOps.register(ops, partnerships);
                identity.partnersFrom(partnerships::partnersOf);
                partnerships.start();
                server.partnerships = partnerships;
                return new Bootstrap(config, db, auth, identity, messaging).run();
              })
              .compose(v -> messaging.epoch())
              .compose(v -> vertx.deployVerticle(subscriber))
              .compose(v -> vertx.executeBlocking(() -> Assets.load(config.webroot())))
              .compose(assets -> {
                Services services = new Services(config, db, new Dispatcher(ops, metrics, limits), auth, identity, messaging,
                    presence, server.calendars, subscriber.hub(), metrics, assets,
                    new HelloAdmission(vertx, config.helloConcurrency(), config.helloQueue(),
                        config.wsHelloTimeoutMs(), metrics));
                return vertx.deployVerticle(() -> new Gateway(services), new DeploymentOptions().setInstances(loops));
              })
              .map(v -> {
                LOG.info("Relais listening on {}://{}:{} ({} gateway instance(s)); ops: {}",
                    config.tlsCertFile() != null ? "https" : "http", config.host(), config.port(), loops,
                    ops.all().size());
                return server;
              });
        })
        .recover(failure -> vertx.close().transform(x -> Future.failedFuture(failure)));
  }

  /** How to reach Redis: {@code redisUrl} (one URL, or comma-separated ones in cluster and sentinel mode). */
  static RedisSettings redisSettings(RelaisConfig config, String redisUrl) {
    return new RedisSettings(config.redisMode(), List.of(redisUrl.split(",")), config.redisMasterName(),
        config.redisTimeoutMs(), 16, config.redisWaitReplicas(), config.redisWaitTimeoutMs(),
        RedisSettings.checkScriptsByDefault());
  }

  /** How audit entries name this node: its host name and port. */
  private static String nodeName(RelaisConfig config) {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "unknown";
    }
    return host + ":" + config.port();
  }

  private static Future<Void> awaitRedis(Vertx vertx, RedisDb db) {
    Promise<Void> ready = Promise.promise();
    attempt(vertx, db, ready, 100, System.currentTimeMillis(), db.settings().redactedUrl());
    return ready.future();
  }

  private static void attempt(Vertx vertx, RedisDb db, Promise<Void> ready, long backoff, long since, String url) {
    db.ping().onComplete(ar -> {
      if (ar.succeeded()) {
        ready.complete();
        return;
      }
      if (System.currentTimeMillis() - since > 2_000) {
        LOG.warn("waiting for Redis at {}: {}", url, ar.cause().getMessage());
      }
      long next = Math.min(5_000, backoff * 2);
      vertx.setTimer(backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1),
          t -> attempt(vertx, db, ready, next, since, url));
    });
  }

  /** Reminders reach the person's connected sessions and their notification center (and so their browsers). */
  private static ReminderSink remindersTo(NodeBus bus, NotificationService notifications) {
    ReminderSink live = ReminderSink.toEvents(bus);
    return (userIds, reminder) -> live.remind(userIds, reminder).compose(v -> {
      List<Future<Void>> created = new java.util.ArrayList<>();
      String occurrence = reminder.getString("recurrenceId", reminder.getString("start", ""));
      for (String userId : userIds) {
        created.add(notifications.notify(new Notification(NotificationKind.EVENT_REMINDER, userId,
            List.of("", reminder.getString("title", ""), (reminder.getString("start", "") + " "
                + reminder.getString("location", "")).trim()),
            new io.vertx.core.json.JsonObject().put("eventId", reminder.getString("eventId")),
            "reminder:" + reminder.getString("eventId") + ":" + occurrence + ":" + reminder.getValue("minutesBefore"),
            null, null, false)));
      }
      return Future.join(created).mapEmpty();
    });
  }

  /** The calendar feeds, for GET /ical/{secret}.ics. */
  CalendarService calendars() {
    return calendars;
  }

  public RelaisConfig config() {
    return config;
  }

  /**
   * The dispatch table this server answers from (every op of both transports but the session ops {@code hello} and
   * {@code ping}). Filled at start-up; not to be changed afterwards. Tests enumerate it so that no op escapes the
   * authorisation matrix or the schema fuzzer.
   */
  public OpRegistry ops() {
    return ops;
  }

  /** Closes every socket with 1001, stops the HTTP server, and closes Redis connections and Vert.x. */
  public Future<Void> stop() {
    if (tokens != null) {
      tokens.close();
    }
    if (reminders != null) {
      reminders.stop();
    }
    if (partnerships != null) {
      partnerships.stop();
    }
    // the reads admitted on this node's shares of their budgets in the last 100 ms are taken in Redis first (for a
    // second at most: a node stopping because Redis is gone does not wait for it)
    Future<Void> settled = limits == null ? Future.succeededFuture()
        : limits.close().timeout(1, java.util.concurrent.TimeUnit.SECONDS).recover(e -> Future.succeededFuture());
    return settled.transform(x -> vertx.close()).eventually(() -> Future.succeededFuture());
  }
}
