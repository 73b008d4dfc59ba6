package org.relais.partnerships;

import java.time.Duration;

/**
 * Timing and limits of partnership requests.
 *
 * @param expiry         how long a request (or a counter-proposal) waits for an answer before it expires
 * @param expiringNotice how long before its deadline the people concerned are told it is about to expire
 * @param sweepInterval  how often each node's sweeper runs a round (expiry, notices, spaces to open again)
 * @param sweepBatch     most requests one round expires, notices, or opens spaces for, of each kind
 * @param spacesLease    how long one caller has to open a request's spaces before another may try
 * @param spacesRetry    how long after a failed opening the sweeper tries again
 * @param maxComments    most comments one request can carry
 */
public record PartnershipSettings(Duration expiry, Duration expiringNotice, Duration sweepInterval, int sweepBatch,
                                  Duration spacesLease, Duration spacesRetry, int maxComments) {

  public PartnershipSettings {
    if (expiry.isNegative() || expiry.isZero()) {
      throw new IllegalArgumentException("expiry must be positive");
    }
    if (expiringNotice.isNegative()) {
      throw new IllegalArgumentException("expiringNotice must not be negative");
    }
    if (sweepInterval.toMillis() < 1 || spacesLease.toMillis() < 1 || spacesRetry.toMillis() < 1) {
      throw new IllegalArgumentException("sweepInterval, spacesLease and spacesRetry must be at least 1 ms");
    }
    if (sweepBatch < 1 || maxComments < 1) {
      throw new IllegalArgumentException("sweepBatch and maxComments must be at least 1");
    }
  }

  /** 30 days to answer, told 3 days before, a sweep a minute. */
  public static PartnershipSettings defaults() {
    return new PartnershipSettings(Duration.ofDays(30), Duration.ofDays(3), Duration.ofMinutes(1), 100,
        Duration.ofSeconds(30), Duration.ofMinutes(1), 1_000);
  }

  public PartnershipSettings withExpiry(Duration expiry) {
    return new PartnershipSettings(expiry, expiringNotice, sweepInterval, sweepBatch, spacesLease, spacesRetry,
        maxComments);
  }
}
