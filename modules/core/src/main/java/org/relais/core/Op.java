package org.relais.core;

/**
 * One entry of the dispatch table.
 *
 * @param name    the wire name, e.g. {@code user.me}
 * @param schema  the shape of its {@code data}
 * @param handler its logic
 * @param cost    tokens it takes from the caller's rate-limit bucket (1 for ordinary ops, more for expensive ones)
 */
public record Op(String name, Schema schema, OpHandler handler, int cost) {
}
