package org.relais.notifications;

import org.relais.core.Ids;
import com.zerodeplibs.webpush.EncryptedPushMessage;
import com.zerodeplibs.webpush.MessageEncryption;
import com.zerodeplibs.webpush.MessageEncryptions;
import com.zerodeplibs.webpush.PushMessage;
import com.zerodeplibs.webpush.UserAgentMessageEncryptionKeyInfo;
import com.zerodeplibs.webpush.VAPIDKeyPair;
import com.zerodeplibs.webpush.VAPIDKeyPairs;
import com.zerodeplibs.webpush.jwt.VAPIDJWTParam;
import com.zerodeplibs.webpush.key.PrivateKeySources;
import com.zerodeplibs.webpush.key.PublicKeySources;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Command;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.redis.RedisDb;
import org.relais.redis.Responses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

final class PushServiceImpl implements PushService {
  private static final Logger LOG = LoggerFactory.getLogger(PushService.class);
  private static final int MAX_SUBSCRIPTIONS = 10;

  private final Vertx vertx;
  private final RedisDb db;
  private final PushSettings settings;
  private final VAPIDKeyPair keys;
  private final WebClient http;
  private final MessageEncryption encryption = MessageEncryptions.of();
  private final SessionCheck sessions;

  private PushServiceImpl(Vertx vertx, RedisDb db, PushSettings settings, VAPIDKeyPair keys, SessionCheck sessions) {
    this.vertx = vertx;
    this.db = db;
    this.settings = settings;
    this.keys = keys;
    this.sessions = sessions;
    this.http = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(10_000).setIdleTimeout(30)
        .setIdleTimeoutUnit(TimeUnit.SECONDS).setUserAgent("Relais"));
  }

  static Future<PushService> create(Vertx vertx, RedisDb db, PushSettings settings, SessionCheck sessions) {
    return db.send(Command.GET, NotificationKeys.vapid()).compose(stored -> {
      if (stored != null) {
        return Future.succeededFuture(stored.toString());
      }
      String fresh = generate();
      return db.send(Command.SET, NotificationKeys.vapid(), fresh, "NX")
          .compose(x -> db.send(Command.GET, NotificationKeys.vapid()))
          .map(Responses::str);
    }).map(json -> {
      JsonObject k = new JsonObject(json);
      Base64.Decoder b64 = Base64.getDecoder();
      VAPIDKeyPair pair = VAPIDKeyPairs.of(PrivateKeySources.ofPKCS8Bytes(b64.decode(k.getString("private"))),
          PublicKeySources.ofX509Bytes(b64.decode(k.getString("public"))));
      return new PushServiceImpl(vertx, db, settings, pair, sessions);
    });
  }

  private static String generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      Base64.Encoder b64 = Base64.getEncoder();
      return new JsonObject()
          .put("private", b64.encodeToString(((ECPrivateKey) pair.getPrivate()).getEncoded()))
          .put("public", b64.encodeToString(((ECPublicKey) pair.getPublic()).getEncoded()))
          .encode();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate the VAPID key pair", e);
    }
  }

  @Override
  public String vapidPublicKey() {
    return keys.extractPublicKeyInUncompressedFormAsString();
  }

  @Override
  public Future<JsonObject> subscribe(Principal p, JsonObject subscription) {
    String endpoint = subscription.getString("endpoint");
    JsonObject k = subscription.getJsonObject("keys");
    try {
      URI uri = new URI(endpoint);
      boolean secure = "https".equals(uri.getScheme()) && uri.getHost() != null && settings.allows(uri.getHost());
      boolean allowedInsecure = settings.allowInsecureEndpoints() && "http".equals(uri.getScheme()) && uri.getHost() != null;
      if (!secure && !allowedInsecure) {
        throw new IllegalArgumentException();
      }
      // Proves the keys are a usable P-256 point and a 16-byte secret before they are stored.
      UserAgentMessageEncryptionKeyInfo.of(k.getString("p256dh"), k.getString("auth"));
    } catch (Exception e) {
      return Future.failedFuture(RelaisException.badRequest(
          "data: expected a browser push subscription (an https endpoint of a known push service, p256dh and auth keys)"));
    }
    String field = endpointId(endpoint);
    return db.send(Command.HLEN, NotificationKeys.subscriptions(p.userId())).compose(count -> {
      if (count.toLong() >= MAX_SUBSCRIPTIONS) {
        return db.send(Command.HEXISTS, NotificationKeys.subscriptions(p.userId()), field).compose(exists -> exists.toLong() == 1
            ? Future.succeededFuture()
            : Future.failedFuture(RelaisException.conflict("At most " + MAX_SUBSCRIPTIONS + " browsers per person; remove one first")));
      }
      return Future.succeededFuture();
    }).compose(v -> db.send(Command.HSET, NotificationKeys.subscriptions(p.userId()), field, new JsonObject()
            .put("endpoint", endpoint).put("p256dh", k.getString("p256dh")).put("auth", k.getString("auth"))
            .put("sid", p.sessionId()).encode()))
        .map(v -> new JsonObject().put("subscribed", true));
  }

  @Override
  public Future<JsonObject> unsubscribe(Principal p, String endpoint) {
    return db.send(Command.HDEL, NotificationKeys.subscriptions(p.userId()), endpointId(endpoint))
        .map(r -> new JsonObject().put("removed", r.toLong() == 1));
  }

  @Override
  public Future<Integer> send(String userId, JsonObject payload, String urgency, String topic) {
    return db.send(Command.HGETALL, NotificationKeys.subscriptions(userId)).compose(r -> {
      Map<String, String> subs = Responses.toMap(r);
      List<Future<Boolean>> sent = new ArrayList<>();
      subs.forEach((field, json) -> {
        JsonObject sub = new JsonObject(json);
        // A browser is subscribed for the session that subscribed it: after logout (a shared laptop), no more pushes.
        Future<Boolean> open = sub.getString("sid") == null ? Future.succeededFuture(true) : sessions.active(sub.getString("sid"));
        sent.add(open.compose(active -> {
          if (!active) {
            return db.send(Command.HDEL, NotificationKeys.subscriptions(userId), field).map(false);
          }
          return sendOne(userId, field, sub, payload, urgency, topic);
        }));
      });
      return Future.join(sent).map(all -> (int) sent.stream().filter(f -> f.succeeded() && f.result()).count());
    }).recover(e -> {
      LOG.warn("push to user {} failed: {}", userId, e.getMessage());
      return Future.succeededFuture(0);
    });
  }

  private Future<Boolean> sendOne(String userId, String field, JsonObject sub, JsonObject payload, String urgency,
                                  String topic) {
    byte[] body;
    String authorization;
    try {
      EncryptedPushMessage encrypted = encryption.encrypt(
          UserAgentMessageEncryptionKeyInfo.of(sub.getString("p256dh"), sub.getString("auth")),
          PushMessage.ofUTF8(payload.encode()));
      body = encrypted.toBytes();
      authorization = keys.generateAuthorizationHeaderValue(VAPIDJWTParam.getBuilder()
          .resourceURLString(sub.getString("endpoint"))
          .expiresAfter(12, TimeUnit.HOURS)
          .subject(settings.subject())
          .build());
    } catch (RuntimeException e) {
      LOG.warn("push to user {} not encrypted: {}", userId, e.toString());
      return Future.succeededFuture(false);
    }
    Promise<Boolean> done = Promise.promise();
    attempt(userId, field, sub.getString("endpoint"), body, authorization, urgency, topic, 1, done);
    return done.future();
  }

  private void attempt(String userId, String field, String endpoint, byte[] body, String authorization, String urgency,
                       String topic, int attempt, Promise<Boolean> done) {
    var request = http.postAbs(endpoint)
        .putHeader("TTL", String.valueOf(settings.ttlSeconds()))
        .putHeader("Urgency", urgency)
        .putHeader("Content-Encoding", "aes128gcm")
        .putHeader("Content-Type", "application/octet-stream")
        .putHeader("Authorization", authorization)
        .timeout(30_000);
    if (topic != null) {
      request.putHeader("Topic", topic);
    }
    request.sendBuffer(Buffer.buffer(body)).onComplete(ar -> {
      if (ar.succeeded() && ar.result().statusCode() / 100 == 2) {
        done.complete(true);
        return;
      }
      int status = ar.succeeded() ? ar.result().statusCode() : 0;
      if (status == 404 || status == 410) {
        LOG.info("push subscription of user {} is gone ({}); removed", userId, status);
        db.send(Command.HDEL, NotificationKeys.subscriptions(userId), field).onComplete(x -> done.complete(false));
        return;
      }
      boolean retry = status == 0 || status == 429 || status >= 500;
      if (retry && attempt < settings.maxAttempts()) {
        long delay = retryDelay(ar.succeeded() ? ar.result() : null, attempt);
        vertx.setTimer(delay, t -> attempt(userId, field, endpoint, body, authorization, urgency, topic, attempt + 1, done));
        return;
      }
      LOG.warn("push to user {} failed after {} attempt(s): {}", userId, attempt,
          ar.succeeded() ? "HTTP " + status : ar.cause().toString());
      done.complete(false);
    });
  }

  private long retryDelay(HttpResponse<Buffer> response, int attempt) {
    long backoff = settings.firstRetryMs() * (long) Math.pow(4, attempt - 1);
    if (response != null) {
      String retryAfter = response.getHeader("Retry-After");
      if (retryAfter != null && retryAfter.matches("\\d{1,6}")) {
        return Math.max(backoff, Long.parseLong(retryAfter) * 1000);
      }
    }
    return backoff;
  }

  private static String endpointId(String endpoint) {
    return Ids.sha256Hex(endpoint).substring(0, 32);
  }

}
