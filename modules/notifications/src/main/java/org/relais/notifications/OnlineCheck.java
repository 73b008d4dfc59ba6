package org.relais.notifications;

import io.vertx.core.Future;

/**
 * Whether a push would be redundant or unwanted now: the person is online (they will see it live) or has asked not
 * to be disturbed. Away and offline people get pushes. Provided by presence.
 */
@FunctionalInterface
public interface OnlineCheck {
  Future<Boolean> isOnline(String userId);
}
