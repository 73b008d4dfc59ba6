package org.relais.partnerships;

import org.relais.redis.Keys;

/**
 * Every Redis key of the partnership module. All share the hash tag {@code {ptn}}: partnership data is small (a few
 * requests per pair of organisations per year), and its scripts touch both organisations' indexes, the pair's open
 * marker, the partner lists and the deadline sets at once, so on Redis Cluster it lives on one shard. The Lua scripts
 * receive {@link #PREFIX} and build the same keys from it (partnership_lib.lua): the layout is
 *
 * <pre>
 * relais:{ptn}:req:ID              hash: the request (terms, state, version, counter terms c*, spaces ids, …)
 * relais:{ptn}:req:ID:trail        list: trail entries, JSON {state, by, at, note, terms?}, oldest first
 * relais:{ptn}:req:ID:comments     list: comments, JSON {id, by, at, text}, oldest first
 * relais:{ptn}:req:ID:spaces       string: lease of the caller opening the request's spaces (token, expires)
 * relais:{ptn}:org:ORG:out         sorted set: requests ORG sent; all scores 0, members SORTKEY ({@link #sortKey})
 * relais:{ptn}:org:ORG:in          sorted set: requests ORG received; the same members
 * relais:{ptn}:org:ORG:partners    hash: partner org id → number of accepted, not ended, partnerships linking them
 * relais:{ptn}:open:FROM:TO        string: the id of the pending or countered request from FROM to TO
 * relais:{ptn}:deadlines           sorted set: open request ids by deadline (epoch ms)
 * relais:{ptn}:notices             sorted set: open request ids by when their "expiring" notice is due (epoch ms)
 * relais:{ptn}:spaces              sorted set: accepted request ids whose spaces are not recorded yet, by next try (ms)
 * </pre>
 */
final class PartnershipKeys {
  static final String PREFIX = Keys.PREFIX + "{ptn}:";

  private PartnershipKeys() {
  }

  static String request(String requestId) {
    return PREFIX + "req:" + requestId;
  }

  static String trail(String requestId) {
    return request(requestId) + ":trail";
  }

  static String comments(String requestId) {
    return request(requestId) + ":comments";
  }

  static String outgoing(String orgId) {
    return PREFIX + "org:" + orgId + ":out";
  }

  static String incoming(String orgId) {
    return PREFIX + "org:" + orgId + ":in";
  }

  static String partners(String orgId) {
    return PREFIX + "org:" + orgId + ":partners";
  }

  static String deadlines() {
    return PREFIX + "deadlines";
  }

  static String notices() {
    return PREFIX + "notices";
  }

  static String spaces() {
    return PREFIX + "spaces";
  }

  /**
   * The member of a request in its organisations' indexes: creation time then id, so that a reverse lexical range
   * lists newest first and a member is also a stable paging cursor.
   */
  static String sortKey(long createdAtMs, String requestId) {
    return String.format("%015d:%s", createdAtMs, requestId);
  }

  /** The request id of an index member. */
  static String idOf(String sortKey) {
    return sortKey.substring(sortKey.indexOf(':') + 1);
  }
}
