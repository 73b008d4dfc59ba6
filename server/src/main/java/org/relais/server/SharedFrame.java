package org.relais.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;

import java.nio.charset.StandardCharsets;

/**
 * One outgoing text message written to many sockets (a channel event to its followers, a node-bus event to a
 * user's sockets). During a fan-out batch ({@link #open()} ... {@link #release()}) the whole WebSocket frame —
 * header and UTF-8 payload — is built once, in one direct buffer, and every socket is given a reference-counted
 * duplicate of it: no per-socket encoding, no per-socket copy into a direct buffer, no Vert.x write machinery
 * (promise, queued write, metrics) per socket. Netty releases each duplicate once its socket has sent it, so the
 * buffer goes back to the pool after the last socket (and after {@link #release()}), not before.
 *
 * <p>Outside a batch (a frame held back while its socket catches up, a write moved to the socket's loop) each
 * write builds its own buffer. Confined to one event loop, like the sockets it is written to.
 */
final class SharedFrame {
  /** FIN + text opcode: one unfragmented text frame. */
  private static final int FIN_TEXT = 0x81;
  private static final String MEMBER_LEFT = "\"ev\":\"member.left\"";

  final String json;
  private byte[] utf8;
  /** The encoded frame shared by the sockets of the current batch; null outside a batch or before its first write. */
  private ByteBuf wire;
  private boolean batch;
  /** The user whose member.left this is; computed once (null: not a member.left). */
  private String leftUser;
  private boolean leftChecked;

  SharedFrame(String json) {
    this.json = json;
  }

  /** Starts a fan-out batch: the encoded frame is kept for every socket written until {@link #release()}. */
  SharedFrame open() {
    batch = true;
    return this;
  }

  /** Ends the batch: the frame's buffer is returned to the pool once the sockets still sending it are done. */
  void release() {
    batch = false;
    if (wire != null) {
      wire.release();
      wire = null;
    }
  }

  /** The payload's size in UTF-8 bytes. */
  int utf8Length() {
    return utf8().length;
  }

  private byte[] utf8() {
    if (utf8 == null) {
      utf8 = json.getBytes(StandardCharsets.UTF_8);
    }
    return utf8;
  }

  /**
   * Writes the frame to a socket's channel without flushing it (the caller flushes). {@code ctx} is the context of
   * Vert.x's handler, so the bytes go through the rest of the pipeline as Vert.x's own writes do; TLS sockets never
   * get here (WsConnection keeps Vert.x's write path for them). Must be called on the channel's event loop.
   */
  void writeTo(ChannelHandlerContext ctx) {
    if (batch) {
      if (wire == null) {
        wire = encode(ctx.alloc());
      }
      ctx.write(wire.retainedDuplicate(), ctx.voidPromise());
    } else {
      ctx.write(encode(ctx.alloc()), ctx.voidPromise());
    }
  }

  private ByteBuf encode(ByteBufAllocator alloc) {
    byte[] payload = utf8();
    int length = payload.length;
    int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    ByteBuf buf = alloc.directBuffer(header + length);
    buf.writeByte(FIN_TEXT);
    if (length < 126) {
      buf.writeByte(length);
    } else if (length <= 0xFFFF) {
      buf.writeByte(126);
      buf.writeShort(length);
    } else {
      buf.writeByte(127);
      buf.writeLong(length);
    }
    buf.writeBytes(payload);
    return buf;
  }

  /** The user id of a member.left event (whose recipient, if it is that user, must stop); null otherwise. */
  String memberLeftUser() {
    if (!leftChecked) {
      leftChecked = true;
      leftUser = leftUserOf(json);
    }
    return leftUser;
  }

  static String leftUserOf(String json) {
    return json.contains(MEMBER_LEFT) ? ChannelFeed.userOf(json) : null;
  }
}
