package org.relais.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A minimal blocking Redis client (RESP2) with pipelining, for provisioning the peer and reading INFO. */
final class Resp implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private int queued;

  Resp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
  }

  void queue(String... args) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append('*').append(args.length).append("\r\n");
    for (String a : args) {
      byte[] b = a.getBytes(StandardCharsets.UTF_8);
      sb.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
    }
    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    queued++;
    if (queued >= 1000) {
      flush();
    }
  }

  /** Sends what is queued and reads (and checks) every reply. */
  void flush() throws IOException {
    out.flush();
    while (queued > 0) {
      Object r = read();
      if (r instanceof IOException e) {
        throw e;
      }
      queued--;
    }
  }

  Object call(String... args) throws IOException {
    flush();
    queue(args);
    out.flush();
    queued--;
    Object r = read();
    if (r instanceof IOException e) {
      throw e;
    }
    return r;
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new IOException("redis closed");
      }
      sb.append((char) c);
    }
    in.read();
    return sb.toString();
  }

  private Object read() throws IOException {
    int t = in.read();
    String l = line();
    switch (t) {
      case '+':
        return l;
      case '-':
        return new IOException("redis: " + l);
      case ':':
        return Long.parseLong(l);
      case '$': {
        int n = Integer.parseInt(l);
        if (n < 0) {
          return null;
        }
        byte[] b = in.readNBytes(n);
        in.read();
        in.read();
        return new String(b, StandardCharsets.UTF_8);
      }
      case '*': {
        int n = Integer.parseInt(l);
        Object[] a = new Object[Math.max(n, 0)];
        for (int i = 0; i < n; i++) {
          a[i] = read();
        }
        return List.of(a);
      }
      default:
        throw new IOException("bad RESP type " + (char) t);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
