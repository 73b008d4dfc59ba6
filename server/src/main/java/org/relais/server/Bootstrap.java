package org.relais.server;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import org.relais.core.Ids;
import org.relais.core.Role;
import org.relais.identity.AuthService;
import org.relais.identity.IdentityService;
import org.relais.identity.OrgKind;
import org.relais.identity.User;
import org.relais.identity.UserStatus;
import org.relais.identity.WorkingHours;
import org.relais.messaging.MessagingService;
import org.relais.redis.Keys;
import org.relais.redis.RedisDb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.EnumSet;

/**
 * First start on an empty database: creates the network's admin (from adminEmail/adminPassword, or with a
 * generated password printed once in the log), and with demo on, the demo network. Runs once per database, also
 * with several nodes starting together (guarded by SET NX).
 */
final class Bootstrap {
  private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);
  static final String BOOTSTRAP_KEY = Keys.PREFIX + "bootstrapped";
  static final String DEMO_KEY = Keys.PREFIX + "demo-seeded";

  private final RelaisConfig config;
  private final RedisDb db;
  private final AuthService auth;
  private final IdentityService identity;
  private final MessagingService messaging;

  Bootstrap(RelaisConfig config, RedisDb db, AuthService auth, IdentityService identity, MessagingService messaging) {
    this.config = config;
    this.db = db;
    this.auth = auth;
    this.identity = identity;
    this.messaging = messaging;
  }

  Future<Void> run() {
    return once(BOOTSTRAP_KEY, this::createAdmin)
        .compose(v -> config.demo() ? once(DEMO_KEY, () -> new DemoSeed(auth, identity, messaging).run()) : Future.succeededFuture());
  }

  /** Runs {@code step} if no node has run it on this database; if it fails, another start may try again. */
  private Future<Void> once(String key, java.util.function.Supplier<Future<Void>> step) {
    return db.send(Command.SET, key, Instant.now().toString(), "NX").compose(set -> set == null
        ? Future.succeededFuture()
        : step.get().recover(e -> db.send(Command.DEL, key).transform(x -> Future.failedFuture(e))));
  }

  private Future<Void> createAdmin() {
    // Even with demo data, the admin's password is never the public demo one: it is configured or generated.
    boolean generated = config.adminPassword() == null;
    String password = generated ? Ids.newSecret().substring(0, 20) : config.adminPassword();
    return identity.createOrgUnchecked("Network secretariat", "SEC", config.adminCountry(), OrgKind.OTHER)
        .compose(org -> {
          String now = Instant.now().toString();
          User admin = new User(Ids.newId(), config.adminEmail(), "Network admin", "Administrator", org.id(),
              config.adminCountry(), "en", "UTC", WorkingHours.DEFAULT,
              EnumSet.of(Role.MEMBER, Role.ADMIN, Role.COORDINATOR), UserStatus.ACTIVE, null, now, now);
          return auth.createUserWithPassword(admin, password);
        })
        .map(admin -> {
          if (generated) {
            LOG.warn("\n\n  First start: network admin created.\n    email:    {}\n    password: {}\n"
                + "  This password is shown only once. Sign in and keep it safe.\n", config.adminEmail(), password);
          } else {
            LOG.info("First start: network admin {} created", config.adminEmail());
          }
          return null;
        });
  }
}
