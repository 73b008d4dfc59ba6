package org.relais.calendar;

import io.vertx.core.Future;

import java.util.Collection;

/**
 * The members of a channel, for pushing a channel calendar's changes to them. Optional: without it, changes of a
 * channel calendar go to the event's organiser and attendees only.
 */
@FunctionalInterface
public interface ChannelMembers {
  Future<Collection<String>> of(String channelId);
}
