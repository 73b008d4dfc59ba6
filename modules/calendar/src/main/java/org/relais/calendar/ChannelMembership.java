package org.relais.calendar;

import io.vertx.core.Future;
import org.relais.core.Principal;

/**
 * Whether a person is a member of a channel now: who may read and write a channel's calendar. The server passes
 * messaging's {@code isMember}. Must not fail for a missing channel: it answers false.
 */
@FunctionalInterface
public interface ChannelMembership {
  Future<Boolean> isMember(Principal principal, String channelId);
}
