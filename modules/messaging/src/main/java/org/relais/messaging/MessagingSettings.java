package org.relais.messaging;

/**
 * Limits of messaging.
 *
 * @param maxMessageChars      longest message text, in characters
 * @param maxReactions         distinct reactions one message can carry
 * @param logMaxEvents         events kept in each channel's log for resuming (older ones are trimmed; clients that
 *                             missed more are told to resync)
 * @param dedupeSeconds        how long a clientMsgId is remembered for retries
 * @param maxDirectMembers     people in a direct conversation, the caller included
 * @param maxPresenceFanout    channels larger than this do not make their members presence watchers of each other
 * @param publishSendsInScript the send script publishes message.new itself (one round trip less per message);
 *                             false when sends wait for replicas (redisWaitReplicas &gt; 0), so that a message
 *                             reaches other members only once a replica has it, as before
 */
public record MessagingSettings(int maxMessageChars, int maxReactions, int logMaxEvents, long dedupeSeconds,
                                int maxDirectMembers, int maxPresenceFanout, boolean publishSendsInScript) {

  public MessagingSettings(int maxMessageChars, int maxReactions, int logMaxEvents, long dedupeSeconds,
                           int maxDirectMembers, int maxPresenceFanout) {
    this(maxMessageChars, maxReactions, logMaxEvents, dedupeSeconds, maxDirectMembers, maxPresenceFanout, true);
  }

  public static MessagingSettings defaults() {
    return new MessagingSettings(8_000, 20, 10_000, 86_400, 8, 1_000);
  }
}
