package org.relais.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.relais.calendar.IcsFeed;
import org.relais.core.ErrorCode;
import org.relais.core.JsonFrames;
import org.relais.core.Op;
import org.relais.core.RelaisException;
import org.relais.core.Schema;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side: authentication, every op as {@code POST /api/ops/{op}}, health, metrics, and the static client.
 * Every response carries the security headers. JSON errors have the envelope's error shape and a matching status.
 */
final class HttpApi {
  private static final Schema LOGIN = Schema.object()
      .required("email", Schema.email())
      .required("password", Schema.string().minLength(1).maxLength(256));
  private static final Schema REFRESH = Schema.object()
      .required("refreshToken", Schema.string().minLength(1).maxLength(256));
  private static final Schema ACCEPT_INVITE = Schema.object()
      .required("token", Schema.string().minLength(1).maxLength(256))
      .required("password", Schema.string().minLength(1).maxLength(256));
  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; font-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
      + "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

  private HttpApi() {
  }

  static Router router(Vertx vertx, Services services) {
    Router router = Router.router(vertx);
    RelaisConfig config = services.config();
    router.route().handler(ctx -> {
      HttpServerResponse r = ctx.response();
      r.putHeader("X-Content-Type-Options", "nosniff");
      r.putHeader("X-Frame-Options", "DENY");
      r.putHeader("Referrer-Policy", "no-referrer");
      r.putHeader("Content-Security-Policy", CSP);
      r.putHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
      if (servedOverTls(ctx, config)) {
        r.putHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
      }
      ctx.next();
    });

    router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(ctx -> services.db().ping()
        .timeout(1, TimeUnit.SECONDS)
        .onComplete(ar -> json(ctx, ar.succeeded() ? 200 : 503, new JsonObject()
            .put("status", ar.succeeded() ? "UP" : "DOWN")
            .put("checks", new JsonObject().put("redis", ar.succeeded() ? "UP" : "DOWN")))));
    // Metrics show activity: readable from this machine (a local Prometheus or agent), or by a network admin.
    router.get("/metrics").handler(ctx -> {
      boolean local = isLoopback(ctx.request().remoteAddress().hostAddress())
          && ctx.request().getHeader("X-Forwarded-For") == null && ctx.request().getHeader("Forwarded") == null;
      String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
      Future<Boolean> allowed = local ? Future.succeededFuture(true)
          : header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
              ? services.auth().authenticate(header.substring(7).trim()).map(p -> p.isAdmin()).recover(e -> Future.succeededFuture(false))
              : Future.succeededFuture(false);
      allowed.onComplete(ar -> {
        if (!ar.result()) {
          error(ctx, RelaisException.forbidden("Metrics are readable locally or by a network admin"));
          return;
        }
        ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
            .end(services.metrics().registry.scrape());
      });
    });

    // The API speaks JSON only. curl -d and some libraries label JSON as a form; decoding it as one would fail
    // on long values, so the label is dropped and the body goes to the JSON decoder like any other.
    router.route("/api/*").handler(ctx -> {
      String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
      if (type != null && !type.regionMatches(true, 0, "application/json", 0, 16)) {
        ctx.request().headers().remove(HttpHeaders.CONTENT_TYPE);
      }
      ctx.next();
    });
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(config.wsMaxFrameBytes()));
    router.post("/api/auth/login").handler(ctx -> {
      JsonObject body = body(ctx, LOGIN);
      respond(ctx, services.auth().login(body.getString("email"), body.getString("password"),
          clientIp(ctx, config), ctx.request().getHeader(HttpHeaders.USER_AGENT)), false);
    });
    // Refresh, logout and invitation tokens could be guessed: each address has a budget (RateClass.AUTH).
    router.post("/api/auth/refresh").handler(ctx -> {
      String token = body(ctx, REFRESH).getString("refreshToken");
      respond(ctx, authBudget(ctx, services).compose(v -> services.auth().refresh(token, clientIp(ctx, config))), false);
    });
    router.post("/api/auth/logout").handler(ctx -> {
      String token = body(ctx, REFRESH).getString("refreshToken");
      respond(ctx, authBudget(ctx, services).compose(v -> services.auth().logout(token, clientIp(ctx, config)))
          .map(v -> new JsonObject().put("ok", true)), false);
    });
    router.post("/api/auth/accept-invite").handler(ctx -> {
      JsonObject body = body(ctx, ACCEPT_INVITE);
      respond(ctx, authBudget(ctx, services).compose(v -> services.auth().acceptInvite(body.getString("token"),
          body.getString("password"), ctx.request().getHeader(HttpHeaders.USER_AGENT), clientIp(ctx, config))), false);
    });
    router.post("/api/ops/:op").handler(ctx -> {
      String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
      if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw RelaisException.unauthenticated("Authorization: Bearer <access token> required");
      }
      Op op = services.dispatcher().find(ctx.pathParam("op"));
      JsonObject data = bodyText(ctx) == null ? new JsonObject() : JsonFrames.parseObject(bodyText(ctx));
      String address = clientIp(ctx, config);
      respond(ctx, services.auth().authenticate(header.substring(7).trim())
          .compose(principal -> services.dispatcher().dispatch(Dispatcher.HTTP, principal.withAddress(address), op, data)), true);
    });
    router.route("/api/*").handler(ctx -> error(ctx, RelaisException.notFound("No such endpoint")));

    // Calendar subscriptions: the secret in the URL is the credential (calendar applications send no token).
    router.get("/ical/:file").handler(ctx -> {
      String file = ctx.pathParam("file");
      if (!file.matches("[A-Za-z0-9_-]{43}\\.ics")) {
        ctx.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end("Not found");
        return;
      }
      services.calendars().feed(file.substring(0, 43)).onComplete(ar -> {
        if (ar.failed()) {
          RelaisException e = RelaisException.from(ar.cause());
          ctx.response().setStatusCode(e.code().httpStatus()).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
              .end(e.code() == ErrorCode.NOT_FOUND ? "Not found" : e.getMessage());
          return;
        }
        IcsFeed feed = ar.result();
        HttpServerResponse r = ctx.response()
            .putHeader(HttpHeaders.ETAG, feed.etag())
            .putHeader(HttpHeaders.LAST_MODIFIED, DateTimeFormatter.RFC_1123_DATE_TIME.format(feed.lastModified().atZone(ZoneOffset.UTC)))
            .putHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=300");
        if (feed.etag().equals(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
          r.setStatusCode(304).end();
          return;
        }
        r.putHeader(HttpHeaders.CONTENT_TYPE, IcsFeed.CONTENT_TYPE).end(feed.body());
      });
    });

    router.route().handler(services.assets()::handle);
    router.route().handler(ctx -> ctx.response().setStatusCode(404)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end("Not found"));

    router.route().failureHandler(ctx -> {
      Throwable failure = ctx.failure();
      if (failure == null && ctx.statusCode() == 413) {
        failure = new RelaisException(ErrorCode.TOO_LARGE, "Request body too large");
      } else if (failure == null) {
        failure = ctx.statusCode() == 404 ? RelaisException.notFound("Not found")
            : new RelaisException(ErrorCode.BAD_REQUEST, "Bad request");
      }
      error(ctx, failure);
    });
    return router;
  }

  private static boolean isLoopback(String address) {
    return address != null && (address.startsWith("127.") || address.equals("::1") || address.equals("0:0:0:0:0:0:0:1"));
  }

  /**
   * The client's address: the peer's, or, when the peer is a trusted proxy, the nearest untrusted address in
   * X-Forwarded-For (read from the right, so a client cannot forge it by sending its own header).
   */
  static String clientIp(RoutingContext ctx, RelaisConfig config) {
    return clientIp(ctx.request().remoteAddress().hostAddress(), ctx.request().getHeader("X-Forwarded-For"), config);
  }

  /** The client's address from the peer's and its X-Forwarded-For header (see above); the same for WebSockets. */
  static String clientIp(String peer, String forwarded, RelaisConfig config) {
    if (forwarded == null || !config.trustedProxies().contains(peer)) {
      return peer;
    }
    String[] hops = forwarded.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (!hop.isEmpty() && !config.trustedProxies().contains(hop)) {
        return hop;
      }
    }
    return peer;
  }

  /**
   * Whether the browser reached us over TLS: served by this server's own TLS, or by a trusted proxy that says so
   * with {@code X-Forwarded-Proto: https}. Only then is HSTS sent (browsers ignore it over plain HTTP anyway, and a
   * header believed from anyone would let a client decide).
   */
  static boolean servedOverTls(RoutingContext ctx, RelaisConfig config) {
    if (ctx.request().isSSL()) {
      return true;
    }
    String proto = ctx.request().getHeader("X-Forwarded-Proto");
    return proto != null && proto.trim().equalsIgnoreCase("https")
        && config.trustedProxies().contains(ctx.request().remoteAddress().hostAddress());
  }

  private static Future<Void> authBudget(RoutingContext ctx, Services services) {
    return services.dispatcher().limits().admitAddress(RateClass.AUTH, clientIp(ctx, services.config()));
  }

  private static JsonObject body(RoutingContext ctx, Schema schema) {
    String text = bodyText(ctx);
    return schema.validate(JsonFrames.parseObject(text == null ? "{}" : text));
  }

  /** The request body, or null when there is none. */
  private static String bodyText(RoutingContext ctx) {
    String text = ctx.body().asString();
    return text == null || text.isBlank() ? null : text;
  }

  /** Ops reply in the envelope {@code {"ok":true,"data":…}}; the auth endpoints reply with their object itself. */
  private static void respond(RoutingContext ctx, Future<JsonObject> result, boolean envelope) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 200, envelope ? new JsonObject().put("ok", true).put("data", ar.result()) : ar.result());
      } else {
        error(ctx, ar.cause());
      }
    });
  }

  static void error(RoutingContext ctx, Throwable failure) {
    RelaisException e = RelaisException.from(failure);
    if (e.code() == ErrorCode.INTERNAL && !(failure instanceof RelaisException)) {
      org.slf4j.LoggerFactory.getLogger(HttpApi.class).error("http request failed {} {}", ctx.request().method(),
          ctx.request().path(), failure);
    }
    if (e.code() == ErrorCode.RATE_LIMITED && e.details() != null) {
      ctx.response().putHeader("Retry-After", String.valueOf(Math.max(1, (e.details().getLong("retryAfterMs", 1000L) + 999) / 1000)));
    }
    json(ctx, e.code().httpStatus(), new JsonObject().put("ok", false).put("error", e.toJson()));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(io.vertx.core.internal.buffer.BufferInternal.buffer(JsonFrames.encodeUtf8(body)));
  }
}
