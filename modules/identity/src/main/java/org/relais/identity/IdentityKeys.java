package org.relais.identity;

import org.relais.redis.Keys;

/**
 * Every Redis key of the identity module. All share the {@code {idn}} hash tag: identity data is small, and its
 * scripts touch several keys at once, so on Redis Cluster it lives on one shard.
 */
final class IdentityKeys {
  private static final String P = Keys.PREFIX + "{idn}:";

  private IdentityKeys() {
  }

  static String org(String orgId) {
    return P + "org:" + orgId;
  }

  static String orgs() {
    return P + "orgs";
  }

  static String orgUsers(String orgId) {
    return P + "org:" + orgId + ":users";
  }

  static String userPrefix() {
    return P + "user:";
  }

  static String user(String userId) {
    return userPrefix() + userId;
  }

  static String userSessions(String userId) {
    return userPrefix() + userId + ":sessions";
  }

  static String users() {
    return P + "users";
  }

  static String emails() {
    return P + "emails";
  }

  static String names() {
    return P + "names";
  }

  static String invite(String tokenHash) {
    return P + "invite:" + tokenHash;
  }

  static String refreshToken(String tokenHash) {
    return P + "rt:" + tokenHash;
  }

  static String sessionPrefix() {
    return P + "session:";
  }

  static String session(String sessionId) {
    return sessionPrefix() + sessionId;
  }

  static String sessionTokens(String sessionId) {
    return session(sessionId) + ":tokens";
  }

  static String loginAttempts(String emailHash) {
    return P + "loginfail:" + emailHash;
  }

  static String loginIp(String ip) {
    return P + "loginip:" + ip;
  }

  static String jwtKeys() {
    return P + "jwt:keys";
  }

  static String jwtCurrent() {
    return P + "jwt:current";
  }
}
