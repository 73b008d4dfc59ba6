package org.relais.server;

import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.MultiMap;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.VertxHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Drops what Vert.x 5.0.10 keeps per WebSocket and Relais never uses (docs/MEMORY.md, "What was cut"), right after
 * the socket is accepted, on its event loop:
 * <ul>
 *   <li>the WebSocket connection's outbound message queue, an {@code MpscUnboundedArrayQueue} with a 1,024-slot
 *       chunk (about 4.7 KB): Vert.x builds it whatever {@code setStrictThreadMode} says (it passes strict mode to
 *       the HTTP connection only). It is replaced by the direct queue Vert.x itself uses in strict mode, which
 *       writes straight into the pipeline; that is only correct because Relais writes to a socket from its own
 *       event loop alone (see {@link WsConnection}), which strict mode requires anyway;</li>
 *   <li>the upgrade request: Vert.x's handler keeps the function that made the connection, and with it the HTTP
 *       request, its response, their headers and the HTTP connection that was upgraded; and the WebSocket keeps the
 *       request's headers for {@code ws.headers()}, which Relais reads once, before this runs, and never again.</li>
 * </ul>
 * These are Vert.x internals: if a version of Vert.x no longer has them, a warning is logged once and the socket is
 * left as Vert.x made it (it works the same, with more memory).
 */
final class SocketTrim {
  private static final Logger LOG = LoggerFactory.getLogger(SocketTrim.class);

  private static final Field QUEUE;
  private static final Constructor<?> DIRECT_QUEUE;
  private static final Field FACTORY;
  private static final Method HEADERS;

  static {
    Field queue = null;
    Constructor<?> direct = null;
    Field factory = null;
    Method headers = null;
    try {
      queue = VertxConnection.class.getDeclaredField("outboundMessageQueue");
      queue.setAccessible(true);
      direct = Class.forName(VertxConnection.class.getName() + "$DirectOutboundMessageQueue")
          .getDeclaredConstructor(VertxConnection.class);
      direct.setAccessible(true);
      factory = VertxHandler.class.getDeclaredField("connectionFactory");
      factory.setAccessible(true);
      headers = Class.forName("io.vertx.core.http.impl.WebSocketImplBase").getDeclaredMethod("headers", MultiMap.class);
      headers.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("Vert.x internals not as expected ({}): WebSockets keep their default per-socket state", e.toString());
      queue = null;
    }
    QUEUE = queue;
    DIRECT_QUEUE = direct;
    FACTORY = factory;
    HEADERS = headers;
  }

  private SocketTrim() {
  }

  /** Trims a socket just accepted; must run on its event loop before anything is written to it. */
  static void trim(ServerWebSocket ws) {
    if (QUEUE == null || !(ws instanceof WebSocketInternal internal)) {
      return;
    }
    ChannelHandlerContext ctx = internal.channelHandlerContext();
    if (!(ctx.handler() instanceof VertxHandler<?> handler) || !ctx.executor().inEventLoop()) {
      return;
    }
    try {
      VertxConnection conn = handler.getConnection();
      QUEUE.set(conn, DIRECT_QUEUE.newInstance(conn));
      FACTORY.set(handler, null);
      HEADERS.invoke(ws, (Object) null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("socket left untrimmed: {}", e.toString());
    }
  }
}
