package org.relais.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One security or administration event for the audit log. Holds identifiers and outcomes only: never a password,
 * a token, a secret, a password hash or a message body. The time and the node are added by the log.
 *
 * @param action  what happened, e.g. {@code auth.login}, {@code user.roles} (the list is in docs/SECURITY.md)
 * @param actorId the user who did it, or null (an unknown person at sign-in, the system)
 * @param target  what it was done to (a user, organisation, channel or request id), or null
 * @param orgId   the organisation concerned, or null
 * @param address the client's IP address, or null
 * @param outcome {@code ok}, or why it failed (an error code such as {@code unauthenticated})
 * @param details a few more short, non-secret facts (roles before and after, a state change), possibly empty
 */
public record AuditEntry(String action, String actorId, String target, String orgId, String address, String outcome,
                         Map<String, String> details) {

  public AuditEntry {
    details = Map.copyOf(details);
  }

  /** A successful action of {@code actor} on {@code target}. */
  public static AuditEntry by(Principal actor, String action, String target, String orgId) {
    return new AuditEntry(action, actor == null ? null : actor.userId(), target, orgId,
        actor == null ? null : actor.address(), "ok", Map.of());
  }

  /** An action of the system (expiry, start-up), with no actor and no address. */
  public static AuditEntry system(String action, String target, String orgId) {
    return new AuditEntry(action, null, target, orgId, null, "ok", Map.of());
  }

  public AuditEntry withOutcome(String outcome) {
    return new AuditEntry(action, actorId, target, orgId, address, outcome, details);
  }

  public AuditEntry withActor(String actorId) {
    return new AuditEntry(action, actorId, target, orgId, address, outcome, details);
  }

  public AuditEntry withTarget(String target, String orgId) {
    return new AuditEntry(action, actorId, target, orgId, address, outcome, details);
  }

  public AuditEntry withAddress(String address) {
    return new AuditEntry(action, actorId, target, orgId, address, outcome, details);
  }

  /** The entry with one more detail; a null value is left out. */
  public AuditEntry with(String key, String value) {
    if (value == null) {
      return this;
    }
    Map<String, String> more = new LinkedHashMap<>(details);
    more.put(key, value);
    return new AuditEntry(action, actorId, target, orgId, address, outcome, more);
  }
}
