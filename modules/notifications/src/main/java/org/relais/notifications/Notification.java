package org.relais.notifications;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A notification to create for one person.
 *
 * @param kind      what it is about
 * @param userId    who receives it
 * @param args      the catalogue arguments: {0} who, {1} where, {2} what (free text, shortened)
 * @param target    where it leads: {@code {"channelId","seq","messageId"}}, {@code {"eventId"}}, {@code {"requestId"}}
 * @param dedupeKey the same key never makes a second notification for the same person (retries, several nodes)
 * @param group     notifications of one group (a conversation) are coalesced into one push per minute; may be null
 * @param channelId the channel it concerns, for per-channel preferences; may be null
 * @param sensitive the push must not carry the text (only "New message in …")
 */
public record Notification(NotificationKind kind, String userId, List<String> args, JsonObject target,
                           String dedupeKey, String group, String channelId, boolean sensitive) {
}
