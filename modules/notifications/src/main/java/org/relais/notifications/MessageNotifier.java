package org.relais.notifications;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.relais.identity.IdentityService;
import org.relais.identity.User;
import org.relais.messaging.Channel;
import org.relais.messaging.ChannelKind;
import org.relais.messaging.MessagingObserver;
import org.relais.messaging.MessagingService;
import org.relais.redis.RedisDb;
import org.relais.redis.Responses;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns messaging's news into notifications: a mention for each person mentioned (and, for @channel, for each
 * member of a channel with listed members), a direct-message notification for the other people of a direct
 * conversation, a message notification for members who follow a channel with "all", and an invitation for people
 * added to a channel. The author is never notified of their own message. @channel in network and organisation
 * channels notifies nobody (it would be everyone); mentions of named people there do.
 */
final class MessageNotifier implements MessagingObserver {
  private static final Pattern USER_MARKUP = Pattern.compile("<@([0-9A-HJKMNP-TV-Z]{26})>");

  private final NotificationServiceImpl notifications;
  private final RedisDb db;
  private final IdentityService identity;
  private final MessagingService messaging;

  MessageNotifier(NotificationServiceImpl notifications, RedisDb db, IdentityService identity, MessagingService messaging) {
    this.notifications = notifications;
    this.db = db;
    this.identity = identity;
    this.messaging = messaging;
  }

  /** Who follows the channel with "all": read with the send's own reads (messaging joins it to its batch). */
  @Override
  public Request beforeSend(String channelId) {
    return Request.cmd(Command.SMEMBERS).arg(NotificationKeys.channelAll(channelId));
  }

  @Override
  public void messageSent(Channel channel, JsonObject message, List<String> mentioned) {
    messageSent(channel, message, mentioned, null);
  }

  @Override
  public void messageSent(Channel channel, JsonObject message, List<String> mentioned, Response beforeSend) {
    String author = message.getString("authorId");
    boolean direct = channel.kind() == ChannelKind.DIRECT;
    boolean listed = !channel.kind().implicit();
    boolean everyone = !direct && listed && message.getBoolean("mentionsChannel", false);
    // Who follows the channel with "all" is read first (usually nobody: a small, empty set; given by messaging when
    // it read it with the send); the members are read only when someone must be checked against them: a direct
    // conversation, @channel, or a follower to confirm.
    Future<List<String>> wantAll = !listed || direct ? Future.succeededFuture(List.of())
        : beforeSend != null ? Future.succeededFuture(Responses.toList(beforeSend))
        : db.send(Command.SMEMBERS, NotificationKeys.channelAll(channel.id())).map(Responses::toList);
    if (!direct && !everyone && mentioned.isEmpty() && wantAll.succeeded() && wantAll.result().isEmpty()) {
      return; // nobody to tell, nothing more to read
    }
    wantAll.compose(followers -> {
      boolean candidates = followers.stream().anyMatch(u -> !u.equals(author));
      Future<List<String>> members = listed && (direct || everyone || candidates)
          ? messaging.memberIds(channel.id()) : Future.succeededFuture(List.of());
      return members.map(m -> recipients(direct, everyone, new HashSet<>(m), followers, mentioned, author));
    }).compose(recipients -> {
      if (recipients.isEmpty()) {
        return Future.succeededFuture();
      }
      List<String> lookup = new ArrayList<>(recipients.keySet());
      lookup.add(author);
      java.util.regex.Matcher markup = USER_MARKUP.matcher(message.getString("text", ""));
      while (markup.find()) {
        lookup.add(markup.group(1));
      }
      return identity.usersById(lookup).compose(users -> {
        String authorName = users.containsKey(author) ? users.get(author).displayName() : "";
        String text = readable(message.getString("text", ""), users);
        JsonObject target = new JsonObject().put("channelId", channel.id()).put("seq", message.getLong("seq"))
            .put("messageId", message.getString("id"));
        List<Future<Void>> sent = new ArrayList<>();
        recipients.forEach((user, kind) -> {
          String where = direct ? "" : "#" + channel.name();
          sent.add(notifications.notify(new Notification(kind, user,
              List.of(authorName, direct ? authorName : where, NotificationServiceImpl.shorten(text, 400)), target,
              "msg:" + message.getString("id"), channel.id(), channel.id(), channel.sensitive())));
        });
        return Future.join(sent);
      });
    });
  }

  /**
   * Who is told, and how: in a direct conversation its members (a mention for those mentioned); elsewhere the
   * followers with "all" who are members, then everyone for @channel, then those mentioned. Never the author.
   */
  private static Map<String, NotificationKind> recipients(boolean direct, boolean everyone, Set<String> inChannel,
                                                         List<String> followers, List<String> mentioned,
                                                         String author) {
    Map<String, NotificationKind> recipients = new LinkedHashMap<>();
    if (direct) {
      inChannel.forEach(u -> recipients.put(u, NotificationKind.DIRECT));
      mentioned.forEach(u -> recipients.put(u, NotificationKind.MENTION));
    } else {
      for (String u : followers) {
        if (inChannel.contains(u)) {
          recipients.put(u, NotificationKind.MESSAGE);
        }
      }
      if (everyone) {
        inChannel.forEach(u -> recipients.put(u, NotificationKind.MENTION));
      }
      mentioned.forEach(u -> recipients.put(u, NotificationKind.MENTION));
    }
    recipients.remove(author);
    return recipients;
  }

  /** Mentions written as {@code <@ID>} read as {@code @Name}. */
  private static String readable(String text, Map<String, User> users) {
    return USER_MARKUP.matcher(text).replaceAll(m -> {
      User u = users.get(m.group(1));
      return "@" + (u == null ? "…" : java.util.regex.Matcher.quoteReplacement(u.displayName()));
    });
  }

  @Override
  public void membersAdded(Channel channel, List<String> userIds, String actorId) {
    if (channel.kind() == ChannelKind.DIRECT) {
      return;
    }
    List<String> lookup = new ArrayList<>(userIds);
    lookup.add(actorId);
    identity.usersById(lookup).onSuccess(users -> {
      String actor = users.containsKey(actorId) ? users.get(actorId).displayName() : "";
      for (String user : userIds) {
        // A sensitive channel's topic stays out of the notification; its name and who added you are enough.
        notifications.notify(new Notification(NotificationKind.CHANNEL_INVITE, user,
            List.of(actor, "#" + channel.name(), channel.sensitive() ? "" : channel.topic()),
            new JsonObject().put("channelId", channel.id()), "invite:" + channel.id() + ":" + channel.offset(), null,
            channel.id(), false));
      }
    });
  }
}
