package org.relais.messaging;

import io.vertx.core.json.JsonObject;

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

  /** People were added to a channel with listed members by someone else (an invitation, or a new direct conversation). */
  default void membersAdded(Channel channel, List<String> userIds, String actorId) {
  }
}
