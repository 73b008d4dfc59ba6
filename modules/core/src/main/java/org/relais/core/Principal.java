package org.relais.core;

import java.util.Set;

/**
 * Who is calling: resolved from a verified access token and the user's current record.
 *
 * @param userId    the user
 * @param orgId     the user's organisation
 * @param roles     the user's roles (always contains {@link Role#MEMBER})
 * @param sessionId the login session (refresh-token family) the token belongs to
 * @param locale    the user's language, {@code fr} or {@code en}
 * @param address   the client's IP address for this request (as the server sees it, proxies resolved), or null
 *                  when the call does not come from a client (start-up, timers)
 */
public record Principal(String userId, String orgId, Set<Role> roles, String sessionId, String locale,
                        String address) {

  /** A principal with no client address. */
  public Principal(String userId, String orgId, Set<Role> roles, String sessionId, String locale) {
    this(userId, orgId, roles, sessionId, locale, null);
  }

  /** The same principal, calling from {@code address}. */
  public Principal withAddress(String address) {
    return new Principal(userId, orgId, roles, sessionId, locale, address);
  }

  public boolean isAdmin() {
    return roles.contains(Role.ADMIN);
  }

  /** An org-admin of {@code org}, or a network admin. */
  public boolean canAdminOrg(String org) {
    return isAdmin() || (roles.contains(Role.ORG_ADMIN) && orgId.equals(org));
  }

  public boolean isCoordinator() {
    return roles.contains(Role.COORDINATOR);
  }
}
