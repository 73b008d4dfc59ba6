package org.relais.realtime;

import io.vertx.core.Future;
import org.relais.core.EventSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where presence changes go. {@link Presence} settles changes in batches (a sweep round, the users whose grace ended
 * in one tick, a heartbeat) and hands each batch over in one call, so that a deployment can find the audiences of
 * the whole batch at once: the server publishes a batch once to every node, each node resolving the watchers among
 * its own sockets.
 */
@FunctionalInterface
public interface PresenceSink {

  /**
   * Announces the changes of one batch, at most one per user, never an empty list. Best effort: a failure is
   * logged by the sink, and the future completes anyway.
   */
  Future<Void> announce(List<PresenceChange> changes);

  /**
   * Each change on its own: the public view to {@code watchers.of(user)} (the user left out), the own view to the
   * user, both through {@code events} ({@link EventSink#toUsers}).
   */
  static PresenceSink of(EventSink events, Watchers watchers) {
    Logger log = LoggerFactory.getLogger(Presence.class);
    return changes -> {
      List<Future<Void>> sends = new ArrayList<>();
      for (PresenceChange c : changes) {
        if (c.ownView() != null) {
          sends.add(send(events, log, List.of(c.userId()), c.ownView()));
        }
        if (c.publicView() != null) {
          sends.add(Future.<Collection<String>>future(p -> watchers.of(c.userId()).onComplete(p))
              .onFailure(e -> log.warn("watchers of {} unknown, presence change not announced: {}", c.userId(),
                  e.toString()))
              .compose(users -> {
                Set<String> others = new LinkedHashSet<>(users);
                others.remove(c.userId());
                return send(events, log, others, c.publicView());
              }));
        }
      }
      return sends.isEmpty() ? Future.<Void>succeededFuture() : Future.join(sends).<Void>mapEmpty().otherwiseEmpty();
    };
  }

  private static Future<Void> send(EventSink events, Logger log, Collection<String> userIds, UserPresence view) {
    if (userIds.isEmpty()) {
      return Future.succeededFuture();
    }
    return Future.<Void>future(p -> events.toUsers(userIds, Presence.CHANGED, view.toJson()).onComplete(p))
        .onFailure(e -> log.warn("presence.changed of {} not sent: {}", view.userId(), e.toString()));
  }
}
