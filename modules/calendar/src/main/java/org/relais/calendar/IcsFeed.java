package org.relais.calendar;

import java.time.Instant;

/**
 * One rendering of an iCalendar subscription feed.
 *
 * @param body         the RFC 5545 text: CRLF line ends, lines folded at 75 octets, UTF-8
 * @param etag         a strong validator of {@code body}, quoted, ready for the {@code ETag} header
 * @param lastModified the latest change of anything in the feed, for {@code Last-Modified}
 */
public record IcsFeed(String body, String etag, Instant lastModified) {
  public static final String CONTENT_TYPE = "text/calendar; charset=utf-8";
}
