package org.relais.server;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.relais.core.EventSink;
import org.relais.notifications.Notification;
import org.relais.notifications.NotificationKind;
import org.relais.notifications.NotificationService;

import java.util.Collection;
import java.util.List;

/**
 * The calendar's events as they leave for the sockets, also turned into notifications: an invitation, a change or a
 * cancellation reaches the notification centers (and so the browsers, when away) of the people invited by name —
 * not of everyone who can see the calendar — once per version of the event. The organiser is not notified.
 */
final class CalendarNotifications implements EventSink {
  private final EventSink live;
  private final NotificationService notifications;

  CalendarNotifications(EventSink live, NotificationService notifications) {
    this.live = live;
    this.notifications = notifications;
  }

  @Override
  public Future<Void> toUsers(Collection<String> userIds, String ev, JsonObject data) {
    return live.toUsers(userIds, ev, data).compose(v -> {
      NotificationKind kind = switch (ev) {
        case "event.created" -> NotificationKind.EVENT_INVITE;
        case "event.updated" -> NotificationKind.EVENT_CHANGED;
        case "event.cancelled" -> NotificationKind.EVENT_CANCELLED;
        default -> null;
      };
      JsonObject event = data.getJsonObject("event");
      if (kind == null || event == null) {
        return Future.succeededFuture();
      }
      String organiser = event.getString("organizerId", "");
      String when = event.getString("start", "") + (event.getString("zone") != null ? " (" + event.getString("zone") + ")" : "");
      List<Object> invited = event.getJsonArray("attendeeIds", new io.vertx.core.json.JsonArray()).getList();
      for (String user : userIds) {
        if (!user.equals(organiser) && invited.contains(user)) {
          notifications.notify(new Notification(kind, user, List.of("",
              event.getString("title", ""), when), new JsonObject().put("eventId", event.getString("id")),
              "cal:" + event.getString("id") + ":" + ev + ":" + event.getValue("sequence") + ":" + event.getString("updatedAt", ""),
              null, null, false));
        }
      }
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> userChanged(String userId) {
    return live.userChanged(userId);
  }

  @Override
  public Future<Void> sessionsRevoked(String userId, String sessionId) {
    return live.sessionsRevoked(userId, sessionId);
  }
}
