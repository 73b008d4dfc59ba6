package org.relais.notifications;

/**
 * Web Push settings.
 *
 * @param subject                 the VAPID subject: a mailto: or https: contact for push services
 * @param allowInsecureEndpoints  accept http:// push endpoints (local testing only; browsers always give https)
 * @param ttlSeconds              how long a push service keeps an undelivered push
 * @param maxAttempts             tries per push when the service answers 429 or 5xx
 * @param firstRetryMs            the first retry's delay; each next one is four times longer
 * @param allowedHosts            push service hosts subscriptions may point to (and their subdomains): the server
 *                                posts to these only, never to an arbitrary host a user names
 */
public record PushSettings(String subject, boolean allowInsecureEndpoints, int ttlSeconds, int maxAttempts,
                           long firstRetryMs, java.util.List<String> allowedHosts) {

  /** The push services of Chrome/Edge/Android (FCM), Firefox (Mozilla), Windows (WNS) and Safari (Apple). */
  public static final java.util.List<String> KNOWN_PUSH_SERVICES = java.util.List.of("fcm.googleapis.com",
      "push.services.mozilla.com", "notify.windows.com", "push.apple.com");

  /** Whether pushes may be posted to this host: one of allowedHosts or a subdomain of one. */
  boolean allows(String host) {
    String h = host.toLowerCase(java.util.Locale.ROOT);
    return allowedHosts.stream().anyMatch(a -> h.equals(a) || h.endsWith("." + a));
  }
}
