package org.relais.notifications;

import io.vertx.core.json.JsonObject;

import java.time.LocalTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One person's notification preferences.
 *
 * @param channels per channel: {@code all}, {@code mentions} or {@code muted} (absent: the default, mentions for
 *                 channels and all for direct conversations)
 * @param kindsOff kinds the person turned off
 * @param quiet    quiet hours in the person's own zone, {@code HH:mm-HH:mm} (may wrap midnight), or null
 * @param push     when to push to browsers: {@code offline} (no live session; the default), {@code always},
 *                 {@code never}
 */
record Preferences(Map<String, String> channels, Set<String> kindsOff, String quiet, String push) {

  static Preferences fromHash(Map<String, String> h) {
    Map<String, String> channels = new HashMap<>();
    Set<String> off = new HashSet<>();
    h.forEach((k, v) -> {
      if (k.startsWith("channel:")) {
        channels.put(k.substring(8), v);
      } else if (k.startsWith("kind:") && "off".equals(v)) {
        off.add(k.substring(5));
      }
    });
    return new Preferences(channels, off, h.get("quiet"), h.getOrDefault("push", "offline"));
  }

  /** Whether a notification of this kind, about this channel, is wanted at all. */
  boolean wants(NotificationKind kind, String channelId) {
    if (kindsOff.contains(kind.wire())) {
      return false;
    }
    if (channelId == null) {
      return true;
    }
    String level = channels.get(channelId);
    if ("muted".equals(level)) {
      return false;
    }
    // A direct conversation set to "mentions" notifies only when the person is mentioned.
    return !(kind == NotificationKind.DIRECT && "mentions".equals(level));
  }

  boolean inQuietHours(LocalTime now) {
    if (quiet == null) {
      return false;
    }
    String[] parts = quiet.split("-");
    return NotificationServiceImpl.between(now, LocalTime.parse(parts[0]), LocalTime.parse(parts[1]));
  }

  JsonObject toJson() {
    JsonObject kinds = new JsonObject();
    for (NotificationKind k : NotificationKind.values()) {
      kinds.put(k.wire(), !kindsOff.contains(k.wire()));
    }
    JsonObject json = new JsonObject().put("channels", new JsonObject(new HashMap<>(channels))).put("kinds", kinds)
        .put("push", push);
    if (quiet != null) {
      String[] parts = quiet.split("-");
      json.put("quietHours", new JsonObject().put("start", parts[0]).put("end", parts[1]));
    }
    return json;
  }
}
