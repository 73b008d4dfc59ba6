package org.relais.realtime;

/**
 * One user's presence change, as announced: what the watchers see now, what the user's own sessions see now.
 *
 * @param userId     the user
 * @param publicView for the people who share a channel with the user; null when what they see did not change
 * @param ownView    for the user's own sessions; null when neither their real status nor their choices changed
 * @param version    the user's presence version when this change was made, raised by every change of the user in
 *                   Redis (Redis's clock in ms, or one more than the previous version): of two announcements of one
 *                   user that arrive out of order (settled on two event loops or nodes at once, a publish retried),
 *                   the one with the lower version is stale
 */
public record PresenceChange(String userId, UserPresence publicView, UserPresence ownView, long version) {
}
