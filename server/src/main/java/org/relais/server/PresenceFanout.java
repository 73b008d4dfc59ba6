package org.relais.server;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.relais.messaging.MessagingService;
import org.relais.realtime.PresenceChange;
import org.relais.realtime.PresenceSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Presence changes to every node, in batches. A change carries the user's watched channels (those with listed
 * members and at most maxPresenceFanout members, {@link MessagingService#presenceChannelsOf}), not the list of
 * watchers: each gateway instance finds the watchers among its own sockets, as the followers of those channels
 * (every socket follows every channel of its user, see {@link Gateway#startFollowing}), and the user's own sockets
 * by user. So a change costs the same small message whatever the size of the channels, each channel's member count
 * is read once per batch, and nobody reads a member list.
 *
 * <p>The change is already recorded in Redis as announced when it gets here, so a failed read or publish is
 * retried ({@link #RETRY_DELAYS_MS}: a busy node's Redis commands time out in bursts) before it is given up with a
 * warning; {@code presence.get} tells the truth either way. Each change carries the user's presence version from
 * the settle script ({@link PresenceChange#version}), raised by every change of the user in Redis, so order is
 * decided by Redis, not by arrival: an attempt leaves out a view of which a newer version is already being
 * announced from this node (nothing stale is published needlessly), and each gateway drops a view older than one
 * it has applied ({@link PresenceVersions}) — which covers what this node cannot see: two changes of one user
 * settled on two event loops or two nodes at once and announced in the other order, and a publish that timed out
 * here but was executed by Redis after a newer one.
 *
 * <p>Message: {@code {"t":"presence","changes":[{"user":…,"v":version,"channels":[…]?,"public":view?,"own":view?},
 * …]}}, at most {@link #CHANGES_PER_MESSAGE} changes per message.
 */
final class PresenceFanout implements PresenceSink {
  static final int CHANGES_PER_MESSAGE = 200;
  private static final Logger LOG = LoggerFactory.getLogger(PresenceFanout.class);

  /** The pauses before each retry of a failed read or publish. */
  static final long[] RETRY_DELAYS_MS = {200, 1_000, 3_000};

  private final Vertx vertx;
  /** The version of each user's newest public / own view being announced from this node (while one is in flight). */
  private final Map<String, Long> latestPublic = new ConcurrentHashMap<>();
  private final Map<String, Long> latestOwn = new ConcurrentHashMap<>();
  private final MessagingService messaging;
  private final NodeBus bus;

  PresenceFanout(Vertx vertx, MessagingService messaging, NodeBus bus) {
    this.vertx = vertx;
    this.messaging = messaging;
    this.bus = bus;
  }

  /** {@code attempt} again after each of {@link #RETRY_DELAYS_MS} while it fails; the last failure is returned. */
  private <T> Future<T> retrying(Supplier<Future<T>> attempt) {
    Promise<T> done = Promise.promise();
    tryOnce(attempt, 0, done);
    return done.future();
  }

  private <T> void tryOnce(Supplier<Future<T>> attempt, int n, Promise<T> done) {
    attempt.get().onComplete(ar -> {
      if (ar.succeeded() || n >= RETRY_DELAYS_MS.length) {
        done.handle(ar);
      } else {
        vertx.setTimer(RETRY_DELAYS_MS[n], t -> tryOnce(attempt, n + 1, done));
      }
    });
  }

  @Override
  public Future<Void> announce(List<PresenceChange> changes) {
    List<String> watched = new ArrayList<>(changes.size());
    for (PresenceChange c : changes) {
      if (c.publicView() != null) {
        watched.add(c.userId());
        latestPublic.merge(c.userId(), c.version(), Math::max);
      }
      if (c.ownView() != null) {
        latestOwn.merge(c.userId(), c.version(), Math::max);
      }
    }
    Future<Map<String, List<String>>> channels = watched.isEmpty()
        ? Future.succeededFuture(Map.of())
        : retrying(() -> messaging.presenceChannelsOf(watched)).recover(e -> {
          // The users' own sessions are still told.
          LOG.warn("channels of {} users unknown, their presence change not announced to others: {}",
              watched.size(), e.toString());
          return Future.succeededFuture(Map.of());
        });
    return channels.compose(byUser -> {
      List<Future<Void>> sends = new ArrayList<>();
      List<PresenceChange> part = new ArrayList<>();
      for (PresenceChange c : changes) {
        part.add(c);
        if (part.size() == CHANGES_PER_MESSAGE) {
          sends.add(publish(part, byUser));
          part = new ArrayList<>();
        }
      }
      if (!part.isEmpty()) {
        sends.add(publish(part, byUser));
      }
      return sends.isEmpty() ? Future.<Void>succeededFuture() : Future.join(sends).<Void>mapEmpty().otherwiseEmpty();
    }).onComplete(ar -> {
      for (PresenceChange c : changes) {
        latestPublic.remove(c.userId(), c.version());
        latestOwn.remove(c.userId(), c.version());
      }
    });
  }

  /** The bus message for these changes, leaving out the views a newer announcement replaced; null if none is left. */
  private JsonArray message(List<PresenceChange> changes, Map<String, List<String>> byUser) {
    JsonArray batch = new JsonArray();
    for (PresenceChange c : changes) {
      JsonObject item = new JsonObject().put("user", c.userId()).put("v", c.version());
      if (c.ownView() != null && !replaced(latestOwn, c)) {
        item.put("own", c.ownView().toJson());
      }
      List<String> through = byUser.get(c.userId());
      if (c.publicView() != null && through != null && !through.isEmpty() && !replaced(latestPublic, c)) {
        item.put("channels", new JsonArray(new ArrayList<>(through))).put("public", c.publicView().toJson());
      }
      if (item.size() > 2) {
        batch.add(item);
      }
    }
    return batch.isEmpty() ? null : batch;
  }

  /** Whether a newer view of the change's user is being announced from this node. */
  private static boolean replaced(Map<String, Long> latest, PresenceChange c) {
    Long newest = latest.get(c.userId());
    return newest != null && newest > c.version();
  }

  private Future<Void> publish(List<PresenceChange> changes, Map<String, List<String>> byUser) {
    return retrying(() -> {
      // built again for each attempt: a view replaced meanwhile is left out
      JsonArray batch = message(changes, byUser);
      return batch == null ? Future.<Void>succeededFuture() : bus.presence(batch);
    }).recover(e -> {
      LOG.warn("presence changes of {} users not published to the nodes: {}", changes.size(), e.toString());
      return Future.succeededFuture();
    });
  }
}
