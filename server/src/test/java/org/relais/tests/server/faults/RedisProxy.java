package org.relais.tests.server.faults;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import org.relais.tests.server.TestServer;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback between the server and Redis that can slow, pause and reset the connections, to make
 * Redis look slow, hung or flaky without touching Redis itself. Each direction of each connection is a FIFO:
 * delayed chunks keep their order. Pausing stops reading on both sides (TCP backpressure does the rest): to the
 * server, Redis simply stops answering.
 */
public final class RedisProxy implements AutoCloseable {
  private final Vertx vertx;
  private final int upstreamPort;
  private final NetServer server;
  private final NetClient client;
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private volatile long delayMs;
  private volatile boolean paused;
  private volatile boolean refusing;
  public final int port;

  private final class Pipe {
    final NetSocket to;
    final ArrayDeque<Object[]> queue = new ArrayDeque<>();
    long timer = -1;

    Pipe(NetSocket to) {
      this.to = to;
    }

    void offer(Buffer b) {
      long d = delayMs;
      if (d <= 0 && queue.isEmpty()) {
        to.write(b);
        return;
      }
      queue.add(new Object[] {System.currentTimeMillis() + d, b});
      drain();
    }

    void drain() {
      while (!queue.isEmpty()) {
        long due = (Long) queue.peek()[0];
        long wait = due - System.currentTimeMillis();
        if (wait > 0) {
          if (timer < 0) {
            timer = vertx.setTimer(wait, t -> {
              timer = -1;
              drain();
            });
          }
          return;
        }
        to.write((Buffer) queue.poll()[1]);
      }
    }
  }

  private record Link(NetSocket down, NetSocket up) {
    void pause() {
      down.pause();
      up.pause();
    }

    void resume() {
      down.resume();
      up.resume();
    }

    void close() {
      down.close();
      up.close();
    }
  }

  public RedisProxy(Vertx vertx, int upstreamPort) {
    this.vertx = vertx;
    this.upstreamPort = upstreamPort;
    // soLinger 0: closing sends a TCP reset, as a crashed peer or a middlebox would.
    this.client = vertx.createNetClient(new NetClientOptions().setSoLinger(0).setConnectTimeout(2_000));
    this.server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setSoLinger(0))
        .connectHandler(this::accept);
    TestServer.await(server.listen());
    this.port = server.actualPort();
  }

  private void accept(NetSocket down) {
    if (refusing) {
      down.close();
      return;
    }
    down.pause();
    client.connect(upstreamPort, "127.0.0.1").onComplete(ar -> {
      if (ar.failed()) {
        down.close();
        return;
      }
      NetSocket up = ar.result();
      Link link = new Link(down, up);
      links.add(link);
      Pipe toUp = new Pipe(up);
      Pipe toDown = new Pipe(down);
      down.handler(toUp::offer);
      up.handler(toDown::offer);
      down.closeHandler(v -> {
        up.close();
        links.remove(link);
      });
      up.closeHandler(v -> {
        down.close();
        links.remove(link);
      });
      down.exceptionHandler(e -> down.close());
      up.exceptionHandler(e -> up.close());
      if (paused) {
        up.pause();
      } else {
        down.resume();
      }
    });
  }

  /** {@code redis://:password@127.0.0.1:proxyPort}, from the real Redis URL. */
  public String url(String redisUrl) {
    return redisUrl.replace(":" + upstreamPort, ":" + port);
  }

  /** Delays every chunk, both ways, by this much (0: none). */
  public void delay(long ms) {
    this.delayMs = ms;
  }

  /** Stops forwarding anything: Redis seems hung. New connections are accepted but hang too. */
  public void pause() {
    paused = true;
    vertx.runOnContext(v -> links.forEach(Link::pause));
  }

  public void resume() {
    paused = false;
    vertx.runOnContext(v -> links.forEach(Link::resume));
  }

  /** Resets every open connection (TCP RST); new ones are accepted again at once unless {@link #refuse} is set. */
  public void resetAll() {
    vertx.runOnContext(v -> List.copyOf(links).forEach(Link::close));
  }

  /** While set, new connections are closed as soon as they are accepted. */
  public void refuse(boolean refuse) {
    this.refusing = refuse;
  }

  public int openLinks() {
    return links.size();
  }

  @Override
  public void close() {
    resetAll();
    TestServer.await(server.close());
    TestServer.await(client.close());
  }
}
