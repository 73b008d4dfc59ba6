package org.relais.notifications;

import java.text.MessageFormat;
import java.util.Locale;
import java.util.ResourceBundle;

/**
 * Notification texts in the recipient's language: French and English catalogues
 * ({@code org/relais/notifications/messages*.properties}, UTF-8). A language without a catalogue falls back to
 * English.
 */
final class Catalog {
  private Catalog() {
  }

  /** The text of {@code key} in {@code locale}, with {@code args} filled in. */
  static String text(String locale, String key, Object... args) {
    Locale loc = "fr".equals(locale) ? Locale.FRENCH : Locale.ENGLISH;
    ResourceBundle bundle = ResourceBundle.getBundle("org.relais.notifications.messages", loc,
        ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
    return new MessageFormat(bundle.getString(key), loc).format(args);
  }

  static String title(String locale, NotificationKind kind, Object... args) {
    return text(locale, kind.wire() + ".title", args);
  }

  static String body(String locale, NotificationKind kind, Object... args) {
    return text(locale, kind.wire() + ".body", args);
  }
}
