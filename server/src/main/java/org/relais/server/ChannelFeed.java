package org.relais.server;

import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import org.relais.messaging.ChannelBus;
import org.relais.messaging.LogRange;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One channel's events as one gateway instance receives them: in offset order, each once, without gaps. Pub/sub
 * may lose, duplicate or reorder events (two nodes publishing at once); this feed holds back what comes early and
 * fills any gap from the channel's log in Redis, which is the record. If the log can no longer fill a gap, its
 * followers are told to resync. Confined to its gateway instance's event loop.
 */
final class ChannelFeed {
  private static final Pattern OFFSET = Pattern.compile("\"offset\":(\\d+)");
  private static final Pattern USER = Pattern.compile("\"userId\":\"([0-9A-Z]{26})\"");
  private static final int FILL_BATCH = 1_000;
  private static final WsConnection[] NONE = new WsConnection[0];

  final String channelId;
  private final Gateway gateway;
  private final String topic;
  final Set<WsConnection> followers = new HashSet<>();
  private final TreeMap<Long, String> early = new TreeMap<>();
  private MessageConsumer<String> consumer;
  private Future<Void> ready;
  private long last = -1;
  private boolean filling;
  private boolean checkingRewind;
  private boolean closed;

  ChannelFeed(String channelId, Gateway gateway) {
    this.channelId = channelId;
    this.gateway = gateway;
    this.topic = ChannelBus.topic(channelId);
  }

  /** Listens, then asks the node to subscribe, then reads where the channel stands; completes when ready. */
  Future<Void> open() {
    consumer = gateway.vertx().eventBus().localConsumer(Hub.address(topic), m -> onLive(m.body()));
    ready = gateway.hub().addInterest(topic)
        .compose(v -> gateway.messaging().lastOffset(channelId))
        .map(offset -> {
          last = Math.max(last, offset);
          drain();
          return null;
        });
    return ready;
  }

  Future<Void> ready() {
    return ready;
  }

  /** The last offset delivered to followers. */
  long last() {
    return last;
  }

  static long offsetOf(String eventJson) {
    Matcher m = OFFSET.matcher(eventJson);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  static String userOf(String eventJson) {
    Matcher m = USER.matcher(eventJson);
    return m.find() ? m.group(1) : null;
  }

  private void onLive(String json) {
    if (closed) {
      return;
    }
    long offset = offsetOf(json);
    if (offset < 0) {
      if (last >= 0) {
        String from = userOf(json);
        SharedFrame frame = new SharedFrame(json).open();
        try {
          for (WsConnection c : followers.toArray(NONE)) {
            c.deliverEphemeral(channelId, frame, from);
          }
        } finally {
          frame.release();
        }
      }
      return;
    }
    if (last >= 0 && offset <= last) {
      // Usually an event the log already gave; but after a Redis failover that lost the channel's last events,
      // new events reuse their offsets: the channel's last offset, below ours, tells them apart.
      checkRewound();
      return;
    }
    if (offset == last + 1 && last >= 0 && early.isEmpty() && !filling) {
      // The usual case, next in line with nothing held back: delivered at once, without going through early.
      emit(offset, json);
      return;
    }
    early.put(offset, json);
    if (last >= 0) {
      drain();
    }
  }

  private void drain() {
    while (!early.isEmpty() && !closed) {
      long first = early.firstKey();
      if (first <= last) {
        early.pollFirstEntry();
      } else if (first == last + 1) {
        emit(first, early.pollFirstEntry().getValue());
      } else {
        fill(first - 1);
        return;
      }
    }
  }

  /** Reads the events (last, upTo] from the log: what pub/sub did not bring. */
  private void fill(long upTo) {
    if (filling) {
      return;
    }
    filling = true;
    gateway.messaging().readLog(channelId, last, upTo, FILL_BATCH).onComplete(ar -> {
      filling = false;
      if (closed) {
        return;
      }
      if (ar.failed()) {
        gateway.vertx().setTimer(500, t -> drain());
        return;
      }
      LogRange range = ar.result();
      for (String event : range.events()) {
        long offset = offsetOf(event);
        if (offset == last + 1) {
          emit(offset, event);
        }
      }
      if (!range.complete() && last < upTo) {
        long skipped = upTo;
        last = skipped;
        for (WsConnection c : List.copyOf(followers)) {
          c.resync(channelId, "trimmed", skipped);
        }
      }
      drain();
    });
  }

  private void emit(long offset, String json) {
    last = offset;
    // Encoded once for all followers of this instance, written to each as a duplicate of the same bytes.
    SharedFrame frame = new SharedFrame(json).open();
    try {
      for (WsConnection c : followers.toArray(NONE)) {
        c.deliver(channelId, offset, frame);
      }
    } finally {
      frame.release();
    }
  }

  /** Catches up with the channel if events were published while nobody heard them (lost pub/sub connection). */
  void poll() {
    if (last < 0 || closed || filling) {
      return;
    }
    long seen = last;
    gateway.messaging().lastOffset(channelId).onSuccess(latest -> {
      if (latest < seen && !closed) {
        rewound(latest);
      } else if (latest > last && !closed) {
        fill(latest);
      }
    });
  }

  /**
   * Compares the channel's last offset with {@code seen}, the last offset delivered when asking: every event up to
   * it was stored before the question was sent, so an answer below it means Redis lost them. (Compared with a later
   * {@code last}, an answer overtaken by live events would look like a loss.)
   */
  private void checkRewound() {
    if (checkingRewind || filling || closed) {
      return;
    }
    checkingRewind = true;
    long seen = last;
    gateway.messaging().lastOffset(channelId).onComplete(ar -> {
      checkingRewind = false;
      if (ar.succeeded() && ar.result() < seen && !closed) {
        rewound(ar.result());
      }
    });
  }

  /**
   * The channel's log ends before what was delivered: Redis lost its last events (a failover that promoted a
   * replica behind its primary, a restore). Followers are told to reload the channel ({@code resync} {@code ahead}),
   * and delivery goes on from the channel's real last offset.
   */
  private void rewound(long latest) {
    last = latest;
    early.headMap(latest, true).clear();
    for (WsConnection c : List.copyOf(followers)) {
      c.rewound(channelId, latest);
    }
    drain();
  }

  void close() {
    closed = true;
    consumer.unregister();
    gateway.hub().removeInterest(topic);
  }
}
