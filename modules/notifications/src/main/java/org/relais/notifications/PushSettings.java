package org.relais.notifications;

/**
 * Web Push settings.
 *
 * @param subject                 the VAPID subject: a mailto: or https: contact for push services
 * @param allowInsecureEndpoints  accept http:// push endpoints (local testing only; browsers always give https)
 * @param ttlSeconds              how long a push service keeps an undelivered push
 * @param maxAttempts             tries per push when the service answers 429 or 5xx
 * @param firstRetryMs            the first retry's delay; each next one is four times longer
 */
public record PushSettings(String subject, boolean allowInsecureEndpoints, int ttlSeconds, int maxAttempts,
                           long firstRetryMs) {
}
