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
 * warning; {@code presence.get} tells the truth either way.
 *
 * <p>Message: {@code {"t":"presence","changes":[{"user":…,"channels":[…]?,"public":view?,"own":view?},…]}}, at most
 * {@link #CHANGES_PER_MESSAGE} changes per message.
 */
final class PresenceFanout implements PresenceSink {
  static final int CHANGES_PER_MESSAGE = 200;
  private static final Logger LOG = LoggerFactory.getLogger(PresenceFanout.class);

  /** The pauses before each retry of a failed read or publish. */
  static final long[] RETRY_DELAYS_MS = {200, 1_000, 3_000};

  private final Vertx vertx;
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
      JsonArray batch = new JsonArray();
      for (PresenceChange c : changes) {
        JsonObject item = new JsonObject().put("user", c.userId());
        if (c.ownView() != null) {
          item.put("own", c.ownView().toJson());
        }
        List<String> through = byUser.get(c.userId());
        if (c.publicView() != null && through != null && !through.isEmpty()) {
          item.put("channels", new JsonArray(new ArrayList<>(through))).put("public", c.publicView().toJson());
        }
        if (item.size() == 1) {
          continue;
        }
        batch.add(item);
        if (batch.size() == CHANGES_PER_MESSAGE) {
          sends.add(publish(batch));
          batch = new JsonArray();
        }
      }
      if (!batch.isEmpty()) {
        sends.add(publish(batch));
      }
      return sends.isEmpty() ? Future.<Void>succeededFuture() : Future.join(sends).<Void>mapEmpty().otherwiseEmpty();
    });
  }

  private Future<Void> publish(JsonArray batch) {
    return retrying(() -> bus.presence(batch)).recover(e -> {
      LOG.warn("presence changes of {} users not published to the nodes: {}", batch.size(), e.toString());
      return Future.succeededFuture();
    });
  }
}
