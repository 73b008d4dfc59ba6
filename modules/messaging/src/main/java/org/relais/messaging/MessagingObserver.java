package org.relais.messaging;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;

/**
 * What other features (notifications) learn from messaging, after the write succeeded. Implementations must not
 * block and must not fail the caller: messaging ignores their outcome.
 */
public interface MessagingObserver {

  /** No-one listens. */
  MessagingObserver NONE = new MessagingObserver() {
  };

  /**
   * A message was sent (not a retry).
   *
   * @param channel   the channel, as it was at the send
   * @param message   the message, in its wire shape
   * @param mentioned people mentioned who can read the channel
   */
  default void messageSent(Channel channel, JsonObject message, List<String> mentioned) {
  }

  /**
   * A read that {@link #messageSent(Channel, JsonObject, List, Response)} will need, sent with the send's own reads
   * of the channel (in the same round trip; it may therefore see the state just before the send), or null. Its
   * reply is given even when the channel's kind makes it useless: it should be cheap.
   */
  default Request beforeSend(String channelId) {
    return null;
  }

  /**
   * A message was sent, with the reply to {@link #beforeSend}'s read (null when there was none). By default,
   * {@link #messageSent(Channel, JsonObject, List)}.
   */
  default void messageSent(Channel channel, JsonObject message, List<String> mentioned, Response beforeSend) {
    messageSent(channel, message, mentioned);
  }

  /** People were added to a channel with listed members by someone else (an invitation, or a new direct conversation). */
  default void membersAdded(Channel channel, List<String> userIds, String actorId) {
  }
}
