package org.relais.server;

import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.MultiMap;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.impl.VertxHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Drops what Vert.x 5.0.10 keeps per WebSocket and Relais never uses (docs/MEMORY.md, "Second round"), right after
 * the socket is accepted, on its event loop: the upgrade request. Vert.x's handler keeps the function that made the
 * connection, and with it the HTTP request, its response, their headers and the HTTP connection that was upgraded;
 * and the WebSocket keeps the request's headers for {@code ws.headers()}, which Relais reads once, before this runs,
 * and never again.
 *
 * <p>Not dropped: the WebSocket connection's outbound message queue (about 4.9 KB), although Vert.x builds it in
 * non-strict mode whatever the server options say. Replacing it with Vert.x's direct queue was tried: it works, but
 * the queue is also the slack of the slow-consumer rule ({@code writeQueueFull} then turns true as soon as the channel
 * passes its high-water mark, instead of after some frames queued beyond it), and a healthy sender flooding its own
 * channel was cut with 4009 (FaultSuiteTest F9).
 *
 * <p>These are Vert.x internals: if a version of Vert.x no longer has them, a warning is logged once and the socket is
 * left as Vert.x made it (it works the same, with more memory).
 */
final class SocketTrim {
  private static final Logger LOG = LoggerFactory.getLogger(SocketTrim.class);

  private static final Field FACTORY;
  private static final Method HEADERS;

  static {
    Field factory = null;
    Method headers = null;
    try {
      factory = VertxHandler.class.getDeclaredField("connectionFactory");
      factory.setAccessible(true);
      headers = Class.forName("io.vertx.core.http.impl.WebSocketImplBase").getDeclaredMethod("headers", MultiMap.class);
      headers.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("Vert.x internals not as expected ({}): WebSockets keep their default per-socket state", e.toString());
      factory = null;
    }
    FACTORY = factory;
    HEADERS = headers;
  }

  private SocketTrim() {
  }

  /** Trims a socket just accepted; must run on its event loop before anything is written to it. */
  static void trim(ServerWebSocket ws) {
    if (FACTORY == null || !(ws instanceof WebSocketInternal internal)) {
      return;
    }
    ChannelHandlerContext ctx = internal.channelHandlerContext();
    if (!(ctx.handler() instanceof VertxHandler<?> handler) || !ctx.executor().inEventLoop()) {
      return;
    }
    try {
      FACTORY.set(handler, null);
      HEADERS.invoke(ws, (Object) null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("socket left untrimmed: {}", e.toString());
    }
  }
}
