package org.relais.identity;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.relais.core.EventSink;
import org.relais.core.Principal;
import org.relais.redis.RedisDb;

/**
 * Organisations, people and the directory. Every method checks that the principal may do what it asks
 * ({@code forbidden} otherwise), then writes, then announces. Inputs are already validated by the op's schema;
 * methods return the op's reply {@code data}.
 */
public interface IdentityService {

  /**
   * @param inviteLinkBase the public URL invitation links start with (e.g. {@code https://relais.example.org}),
   *                       or null when unknown
   */
  static IdentityService create(RedisDb db, AuthService auth, EventSink events, String inviteLinkBase,
                                long inviteTtlSeconds) {
    return new IdentityServiceImpl(db, auth, events, inviteLinkBase, inviteTtlSeconds);
  }

  /** {@code {"user", "org"}} of the caller. */
  Future<JsonObject> me(Principal principal);

  /** Changes the caller's own profile: display name, title, locale, time zone, working hours. */
  Future<JsonObject> updateMe(Principal principal, JsonObject changes);

  Future<JsonObject> getUser(Principal principal, String userId);

  /**
   * The directory: by name words (prefix, accent-insensitive), organisation, country, role; sorted by name words,
   * then id; paged by offset ({@code users}, {@code total}, and {@code nextOffset} while more follow).
   */
  Future<JsonObject> search(Principal principal, JsonObject query);

  Future<JsonObject> listOrgs(Principal principal, JsonObject filter);

  Future<JsonObject> getOrg(Principal principal, String orgId);

  /** Network admins only. */
  Future<JsonObject> createOrg(Principal principal, JsonObject org);

  /** Network admins only. */
  Future<JsonObject> updateOrg(Principal principal, JsonObject changes);

  /**
   * Invites a person: an admin into any organisation, an org-admin into their own. Returns the one-time
   * {@code inviteToken} (there is no mail server: the inviter passes it on).
   */
  Future<JsonObject> invite(Principal principal, JsonObject invitation);

  /** Sets a user's roles: an admin for anyone; an org-admin within their organisation, never granting admin. */
  Future<JsonObject> setRoles(Principal principal, String userId, java.util.List<String> roles);

  /**
   * Disables (or re-enables) a user; disabling revokes every session at once and deletes a pending invitation.
   * A user disabled by a network admin is re-enabled only by a network admin ({@code forbidden} for an org-admin).
   */
  Future<JsonObject> setDisabled(Principal principal, String userId, boolean disabled);

  /** The partner organisations of an organisation (from accepted partnerships). */
  @FunctionalInterface
  interface PartnerLookup {
    Future<java.util.List<String>> partnersOf(String orgId);
  }

  /** Where org.get finds an organisation's partners (set once at start-up; none by default). */
  void partnersFrom(PartnerLookup lookup);

  /**
   * Where organisation changes, invitations, role changes and disables are recorded (set once at start-up; nowhere
   * by default). Each is recorded after it is written and before the call completes.
   */
  void auditTo(org.relais.core.AuditSink sink);

  /** Users by id, for other modules; unknown ids are absent from the map. */
  Future<java.util.Map<String, User>> usersById(java.util.Collection<String> userIds);

  /** Creates an organisation without a principal: bootstrap and demo data only. */
  Future<Org> createOrgUnchecked(String name, String shortName, String country, OrgKind kind);
}
