package org.relais.messaging;

import org.relais.redis.Keys;

/**
 * Every Redis key and pub/sub topic of messaging. The keys of one channel share the hash tag {@code {c:<id>}} so
 * that the Lua scripts, which touch several of them at once, stay in one Redis Cluster slot; the scripts derive
 * the channel's other keys from {@link #channel} by suffix (see messaging_lib.lua), so the layout is:
 *
 * <pre>
 * relais:ch:{c:ID}                 hash: the channel (kind, name, …, seq, offset)
 * relais:ch:{c:ID}:members         hash: userId -> role (channels with listed members)
 * relais:ch:{c:ID}:read            hash: userId -> last read seq
 * relais:ch:{c:ID}:m:SEQ           hash: one message
 * relais:ch:{c:ID}:json            hash: SEQ -> the message's wire shape (JSON text), kept current by the scripts;
 *                                  a history page is one HMGET of it
 * relais:ch:{c:ID}:ids             hash: message id -> seq
 * relais:ch:{c:ID}:thread:SEQ      list: the seqs of the replies to root SEQ
 * relais:ch:{c:ID}:mentions:USER   sorted set: seqs mentioning USER ("*" for @channel)
 * relais:ch:{c:ID}:dedupe:USER:CID string: seq of the message USER sent with clientMsgId CID (expires)
 * relais:ch:{c:ID}:log             stream: the channel's events, entry id OFFSET-0, field e = event JSON
 * </pre>
 */
final class MessagingKeys {
  private static final String P = Keys.PREFIX + "ch:";

  private MessagingKeys() {
  }

  static String channel(String channelId) {
    return P + "{c:" + channelId + "}";
  }

  static String members(String channelId) {
    return channel(channelId) + ":members";
  }

  static String read(String channelId) {
    return channel(channelId) + ":read";
  }

  static String message(String channelId, long seq) {
    return channel(channelId) + ":m:" + seq;
  }

  /** The channel's stored renderings: seq -> the message's wire shape (messaging_lib.lua, store_rendering). */
  static String renderings(String channelId) {
    return channel(channelId) + ":json";
  }

  static String messageIds(String channelId) {
    return channel(channelId) + ":ids";
  }

  static String thread(String channelId, long rootSeq) {
    return channel(channelId) + ":thread:" + rootSeq;
  }

  static String mentions(String channelId, String userId) {
    return channel(channelId) + ":mentions:" + userId;
  }

  static String log(String channelId) {
    return channel(channelId) + ":log";
  }

  /** Channels with listed members that the user belongs to (and direct conversations). */
  static String userChannels(String userId) {
    return Keys.PREFIX + "user-channels:" + userId;
  }

  /** Channels every user belongs to. */
  static String networkChannels() {
    return Keys.PREFIX + "channels:network";
  }

  /** Organisation channels of an organisation. */
  static String orgChannels(String orgId) {
    return Keys.PREFIX + "channels:org:" + orgId;
  }

  /** Public channels, for browsing. */
  static String publicChannels() {
    return Keys.PREFIX + "channels:public";
  }

  /** The direct conversation of a set of people: key made from their sorted ids. */
  static String direct(String participantsHash) {
    return Keys.PREFIX + "dm:" + participantsHash;
  }

  /** The channel opened for a partnership (set once, by the partnership's key). */
  static String partnership(String key) {
    return Keys.PREFIX + "partnership-channel:" + key;
  }

  /** The epoch of this database: made once; if it changes, Redis lost its data and clients must reload. */
  static String epoch() {
    return Keys.PREFIX + "epoch";
  }

  /** Throttle of a user's typing notices in a channel. */
  static String typing(String channelId, String userId) {
    return channel(channelId) + ":typing:" + userId;
  }
}
