package org.relais.tests.server.faults;

import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.relais.tests.server.TestServer;
import org.relais.tests.server.WsClient;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reader that stops reading by Vert.x's own read pause ({@code WebSocket.pause()}: Vert.x stops reading the TCP
 * socket once a few frames are pending), not by a stalled link: the server must cut it all the same (4009), and
 * then drop its TCP connection by itself, although the close frame can never get through. Before that fix the
 * socket stayed open, its queue held, for as long as the client stayed paused, and the client's sends were never
 * answered. The client then resumes without loss on a new socket.
 */
class PausedReaderTest {

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("a client paused with Vert.x's read pause is cut (4009) and its TCP connection dropped, then resumes without loss")
  void pausedReaderIsCutAndDropped() throws Exception {
    // 128 KiB: room for a hiccup of the sender, who reads the flood too; the paused reader overflows it all the same.
    try (TestServer t = TestServer.start(Map.of("RELAIS_WS_MAX_QUEUE_BYTES", "131072"))) {
      String admin = t.adminToken();
      String org = t.createOrg(admin, "Paused Org", "SN");
      JsonObject reader = t.createUser(admin, org, "Paused Reader");
      JsonObject sender = t.createUser(admin, org, "Sender");
      String channel;
      try (WsClient s = t.wsHello(sender.getString("accessToken"))) {
        channel = ok(s.call("channel.create", new JsonObject().put("name", "Paused").put("kind", "thematic")
            .put("visibility", "private").put("memberIds", new JsonArray().add(reader.getJsonObject("user").getString("id")))))
            .getJsonObject("channel").getString("id");
      }

      WebSocketClient client = t.clients.createWebSocketClient(new WebSocketClientOptions()
          .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20).setReceiveBufferSize(16 * 1024));
      CompletableFuture<JsonObject> hello = new CompletableFuture<>();
      CompletableFuture<Long> closedAt = new CompletableFuture<>();
      AtomicLong lastOffset = new AtomicLong();
      WebSocket paused = TestServer.await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(t.port).setURI("/ws")));
      paused.textMessageHandler(text -> {
        JsonObject frame = new JsonObject(text);
        if ("h".equals(frame.getValue("re"))) {
          hello.complete(frame);
        }
        JsonObject data = frame.getJsonObject("data");
        if (frame.containsKey("ev") && data != null && channel.equals(data.getString("channelId")) && data.containsKey("offset")) {
          lastOffset.set(data.getLong("offset"));
        }
      });
      paused.closeHandler(v -> closedAt.complete(System.currentTimeMillis()));
      paused.exceptionHandler(e -> { });
      paused.writeTextMessage(new JsonObject().put("id", "h").put("op", "hello")
          .put("data", new JsonObject().put("token", reader.getString("accessToken"))).encode());
      JsonObject helloReply = hello.get(10, TimeUnit.SECONDS);
      assertThat(helloReply.getBoolean("ok")).as(helloReply.encode()).isTrue();
      String epoch = helloReply.getJsonObject("data").getString("epoch");
      TestServer.await(pauseOn(t, paused));

      double cutsBefore = FaultSuiteTest.closes(t, 4009);
      double abortsBefore = t.metric("relais_ws_aborts_total");
      long start = System.currentTimeMillis();
      long cut = -1;
      long dropped = -1;
      double openSeen = -1;
      try (WsClient s = t.wsHello(sender.getString("accessToken"))) {
        double open = t.metric("relais_ws_connections");
        openSeen = open;
        String big = "x".repeat(7_500);
        // Paced (64 sends unanswered at most): the sender, a member too, reads the flood as it comes.
        int unanswered = 0;
        for (int i = 1; i <= 2_000 && (i % 20 != 0 || FaultSuiteTest.closes(t, 4009) == cutsBefore); i++) {
          s.sendRawNoWait(new JsonObject().put("id", "p" + i).put("op", "message.send").put("data", new JsonObject()
              .put("channelId", channel).put("text", big).put("clientMsgId", "p" + i)).encode());
          if (++unanswered >= 64) {
            s.nextReply();
            unanswered--;
          }
        }
        // The paused client also sends (as a client whose UI still works would): those replies queue up too.
        for (int i = 0; i < 5; i++) {
          paused.writeTextMessage(new JsonObject().put("id", "m" + i).put("op", "message.send").put("data",
              new JsonObject().put("channelId", channel).put("text", "still here " + i).put("clientMsgId", "paused-" + i)).encode());
        }
        long deadline = start + 30_000;
        while (dropped < 0 && System.currentTimeMillis() < deadline) {
          long now = System.currentTimeMillis();
          if (cut < 0 && FaultSuiteTest.closes(t, 4009) > cutsBefore) {
            cut = now - start;
          }
          // Dropped: the server holds one socket fewer (and says it aborted it), the client being still paused.
          if (cut >= 0 && t.metric("relais_ws_connections") < open) {
            dropped = now - start;
          }
          World.sleep(50);
        }
        ok(s.call("ping", null));
      }
      System.out.printf("paused reader: cut (4009) %d ms after the flood began, TCP connection dropped after %d ms%n", cut, dropped);
      assertThat(cut).as("cut with 4009 within 15 s").isBetween(0L, 15_000L);
      assertThat(dropped).as("TCP connection dropped by the server within 20 s, the client still paused; sockets "
          + t.metric("relais_ws_connections") + " (" + openSeen + " with the sender), aborts "
          + t.metric("relais_ws_aborts_total") + " (" + abortsBefore + " before)").isBetween(0L, 20_000L);
      assertThat(t.metric("relais_ws_aborts_total")).as("dropped by the server's abort").isGreaterThan(abortsBefore);
      assertThat(closedAt).as("not seen closed while paused").isNotDone();

      // Resumed, the client learns its socket is gone.
      // taken before resume(): the close can be seen on the client's event loop before resume() returns
      long resumedAt = System.currentTimeMillis();
      paused.resume();
      assertThat(closedAt.get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(resumedAt);
      TestServer.await(client.close());

      // And it resumes without loss on a new socket, from what it processed.
      try (WsClient again = t.ws()) {
        JsonObject reply = ok(again.call("hello", new JsonObject().put("token", reader.getString("accessToken"))
            .put("resume", new JsonObject().put("epoch", epoch).put("channels", new JsonObject().put(channel, lastOffset.get())))));
        long last = reply.getJsonObject("channels").getLong(channel);
        assertThat(last).isGreaterThan(lastOffset.get());
        long expected = lastOffset.get() + 1;
        while (expected <= last) {
          JsonObject ev = again.nextMatchingChannelEvent(channel, 20_000);
          assertThat(ev.getJsonObject("data").getLong("offset")).isEqualTo(expected);
          expected++;
        }
      }
    }
  }

  /** Pauses the socket on its own context (Vert.x then stops reading the TCP socket once frames are pending). */
  private static io.vertx.core.Future<Void> pauseOn(TestServer t, WebSocket ws) {
    Promise<Void> p = Promise.promise();
    t.clients.runOnContext(v -> {
      ws.pause();
      p.complete();
    });
    return p.future();
  }

  private static JsonObject ok(JsonObject reply) {
    assertThat(reply.getBoolean("ok")).as(reply.encode()).isTrue();
    return reply.getJsonObject("data");
  }
}
