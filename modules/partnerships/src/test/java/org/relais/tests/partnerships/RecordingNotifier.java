package org.relais.tests.partnerships;

import io.vertx.core.json.JsonObject;
import org.relais.partnerships.PartnershipNotifier;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every notification, as the notification center would receive it. */
final class RecordingNotifier implements PartnershipNotifier {
  record Notice(String kind, JsonObject request, List<String> recipientIds, String actorId) {
    String requestId() {
      return request.getString("id");
    }
  }

  private final List<Notice> notices = new CopyOnWriteArrayList<>();

  @Override
  public void notify(String kind, JsonObject request, List<String> recipientIds, String actorId) {
    notices.add(new Notice(kind, request.copy(), List.copyOf(recipientIds), actorId));
  }

  List<Notice> all() {
    return List.copyOf(notices);
  }

  List<Notice> about(String requestId) {
    return notices.stream().filter(n -> requestId.equals(n.requestId())).toList();
  }

  List<String> kindsAbout(String requestId) {
    return about(requestId).stream().map(Notice::kind).toList();
  }
}
