package org.relais.tests.server.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain-socket TCP relay in front of the server for one client, whose server-to-client direction can be
 * stalled: while stalled it reads nothing from the server (with a 4 KiB receive buffer), so the server's socket
 * fills exactly as it does for a client on a dead-slow link or one that stopped reading.
 */
final class SlowLink implements AutoCloseable {
  private final ServerSocket listener;
  private final int target;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean stalled;
  private volatile boolean closed;
  final int port;

  SlowLink(int targetPort) {
    try {
      this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.target = targetPort;
    this.port = listener.getLocalPort();
    Thread acceptor = new Thread(this::acceptLoop, "slow-link-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  void stall(boolean stall) {
    this.stalled = stall;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket down = listener.accept();
        Socket up = new Socket();
        up.setReceiveBufferSize(4096);
        up.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 3_000);
        sockets.add(down);
        sockets.add(up);
        pump(down, up, false);
        pump(up, down, true);
      } catch (IOException e) {
        if (!closed) {
          World.sleep(10);
        }
      }
    }
  }

  private void pump(Socket from, Socket to, boolean stallable) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[4096];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        while (true) {
          while (stallable && stalled && !closed) {
            Thread.sleep(20);
          }
          int n = in.read(buffer);
          if (n < 0) {
            break;
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // the other side went away
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "slow-link-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    stalled = false;
    closeQuietly(listener);
    sockets.forEach(SlowLink::closeQuietly);
  }

  private static void closeQuietly(ServerSocket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
