package org.relais.tests.partnerships;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.relais.core.Ids;
import org.relais.core.RelaisException;
import org.relais.partnerships.PartnershipSpaces;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's spaces as the contract asks them to be: idempotent by request id (a repeated call returns the ids made
 * the first time). Counts calls and creations per request, can fail the next calls, and can take its time.
 */
final class CountingSpaces implements PartnershipSpaces {
  private final Vertx vertx;
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> created = new ConcurrentHashMap<>();
  private final Map<String, JsonObject> opened = new ConcurrentHashMap<>();
  private final List<JsonObject> requests = new CopyOnWriteArrayList<>();
  private final List<String> closed = new CopyOnWriteArrayList<>();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicLong delayMs = new AtomicLong();

  CountingSpaces(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The next {@code n} calls fail, as when Redis is unreachable. */
  void failNext(int n) {
    failures.set(n);
  }

  /** Each call takes this long before it answers. */
  void delay(long ms) {
    delayMs.set(ms);
  }

  @Override
  public Future<JsonObject> open(JsonObject request) {
    String id = request.getString("id");
    calls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    requests.add(request.copy());
    Promise<JsonObject> answer = Promise.promise();
    Runnable work = () -> {
      if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        answer.fail(RelaisException.unavailable("The database is not reachable; try again shortly"));
        return;
      }
      JsonObject ids = opened.computeIfAbsent(id, k -> {
        created.computeIfAbsent(id, x -> new AtomicInteger()).incrementAndGet();
        return new JsonObject().put("channelId", Ids.newId()).put("calendarId", Ids.newId());
      });
      answer.complete(ids.copy());
    };
    long delay = delayMs.get();
    if (delay > 0) {
      vertx.setTimer(delay, t -> work.run());
    } else {
      work.run();
    }
    return answer.future();
  }

  @Override
  public Future<Void> close(JsonObject request) {
    closed.add(request.getString("id"));
    return Future.succeededFuture();
  }

  int calls(String requestId) {
    AtomicInteger n = calls.get(requestId);
    return n == null ? 0 : n.get();
  }

  int created(String requestId) {
    AtomicInteger n = created.get(requestId);
    return n == null ? 0 : n.get();
  }

  JsonObject ids(String requestId) {
    return opened.get(requestId);
  }

  List<JsonObject> requests() {
    return List.copyOf(requests);
  }

  long closes(String requestId) {
    return closed.stream().filter(requestId::equals).count();
  }
}
