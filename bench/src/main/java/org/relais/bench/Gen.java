package org.relais.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The load generator's state for one target: its clients (one Vert.x WebSocket client per local source address
 * 127.0.1.x, so that per-address limits of a server apply as they would to real users), the counters and the
 * histograms. All callbacks run on one event loop; the main thread drives it through {@link #on}.
 */
final class Gen {
  final Vertx vertx;
  final Context ctx;
  final Target target;
  final World world;
  final List<WebSocketClient> clients = new ArrayList<>();
  /** Unique per generator, so that clientMsgIds never repeat across scenarios (Relais would treat them as retries). */
  final String runId = Long.toString(System.nanoTime() % 2_000_000_000L, 36);

  // --- counters of the current step (event-loop only) ---
  int step;
  boolean window;
  long sent;
  long acked;
  long expected;
  long received;
  long receivedInWindow;
  long stale;
  long orderErrors;
  long duplicates;
  long resyncs;
  long unexpectedCloses;
  long connectErrors;
  final Map<String, Long> sendErrors = new TreeMap<>();
  final Histogram latency = new Histogram(3_600_000_000L, 3);
  String firstOrderError;
  String firstCloseReason;
  String lastConnectError;

  // presence
  long presenceOnline;
  long presenceOffline;
  final Histogram presenceLatency = new Histogram(3_600_000_000L, 3);
  final Map<Integer, Long> presenceStart = new HashMap<>();
  java.util.Set<Conn> presenceWatchers;

  // per connection: what it received in this step (for the storm's "nothing missed")
  final Map<Conn, Integer> receivedBy = new HashMap<>();
  boolean trackPerConn;

  Gen(Vertx vertx, Target target, World world, int localAddresses) {
    this.vertx = vertx;
    this.ctx = vertx.getOrCreateContext();
    this.target = target;
    this.world = world;
    for (int i = 0; i < localAddresses; i++) {
      clients.add(vertx.createWebSocketClient(new WebSocketClientOptions().setLocalAddress("127.0.1." + (i + 1))
          .setMaxConnections(100_000).setConnectTimeout(30_000).setMaxFrameSize(1 << 20)
          .setMaxMessageSize(1 << 22).setTcpNoDelay(true).setIdleTimeout(0)));
    }
  }

  WebSocketClient client(int user) {
    return clients.get(user % clients.size());
  }

  int port(int node) {
    return target.ports[node];
  }

  String token(int user) {
    return target.token(user);
  }

  List<String> roomsOf(int user) {
    return world.roomsOf(user).stream().map(target::room).toList();
  }

  /** Runs on the event loop and waits for the result. */
  <T> T on(Supplier<Future<T>> action, long timeoutMillis) {
    CompletableFuture<T> cf = new CompletableFuture<>();
    ctx.runOnContext(v -> {
      try {
        action.get().onComplete(ar -> {
          if (ar.succeeded()) {
            cf.complete(ar.result());
          } else {
            cf.completeExceptionally(ar.cause());
          }
        });
      } catch (Throwable t) {
        cf.completeExceptionally(t);
      }
    });
    try {
      return cf.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  void run(Runnable r) {
    on(() -> {
      r.run();
      return Future.succeededFuture();
    }, 60_000);
  }

  void resetStep(int newStep) {
    run(() -> {
      step = newStep;
      window = false;
      sent = acked = expected = received = receivedInWindow = stale = 0;
      orderErrors = duplicates = resyncs = unexpectedCloses = connectErrors = 0;
      sendErrors.clear();
      latency.reset();
      presenceOnline = presenceOffline = 0;
      presenceLatency.reset();
      receivedBy.clear();
      firstOrderError = null;
      firstCloseReason = null;
    });
  }

  /** Opens the connections with at most {@code concurrency} handshakes in flight; retries refused upgrades. */
  Future<Void> openAll(List<Conn> conns, int concurrency, boolean resume) {
    Promise<Void> done = Promise.promise();
    int[] next = {0};
    int[] inFlight = {0};
    int[] finished = {0};
    if (conns.isEmpty()) {
      return Future.succeededFuture();
    }
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      while (inFlight[0] < concurrency && next[0] < conns.size()) {
        Conn c = conns.get(next[0]++);
        inFlight[0]++;
        openWithRetry(c, resume, 0).onComplete(ar -> {
          inFlight[0]--;
          finished[0]++;
          if (ar.failed()) {
            connectErrors++;
          }
          if (finished[0] == conns.size()) {
            done.tryComplete();
          } else {
            pump[0].run();
          }
        });
      }
    };
    pump[0].run();
    return done.future();
  }

  private Future<Void> openWithRetry(Conn c, boolean resume, int attempt) {
    return c.open(resume).recover(e -> {
      lastConnectError = String.valueOf(e.getMessage());
      // a refused token is not a busy server: retrying would only hide the error; "unavailable" is the server
      // saying "try again shortly" (Redis slower than its timeout on a loaded machine), which clients do: retried,
      // and counted in connectErrors (the scenarios' connectRetries / upgradeRetries)
      boolean transientRefusal = lastConnectError.contains("\"unavailable\"")
          || lastConnectError.contains("\"rate_limited\"");
      if (attempt >= 30 || (lastConnectError.contains("refused") && !transientRefusal)) {
        return Future.failedFuture(e);
      }
      connectErrors++;
      Promise<Void> p = Promise.promise();
      long delay = 20L + (long) (Math.random() * 30 * (attempt + 1));
      vertx.setTimer(delay, t -> openWithRetry(c, resume, attempt + 1).onComplete(p));
      return p.future();
    });
  }

  // --- callbacks from the connections ---

  void onMessage(Conn c, String text) {
    long now = System.nanoTime();
    int s;
    long t;
    try {
      s = Conn.step(text);
      t = Conn.sendNanos(text);
    } catch (RuntimeException e) {
      return; // a pre-loaded history message or another event
    }
    if (s != step) {
      stale++;
      return;
    }
    received++;
    if (trackPerConn) {
      receivedBy.merge(c, 1, Integer::sum);
    }
    if (window) {
      receivedInWindow++;
      latency.recordValue(Math.max(0, (now - t) / 1000));
    }
  }

  void onPresence(Conn c, String wireUser, boolean online) {
    if (presenceWatchers != null && !presenceWatchers.contains(c)) {
      return;
    }
    if (online) {
      Long start = presenceStart.get(target.userIndex(wireUser));
      if (start == null) {
        return; // a connect issued before the measured window (its warm churn)
      }
      presenceOnline++;
      if (window) {
        presenceLatency.recordValue(Math.max(0, (System.nanoTime() - start) / 1000));
      }
    } else {
      presenceOffline++;
    }
  }

  void onOrderError(Conn c, String what) {
    orderErrors++;
    if (firstOrderError == null) {
      firstOrderError = what;
    }
  }

  void onDuplicate(Conn c) {
    duplicates++;
  }

  void onResync(Conn c, String frame) {
    resyncs++;
  }

  void onUnexpectedClose(Conn c, String reason) {
    unexpectedCloses++;
    if (firstCloseReason == null) {
      firstCloseReason = reason;
    }
  }

  /** Message text: "nanos:step:sender:k:" then padding to about 100 characters. */
  String text(int sender, long k) {
    String head = System.nanoTime() + ":" + step + ":" + sender + ":" + k + ":";
    StringBuilder sb = new StringBuilder(head);
    while (sb.length() < 100) {
      sb.append('x');
    }
    return sb.toString();
  }

  void closeAll(List<Conn> conns) {
    run(() -> conns.forEach(Conn::drop));
    Proc.sleep(300);
  }
}
