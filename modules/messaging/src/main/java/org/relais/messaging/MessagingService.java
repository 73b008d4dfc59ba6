package org.relais.messaging;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.relais.core.EventSink;
import org.relais.core.Principal;
import org.relais.identity.IdentityService;
import org.relais.redis.RedisDb;

import java.util.Collection;
import java.util.List;

/**
 * Channels, membership, messages, threads, reactions and read state.
 *
 * <p>Every change is one Lua script on the channel's keys that checks, writes, and appends an event with the
 * channel's next {@code offset} to the channel's log; only after it succeeded is the event published. Messages
 * get a per-channel {@code seq}, 1, 2, 3 … without gaps, assigned in that same script. A private channel is
 * indistinguishable from a missing one to a non-member ({@code not_found}).
 *
 * <p>Methods taking {@code data} receive it validated by the op's schema and return the op's reply data.
 */
public interface MessagingService {

  static MessagingService create(RedisDb db, IdentityService identity, ChannelBus bus, EventSink events,
                                 MessagingSettings settings) {
    return new MessagingServiceImpl(db, identity, bus, events, settings);
  }

  /** Registers who hears about sent messages and added members (set once, at start-up). */
  void observe(MessagingObserver observer);

  /** Where channel role changes and removals are recorded (set once at start-up; nowhere by default). */
  void auditTo(org.relais.core.AuditSink sink);

  /** The listed members of a channel (empty for network and organisation channels): for other features, unchecked. */
  Future<List<String>> memberIds(String channelId);

  /**
   * Opens the private channel of an accepted partnership, once per {@code key}: a retry with the same key returns
   * the channel made the first time. For the partnerships feature, which has checked who may accept.
   *
   * @return {@code {"channel"}}
   */
  Future<JsonObject> openPartnershipChannel(String key, String name, String topic, List<String> memberIds, String ownerId);

  /**
   * Archives the channel of a partnership that ended: its history stays readable by its members, nothing more can be
   * written. Does nothing if no channel was opened for {@code key}.
   */
  Future<Void> closePartnershipChannel(String key, String byUserId);

  /** The channel, unchecked: for other features that already know the caller may see it. */
  Future<java.util.Optional<Channel>> channel(String channelId);

  Future<JsonObject> createChannel(Principal p, JsonObject data);

  Future<JsonObject> updateChannel(Principal p, JsonObject data);

  Future<JsonObject> archiveChannel(Principal p, String channelId, boolean archived);

  /** The caller's channels, each with unread count, mention count and last message. */
  Future<JsonObject> listChannels(Principal p);

  /** Public channels, searchable by words of their name and topic. */
  Future<JsonObject> browseChannels(Principal p, JsonObject data);

  Future<JsonObject> join(Principal p, String channelId);

  Future<JsonObject> leave(Principal p, String channelId);

  Future<JsonObject> invite(Principal p, String channelId, List<String> userIds);

  Future<JsonObject> kick(Principal p, String channelId, String userId);

  Future<JsonObject> members(Principal p, JsonObject data);

  /** Makes a listed member an owner, a moderator or a plain member: the channel's owners (and admins) only. */
  Future<JsonObject> setRole(Principal p, String channelId, String userId, MemberRole role);

  /** The direct conversation of the caller and these people, created if it does not exist yet. */
  Future<JsonObject> openDirect(Principal p, List<String> userIds);

  /**
   * Sends a message. Idempotent on {@code clientMsgId}: a retry returns the original message and creates nothing.
   * Acknowledged (the future completes) only once the message is in Redis.
   */
  Future<JsonObject> send(Principal p, JsonObject data);

  /**
   * {@link #send(Principal, JsonObject)} once {@code admitted} (the caller's rate-limit check) has succeeded; the
   * channel and membership reads go out at once, in the same round trip as that check, and nothing is written
   * before it passes. Fails with {@code admitted}'s failure when it fails.
   */
  Future<JsonObject> send(Principal p, JsonObject data, Future<Void> admitted);

  Future<JsonObject> edit(Principal p, JsonObject data);

  Future<JsonObject> delete(Principal p, JsonObject data);

  Future<JsonObject> react(Principal p, JsonObject data, boolean add);

  /** A page of messages: before, after or around a seq (at most one), or the newest page. */
  Future<JsonObject> history(Principal p, JsonObject data);

  Future<JsonObject> threadHistory(Principal p, JsonObject data);

  Future<JsonObject> markRead(Principal p, String channelId, long seq);

  /** Tells the channel's other connected members that the caller is typing; throttled, never stored. */
  Future<JsonObject> typing(Principal p, JsonObject data);

  // For the gateway

  /** Ids of every channel the user is a member of: listed memberships, direct conversations, network and organisation channels. */
  Future<List<String>> channelIdsOf(Principal p);

  /** Every channel of the user with its last offset now: where a socket that says hello starts following. */
  Future<java.util.Map<String, Long>> channelOffsetsOf(Principal p);

  /**
   * Whether the user is a member now (the check before a socket follows a channel); false when the channel does not
   * exist; fails ({@code unavailable}) when Redis does not answer, so that the caller asks again.
   */
  Future<Boolean> isMember(Principal p, String channelId);

  /** Events with offsets in (after, upTo], at most {@code max}. */
  Future<LogRange> readLog(String channelId, long after, long upTo, int max);

  /** The channel's last offset (0 if the channel does not exist). */
  Future<Long> lastOffset(String channelId);

  /** The database's epoch, made on first use. */
  Future<String> epoch();

  /**
   * The channels through which each user's presence is watched: the channels with listed members that the user is
   * in and that have at most maxPresenceFanout members (network, organisation and larger channels do not count:
   * nearly everyone would watch everyone). For many users at once: one batch of reads per step, each channel's member count read once.
   *
   * @return by user id, in no particular order; a user in no such channel maps to an empty list
   */
  Future<java.util.Map<String, List<String>>> presenceChannelsOf(Collection<String> userIds);
}
