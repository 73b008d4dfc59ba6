package org.relais.server;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.relais.calendar.CalendarService;
import org.relais.core.Principal;
import org.relais.core.Role;
import org.relais.identity.IdentityService;
import org.relais.messaging.MessagingService;
import org.relais.notifications.Notification;
import org.relais.notifications.NotificationKind;
import org.relais.notifications.NotificationService;
import org.relais.partnerships.PartnershipNotifier;
import org.relais.partnerships.PartnershipSpaces;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** How an accepted partnership opens its shared space, and how its steps reach the notification center. */
final class PartnershipWiring {
  /** Reads organisations on the system's behalf (org.get checks nothing about who asks). */
  private static final Principal SYSTEM = new Principal("system", "", Set.of(Role.MEMBER), "system", "en");

  private PartnershipWiring() {
  }

  private static Future<String> label(IdentityService identity, JsonObject request) {
    return identity.getOrg(SYSTEM, request.getString("fromOrgId"))
        .compose(from -> identity.getOrg(SYSTEM, request.getString("toOrgId")).map(to ->
            from.getJsonObject("org").getString("shortName") + " × " + to.getJsonObject("org").getString("shortName")));
  }

  /**
   * The private partnership channel with both sides' focal points, and that channel's calendar. Idempotent by the
   * request id: messaging opens one channel per key, and a channel has one calendar.
   */
  record Spaces(IdentityService identity, MessagingService messaging, CalendarService calendars) implements PartnershipSpaces {
    @Override
    public Future<JsonObject> open(JsonObject request) {
      JsonObject focal = request.getJsonObject("focalPoints", new JsonObject());
      Set<String> members = new LinkedHashSet<>();
      focal.getJsonArray("from", new JsonArray()).forEach(u -> members.add(String.valueOf(u)));
      focal.getJsonArray("to", new JsonArray()).forEach(u -> members.add(String.valueOf(u)));
      String owner = request.getString("acceptedBy", members.isEmpty() ? "" : members.iterator().next());
      String purpose = request.getString("purpose", "");
      String topic = purpose.length() > 200 ? purpose.substring(0, 199) + "…" : purpose;
      return label(identity, request)
          .compose(name -> messaging.openPartnershipChannel(request.getString("id"), name, topic, new ArrayList<>(members), owner))
          .compose(opened -> {
            String channelId = opened.getJsonObject("channel").getString("id");
            return calendars.channelCalendar(channelId).map(cal -> new JsonObject().put("channelId", channelId)
                .put("calendarId", cal.getJsonObject("calendar").getString("id")));
          });
    }

    /** An ended partnership's channel is archived: its history stays, nothing new is written. */
    @Override
    public Future<Void> close(JsonObject request) {
      return messaging.closePartnershipChannel(request.getString("id"), request.getString("endedBy"));
    }
  }

  /** Each step of a partnership as a notification for each person concerned, in their language. */
  record Notifier(IdentityService identity, NotificationService notifications) implements PartnershipNotifier {
    @Override
    public void notify(String kind, JsonObject request, List<String> recipientIds, String actorId) {
      NotificationKind notificationKind = NotificationKind.fromWire(kind);
      // Titles name the acting organisation; the sweeper's steps (expiring, expired) have no actor.
      Future<String> who = actorId == null ? Future.succeededFuture("")
          : identity.usersById(List.of(actorId)).compose(users -> users.containsKey(actorId)
              ? identity.getOrg(SYSTEM, users.get(actorId).orgId()).map(o -> o.getJsonObject("org").getString("name"))
              : Future.succeededFuture(""));
      who.compose(name -> label(identity, request).map(where -> {
        for (String user : recipientIds) {
          notifications.notify(new Notification(notificationKind, user,
              List.of(name, where, request.getString("purpose", "")),
              new JsonObject().put("requestId", request.getString("id")),
              "ptn:" + request.getString("id") + ":" + kind + ":" + request.getValue("version"), null, null, false));
        }
        return null;
      }));
    }
  }
}
