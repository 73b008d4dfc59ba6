package org.relais.messaging;

import io.vertx.core.json.JsonObject;
import org.relais.core.OpRegistry;
import org.relais.core.Schema;

import java.util.List;
import java.util.regex.Pattern;

/** Registers the channel, message and typing ops in the dispatch table. */
public final class MessagingOps {
  private static final Schema CHANNEL_ID = Schema.id();
  private static final Schema SEQ = Schema.integer(0, Schema.MAX_SAFE_INTEGER);
  private static final Schema PAGE_LIMIT = Schema.integer(1, 100);
  private static final Schema USER_IDS = Schema.array(Schema.id()).minItems(1).maxItems(100).unique();
  private static final Schema CLIENT_MSG_ID = Schema.string().pattern(Pattern.compile("[A-Za-z0-9_\\-]{1,64}"),
      "1 to 64 letters, digits, '-' or '_'");
  private static final Schema EMOJI = Schema.string().minLength(1).maxLength(32).singleLine()
      .pattern(Pattern.compile("\\S+"), "an emoji or a :shortcode: without spaces");

  private MessagingOps() {
  }

  public static void register(OpRegistry ops, MessagingService messaging, MessagingSettings settings) {
    Schema text = Schema.text(settings.maxMessageChars());

    ops.register("channel.create", Schema.object()
            .required("name", Schema.name(80))
            .required("kind", Schema.oneOf("network", "regional", "thematic", "organisation", "partnership", "direct"))
            .optional("visibility", Schema.oneOf("public", "private"))
            .optional("topic", Schema.name(250).minLength(0))
            .optional("description", Schema.text(1_000))
            .optional("orgId", Schema.id())
            .optional("memberIds", USER_IDS)
            .optional("sensitive", Schema.bool()),
        messaging::createChannel, 3);

    ops.register("channel.update", Schema.object()
            .required("channelId", CHANNEL_ID)
            .optional("name", Schema.name(80))
            .optional("topic", Schema.name(250).minLength(0))
            .optional("description", Schema.text(1_000))
            .optional("sensitive", Schema.bool()),
        messaging::updateChannel);

    ops.register("channel.archive", Schema.object()
            .required("channelId", CHANNEL_ID)
            .optional("archived", Schema.bool()),
        (p, d) -> messaging.archiveChannel(p, d.getString("channelId"), d.getBoolean("archived", true)));

    ops.register("channel.list", Schema.object(), (p, d) -> messaging.listChannels(p), 2);

    ops.register("channel.browse", Schema.object()
            .optional("query", Schema.string().maxLength(80))
            .optional("kind", Schema.oneOf("network", "regional", "thematic"))
            .optional("limit", PAGE_LIMIT)
            .optional("offset", Schema.integer(0, 100_000)),
        messaging::browseChannels, 2);

    ops.register("channel.join", Schema.object().required("channelId", CHANNEL_ID),
        (p, d) -> messaging.join(p, d.getString("channelId")));

    ops.register("channel.leave", Schema.object().required("channelId", CHANNEL_ID),
        (p, d) -> messaging.leave(p, d.getString("channelId")));

    ops.register("channel.invite", Schema.object()
            .required("channelId", CHANNEL_ID)
            .required("userIds", USER_IDS),
        (p, d) -> messaging.invite(p, d.getString("channelId"), strings(d, "userIds")), 2);

    ops.register("channel.kick", Schema.object()
            .required("channelId", CHANNEL_ID)
            .required("userId", Schema.id()),
        (p, d) -> messaging.kick(p, d.getString("channelId"), d.getString("userId")));

    ops.register("channel.members", Schema.object()
            .required("channelId", CHANNEL_ID)
            .optional("limit", Schema.integer(1, 500))
            .optional("offset", Schema.integer(0, 1_000_000)),
        messaging::members);

    ops.register("channel.setRole", Schema.object()
            .required("channelId", CHANNEL_ID)
            .required("userId", Schema.id())
            .required("role", Schema.oneOf("owner", "moderator", "member")),
        (p, d) -> messaging.setRole(p, d.getString("channelId"), d.getString("userId"), MemberRole.fromWire(d.getString("role"))));

    ops.register("dm.open", Schema.object()
            .required("userIds", Schema.array(Schema.id()).minItems(1).maxItems(settings.maxDirectMembers() - 1).unique()),
        (p, d) -> messaging.openDirect(p, strings(d, "userIds")), 2);

    ops.register("message.send", Schema.object()
            .required("channelId", CHANNEL_ID)
            .required("text", text)
            .required("clientMsgId", CLIENT_MSG_ID)
            .optional("threadRootId", Schema.id()),
        // reads the channel and membership while the dispatcher checks the rate limits (one round trip for both)
        org.relais.core.OpHandler.gated(messaging::send));

    ops.register("message.edit", Schema.object()
            .required("channelId", CHANNEL_ID)
            .required("messageId", Schema.id())
            .required("text", text),
        messaging::edit);

    ops.register("message.delete", Schema.object()
            .required("channelId", CHANNEL_ID)
            .required("messageId", Schema.id()),
        messaging::delete);

    Schema reaction = Schema.object()
        .required("channelId", CHANNEL_ID)
        .required("messageId", Schema.id())
        .required("emoji", EMOJI);
    ops.register("message.react", reaction, (p, d) -> messaging.react(p, d, true));
    ops.register("message.unreact", reaction, (p, d) -> messaging.react(p, d, false));

    ops.register("message.history", Schema.object()
            .required("channelId", CHANNEL_ID)
            .optional("before", Schema.integer(1, Schema.MAX_SAFE_INTEGER))
            .optional("after", SEQ)
            .optional("around", Schema.integer(1, Schema.MAX_SAFE_INTEGER))
            .optional("limit", PAGE_LIMIT),
        messaging::history);

    ops.register("thread.history", Schema.object()
            .required("channelId", CHANNEL_ID)
            .required("messageId", Schema.id())
            .optional("after", SEQ)
            .optional("limit", PAGE_LIMIT),
        messaging::threadHistory);

    ops.register("channel.markRead", Schema.object()
            .required("channelId", CHANNEL_ID)
            .required("seq", SEQ),
        (p, d) -> messaging.markRead(p, d.getString("channelId"), d.getLong("seq")));

    ops.register("typing.start", Schema.object()
            .required("channelId", CHANNEL_ID)
            .optional("threadRootId", Schema.id()),
        messaging::typing);
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(JsonObject d, String field) {
    return (List<String>) (List<?>) d.getJsonArray(field).getList();
  }
}
