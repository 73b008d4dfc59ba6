package org.relais.messaging;

import java.util.List;

/**
 * Events read from a channel's log.
 *
 * @param events   the events' JSON, in offset order
 * @param complete false when the log no longer holds the start of the range (trimmed, or Redis lost data): the
 *                 reader must tell its client to resync
 * @param last     the offset of the last event read (or the range's start when none)
 */
public record LogRange(List<String> events, boolean complete, long last) {
}
