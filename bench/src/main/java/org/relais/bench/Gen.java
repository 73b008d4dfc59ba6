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
  /**
   * Connects the server refused for now and asked to retry later: a hello answered {@code unavailable} or
   * {@code rate_limited} (with {@code retryAfterMs}, then close 1013), or an upgrade answered HTTP 429/503. Retried
   * after what the server asked for (see {@link #retryDelay}); counted apart from {@link #connectErrors}.
   */
  long refusals;
  /** Of {@link #refusals}: those refused at the HTTP upgrade (429/503), before any WebSocket was opened. */
  long upgradeRefusals;
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

  /** Set by {@link #close}: no retry starts any more (a retry timer must not fire into a closed client). */
  private boolean closed;
  /** The retry timers waiting to fire, cancelled by {@link #close}. */
  private final java.util.Set<Long> retryTimers = new java.util.HashSet<>();

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
      orderErrors = duplicates = resyncs = unexpectedCloses = connectErrors = refusals = upgradeRefusals = 0;
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

  private static final int MAX_ATTEMPTS = 30;

  /**
   * Opens one connection as a real client does (the web client, webroot/app/lib/api.js): a refusal that says when
   * to come back ({@code retryAfterMs} in an {@code unavailable} or {@code rate_limited} hello reply) is retried
   * after that time plus up to a quarter more at random; any other failure (an upgrade answered 429 without
   * Retry-After, a reset) after an exponential backoff with jitter, 0.5 s doubling up to 30 s. A refused token is
   * not retried. Nothing is retried once the generator is closed.
   */
  private Future<Void> openWithRetry(Conn c, boolean resume, int attempt) {
    if (closed) {
      return Future.failedFuture("generator closed");
    }
    return c.open(resume).recover(e -> {
      lastConnectError = String.valueOf(e.getMessage());
      long delay = retryDelay(e, attempt);
      if (attempt >= MAX_ATTEMPTS || delay < 0 || closed) {
        return Future.failedFuture(e);
      }
      Promise<Void> p = Promise.promise();
      long[] id = new long[1];
      id[0] = vertx.setTimer(delay, t -> {
        retryTimers.remove(id[0]);
        openWithRetry(c, resume, attempt + 1).onComplete(p);
      });
      retryTimers.add(id[0]);
      return p.future();
    });
  }

  /** How long to wait before the next attempt after {@code e} (counting it), or -1 when it must not be retried. */
  long retryDelay(Throwable e, int attempt) {
    java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
    String m = String.valueOf(e.getMessage());
    if (e instanceof io.vertx.core.http.UpgradeRejectedException u && (u.getStatus() == 429 || u.getStatus() == 503)) {
      refusals++;
      upgradeRefusals++;
      String after = u.getHeaders() == null ? null : u.getHeaders().get("Retry-After");
      if (after != null && after.trim().matches("\\d{1,5}")) {
        long ms = Long.parseLong(after.trim()) * 1000;
        return ms + rnd.nextLong(ms / 4 + 1);
      }
      return backoff(attempt, rnd);
    }
    boolean transientRefusal = m.contains("\"unavailable\"") || m.contains("\"rate_limited\"");
    if (transientRefusal) {
      refusals++;
      long ms = Conn.num(m, "\"retryAfterMs\":", 0);
      return ms > 0 && ms != Long.MIN_VALUE ? ms + rnd.nextLong(ms / 4 + 1) : backoff(attempt, rnd);
    }
    if (m.contains("refused")) {
      return -1; // a refused token is not a busy server: retrying would only hide the error
    }
    connectErrors++;
    return backoff(attempt, rnd);
  }

  /** The web client's backoff: full jitter over the upper half of 0.5 s × 2^attempt, at most 30 s. */
  private static long backoff(int attempt, java.util.concurrent.ThreadLocalRandom rnd) {
    long cap = Math.min(30_000L, 500L << Math.min(attempt, 10));
    return cap / 2 + rnd.nextLong(cap / 2 + 1);
  }

  /** Stops retrying (cancels the retry timers waiting), then closes the clients. */
  void close() {
    run(() -> {
      closed = true;
      retryTimers.forEach(vertx::cancelTimer);
      retryTimers.clear();
    });
    for (WebSocketClient c : clients) {
      c.close();
    }
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
