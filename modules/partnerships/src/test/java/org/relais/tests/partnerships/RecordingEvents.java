package org.relais.tests.partnerships;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.relais.core.EventSink;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every push, as the gateway would deliver it. */
final class RecordingEvents implements EventSink {
  /** One {@code toUsers} call. */
  record Push(List<String> userIds, String ev, JsonObject data) {
    String requestId() {
      JsonObject request = data.getJsonObject("request");
      return request == null ? null : request.getString("id");
    }
  }

  private final List<Push> pushes = new CopyOnWriteArrayList<>();

  @Override
  public Future<Void> toUsers(Collection<String> userIds, String ev, JsonObject data) {
    pushes.add(new Push(List.copyOf(userIds), ev, data.copy()));
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> userChanged(String userId) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> sessionsRevoked(String userId, String sessionId) {
    return Future.succeededFuture();
  }

  List<Push> all() {
    return List.copyOf(pushes);
  }

  /** The pushes about one request. */
  List<Push> about(String requestId) {
    return pushes.stream().filter(p -> requestId.equals(p.requestId())).toList();
  }

  /** The pushes that reached any of these people. */
  List<Push> reaching(Set<String> userIds) {
    return pushes.stream().filter(p -> p.userIds().stream().anyMatch(userIds::contains)).toList();
  }
}
