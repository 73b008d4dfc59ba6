package org.relais.realtime;

/**
 * One user's presence change, as announced: what the watchers see now, what the user's own sessions see now.
 *
 * @param userId     the user
 * @param publicView for the people who share a channel with the user; null when what they see did not change
 * @param ownView    for the user's own sessions; null when neither their real status nor their choices changed
 */
public record PresenceChange(String userId, UserPresence publicView, UserPresence ownView) {
}
