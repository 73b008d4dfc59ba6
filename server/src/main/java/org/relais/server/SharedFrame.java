package org.relais.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;

import java.nio.charset.StandardCharsets;

/**
 * One outgoing text message written to many sockets (a channel event to its followers, a node-bus event to a
 * user's sockets): the JSON is turned into UTF-8 once per node, on the first write, and every socket is given a
 * duplicate of the same bytes (its own reader index, no copy). The bytes live on the Java heap and are never
 * released by Netty (Vert.x wraps frame data as unreleasable), so the garbage collector frees them once the last
 * socket has written them. Confined to one event loop, like the sockets it is written to.
 */
final class SharedFrame {
  final String json;
  private ByteBuf utf8;

  SharedFrame(String json) {
    this.json = json;
  }

  /**
   * Writes the message to one socket. A message longer than the socket's largest frame ({@code maxFrameBytes}) is
   * left to Vert.x, which splits it into continuation frames.
   */
  void writeTo(ServerWebSocket ws, int maxFrameBytes) {
    if (utf8 == null) {
      utf8 = Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8));
    }
    if (utf8.readableBytes() > maxFrameBytes) {
      ws.writeTextMessage(json);
      return;
    }
    ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, utf8.duplicate(), true));
  }
}
