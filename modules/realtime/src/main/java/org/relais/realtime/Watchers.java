package org.relais.realtime;

import io.vertx.core.Future;

import java.util.Collection;

/** Who is told when a user's presence changes: the people who share a channel with them. */
@FunctionalInterface
public interface Watchers {

  /** The users watching {@code userId}. The user may be in it: they are told anyway. */
  Future<Collection<String>> of(String userId);
}
