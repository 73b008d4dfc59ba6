package org.relais.notifications;

import io.vertx.core.Future;

/** Whether a person has a live session now (then a push would be redundant). Provided by presence. */
@FunctionalInterface
public interface OnlineCheck {
  Future<Boolean> isOnline(String userId);
}
