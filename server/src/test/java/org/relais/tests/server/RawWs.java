package org.relais.tests.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A WebSocket client written against RFC 6455 by hand, for what well-behaved clients never do: offer compression
 * and send compressed frames, stay silent to pings, send frames in pieces. Blocking; test threads only.
 */
public final class RawWs implements AutoCloseable {
  public static final int OP_TEXT = 1;
  public static final int OP_BINARY = 2;
  public static final int OP_CLOSE = 8;
  public static final int OP_PING = 9;

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  public final String responseHead;

  private RawWs(Socket socket, String responseHead) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
    this.responseHead = responseHead;
  }

  /** Connects and performs the opening handshake with the given extra header lines. */
  public static RawWs connect(int port, String... extraHeaders) throws IOException {
    return over(new Socket(InetAddress.getLoopbackAddress(), port), port, extraHeaders);
  }

  /** Performs the opening handshake over a socket the caller connected (e.g. with a tiny receive buffer). */
  public static RawWs over(Socket socket, int port, String... extraHeaders) throws IOException {
    socket.setSoTimeout(30_000);
    byte[] nonce = new byte[16];
    new SecureRandom().nextBytes(nonce);
    StringBuilder req = new StringBuilder()
        .append("GET /ws HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(port).append("\r\n")
        .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
        .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n")
        .append("Sec-WebSocket-Version: 13\r\n");
    for (String h : extraHeaders) {
      req.append(h).append("\r\n");
    }
    req.append("\r\n");
    socket.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int c = in.read();
      if (c == -1) {
        throw new EOFException("connection closed during handshake: " + head);
      }
      head.write(c);
      matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
    }
    return new RawWs(socket, head.toString(StandardCharsets.US_ASCII));
  }

  /** Sends one masked frame; {@code rsv1} marks it as compressed (permessage-deflate). */
  public void sendFrame(int opcode, byte[] payload, boolean fin, boolean rsv1) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
    int len = payload.length;
    if (len < 126) {
      frame.write(0x80 | len);
    } else if (len < 65536) {
      frame.write(0x80 | 126);
      frame.write(len >>> 8);
      frame.write(len & 0xff);
    } else {
      frame.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        frame.write((int) ((long) len >>> (8 * i)) & 0xff);
      }
    }
    byte[] mask = new byte[4];
    new SecureRandom().nextBytes(mask);
    frame.write(mask);
    byte[] masked = payload.clone();
    for (int i = 0; i < masked.length; i++) {
      masked[i] ^= mask[i % 4];
    }
    frame.write(masked);
    out.write(frame.toByteArray());
    out.flush();
  }

  public void sendText(String text) throws IOException {
    sendFrame(OP_TEXT, text.getBytes(StandardCharsets.UTF_8), true, false);
  }

  /** A frame from the server. */
  public record Frame(int opcode, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
    }
  }

  /** Whether the last frame {@link #read} was the final frame of its message. */
  private boolean fin;

  /**
   * The next text message, its frames (a text frame and its continuation frames) put together, skipping pings;
   * null if the server closed the TCP connection. frames, if given, gets the number of frames it came in.
   */
  public byte[] readTextMessage(int[] frames) throws IOException {
    ByteArrayOutputStream message = null;
    int n = 0;
    while (true) {
      Frame f = read();
      if (f == null) {
        return null;
      }
      if (f.opcode() == OP_TEXT || (f.opcode() == 0 && message != null)) {
        if (f.opcode() == OP_TEXT) {
          message = new ByteArrayOutputStream();
          n = 0;
        }
        message.write(f.payload());
        n++;
        if (fin) {
          if (frames != null) {
            frames[0] = n;
          }
          return message.toByteArray();
        }
      }
    }
  }

  /** The next frame, or null if the server closed the TCP connection. */
  public Frame read() throws IOException {
    int b0;
    try {
      b0 = in.read();
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (IOException e) {
      return null;
    }
    if (b0 == -1) {
      return null;
    }
    fin = (b0 & 0x80) != 0;
    int b1 = in.readUnsignedByte();
    long len = b1 & 0x7f;
    if (len == 126) {
      len = in.readUnsignedShort();
    } else if (len == 127) {
      len = in.readLong();
    }
    byte[] payload = new byte[(int) len];
    in.readFully(payload);
    return new Frame(b0 & 0x0f, payload);
  }

  /** Reads until a close frame or the end of the connection; the close code, or -1 without a close frame. */
  public int readUntilClosed() throws IOException {
    while (true) {
      Frame f = read();
      if (f == null) {
        return -1;
      }
      if (f.opcode() == OP_CLOSE) {
        return f.closeCode();
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** 64 MiB of zeros as a raw DEFLATE stream (about 64 KB): what a permessage-deflate frame bomb would carry. */
  public static byte[] deflateBomb() {
    java.util.zip.Deflater deflater = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_COMPRESSION, true);
    byte[] zeros = new byte[1 << 20];
    java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int i = 0; i < 64; i++) {
      deflater.setInput(zeros);
      while (!deflater.needsInput()) {
        compressed.write(buf, 0, deflater.deflate(buf));
      }
    }
    deflater.finish();
    while (!deflater.finished()) {
      compressed.write(buf, 0, deflater.deflate(buf));
    }
    return compressed.toByteArray();
  }
}
