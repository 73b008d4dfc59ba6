package org.relais.notifications;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.relais.core.OpRegistry;
import org.relais.core.Schema;

import java.util.regex.Pattern;

/** Registers the notification, preference and Web Push ops. */
public final class NotificationOps {
  private static final Schema TIME = Schema.string().pattern(Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]"), "a time HH:mm");
  private static final Schema B64URL = Schema.string().maxLength(200).pattern(Pattern.compile("[A-Za-z0-9_\\-=]+"), "base64url");

  private NotificationOps() {
  }

  public static void register(OpRegistry ops, NotificationService notifications, PushService push) {
    ops.register("notification.list", Schema.object()
            .optional("unreadOnly", Schema.bool())
            .optional("before", Schema.integer(0, Schema.MAX_SAFE_INTEGER))
            .optional("limit", Schema.integer(1, 100)),
        notifications::list);

    ops.register("notification.markRead", Schema.object()
            .optional("ids", Schema.array(Schema.id()).minItems(1).maxItems(500).unique())
            .optional("all", Schema.bool()),
        notifications::markRead);

    ops.register("notification.prefs.get", Schema.object(), (p, d) -> notifications.preferences(p));

    ops.register("notification.prefs.set", Schema.object()
            .optional("channels", Schema.mapOf(Schema.id(), Schema.oneOf("all", "mentions", "muted"), 500))
            .optional("kinds", Schema.mapOf(Schema.string().maxLength(40), Schema.bool(), 50))
            .optional("quietHours", Schema.object().optional("start", TIME).optional("end", TIME).optional("off", Schema.bool()))
            .optional("push", Schema.oneOf("offline", "always", "never")),
        notifications::setPreferences);

    ops.register("push.vapidKey", Schema.object(),
        (p, d) -> Future.succeededFuture(new JsonObject().put("publicKey", push.vapidPublicKey())));

    ops.register("push.subscribe", Schema.object()
            .required("endpoint", Schema.string().minLength(8).maxLength(2_048).singleLine())
            .required("keys", Schema.object().required("p256dh", B64URL).required("auth", B64URL))
            .optional("expirationTime", Schema.integer(0, Schema.MAX_SAFE_INTEGER)),
        (p, d) -> push.subscribe(p, d), 2);

    ops.register("push.unsubscribe", Schema.object()
            .required("endpoint", Schema.string().minLength(8).maxLength(2_048).singleLine()),
        (p, d) -> push.unsubscribe(p, d.getString("endpoint")));
  }
}
