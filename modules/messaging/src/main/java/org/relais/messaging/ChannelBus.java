package org.relais.messaging;

import io.vertx.core.Future;

import java.util.Collection;

/**
 * How messaging tells the nodes about channel events, without knowing about sockets. Implemented by the server.
 * Calls never fail the caller: the log in Redis is the record, these are hints that make delivery immediate.
 */
public interface ChannelBus {

  /**
   * The pub/sub topic of a channel's events. The messaging scripts (send, edit, delete, react) PUBLISH their event on
   * it themselves, in the same round trip as the write, instead of calling {@link #publish}.
   */
  static String topic(String channelId) {
    return org.relais.redis.Keys.PREFIX + "topic:ch:" + channelId;
  }

  /** Publishes a logged event (or an ephemeral one, without offset) on the channel's topic. */
  Future<Void> publish(String channelId, String eventJson);

  /** The sockets of these users start following the channel, receiving its events after {@code afterOffset}. */
  Future<Void> follow(Collection<String> userIds, String channelId, long afterOffset);

  /**
   * The sockets of everyone (orgId null) or of one organisation's people start following the channel: for
   * network and organisation channels, whose members are not listed.
   */
  Future<Void> followAll(String orgId, String channelId, long afterOffset);
}
