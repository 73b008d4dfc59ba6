package org.relais.tests.partnerships;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.relais.core.Ids;
import org.relais.core.Op;
import org.relais.core.OpRegistry;
import org.relais.core.Principal;
import org.relais.core.RelaisException;
import org.relais.core.Role;
import org.relais.identity.AuthService;
import org.relais.identity.IdentityService;
import org.relais.identity.Org;
import org.relais.identity.OrgKind;
import org.relais.identity.TokenSettings;
import org.relais.identity.Tokens;
import org.relais.identity.User;
import org.relais.identity.UserStatus;
import org.relais.identity.WorkingHours;
import org.relais.partnerships.PartnershipNotifier;
import org.relais.partnerships.PartnershipOps;
import org.relais.partnerships.PartnershipService;
import org.relais.partnerships.PartnershipSettings;
import org.relais.redis.ManagedRedis;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;
import org.relais.redis.Responses;
import org.relais.tests.redis.TestRedis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The partnership module on a real redis-server, wired as the server wires it: identity for organisations and people,
 * the service with an injected clock, its ops in a dispatch table, an event sink and a notifier that record, and spaces
 * that count. Ops are called as the gateway calls them: schema first, then the handler.
 */
final class PartnershipFixture implements AutoCloseable {
  static final Instant START = Instant.parse("2026-02-02T08:00:00Z");

  final ManagedRedis redis;
  final Vertx vertx;
  final RedisDb db;
  final Tokens tokens;
  final AuthService auth;
  final IdentityService identity;
  final MutableClock clock = new MutableClock(START);
  final RecordingEvents events = new RecordingEvents();
  final RecordingNotifier notifier = new RecordingNotifier();
  final CountingSpaces spaces;
  final PartnershipSettings settings;
  final PartnershipService partnerships;
  final OpRegistry ops = new OpRegistry();
  final Person networkAdmin;
  private final Org secretariat;
  private final AtomicInteger orgs = new AtomicInteger();

  private PartnershipFixture(PartnershipSettings settings) {
    this.redis = TestRedis.start();
    this.vertx = Vertx.vertx();
    this.db = RedisDb.create(vertx, RedisSettings.of(redis.url()), new SimpleMeterRegistry());
    this.tokens = await(Tokens.create(vertx, db, new TokenSettings("relais", "relais", 900, 2_592_000, 30, null, 3_600,
        0, 60)));
    this.auth = AuthService.create(vertx, db, tokens, events);
    this.identity = IdentityService.create(db, auth, events, null, 3_600);
    this.spaces = new CountingSpaces(vertx);
    this.settings = settings;
    this.partnerships = node(notifier);
    PartnershipOps.register(ops, partnerships);
    this.secretariat = await(identity.createOrgUnchecked("UN Women (Secretariat)", "UNW-S", "US", OrgKind.UN_AGENCY));
    String now = Instant.now().toString();
    User admin = await(auth.createUserWithPassword(new User(Ids.newId(), "admin" + Ids.newId().toLowerCase()
        + "@test.example", "Network Admin", "", secretariat.id(), "US", "en", "America/New_York", WorkingHours.DEFAULT,
        EnumSet.of(Role.MEMBER, Role.ADMIN), UserStatus.ACTIVE, null, now, now), "focal-point-pass"));
    this.networkAdmin = new Person(admin.id(), admin.orgId(), admin.roles(), "Network Admin");
  }

  static PartnershipFixture start() {
    return new PartnershipFixture(PartnershipSettings.defaults());
  }

  static PartnershipFixture start(PartnershipSettings settings) {
    return new PartnershipFixture(settings);
  }

  /** Another node on the same Redis, clock, identity, events and spaces. */
  PartnershipService node(PartnershipNotifier notifier) {
    return node(notifier, settings);
  }

  PartnershipService node(PartnershipNotifier notifier, PartnershipSettings settings) {
    return PartnershipService.create(vertx, db, identity, events, spaces, notifier, settings, clock);
  }

  /** Someone of the network, as a principal sees them. */
  record Person(String id, String orgId, Set<Role> roles, String name) {
    Principal principal() {
      return new Principal(id, orgId, roles, "session-" + id, "fr");
    }
  }

  Org org(String name) {
    return await(identity.createOrgUnchecked(name + " " + orgs.incrementAndGet(), name, "ML", OrgKind.CIVIL_SOCIETY));
  }

  /** A person invited into {@code org} with these roles (members always). */
  Person person(Org org, String name, Role... roles) {
    JsonArray wire = new JsonArray();
    for (Role r : roles) {
      wire.add(r.wire());
    }
    JsonObject invited = await(identity.invite(networkAdmin.principal(), new JsonObject()
        .put("email", "p" + Ids.newId().toLowerCase() + "@test.example").put("displayName", name)
        .put("orgId", org.id()).put("roles", wire)));
    JsonObject user = invited.getJsonObject("user");
    Set<Role> set = EnumSet.of(Role.MEMBER);
    for (Role r : roles) {
      set.add(r);
    }
    return new Person(user.getString("id"), org.id(), set, name);
  }

  /**
   * Two organisations about to partner, WANEP-Mali and UN Women Mali, each with an org-admin, a coordinator, a plain
   * member and a plain member named as focal point; and a third organisation, ECOWAS, with an org-admin and a member.
   */
  Cast cast() {
    Org wanep = org("WANEP-Mali");
    Org unw = org("UN Women Mali");
    Org ecowas = org("ECOWAS");
    return new Cast(wanep, unw, ecowas,
        person(wanep, "Aminata Traoré", Role.ORG_ADMIN), person(wanep, "Fatoumata Diallo", Role.COORDINATOR),
        person(wanep, "Moussa Keïta"), person(wanep, "Awa Coulibaly"),
        person(unw, "Sarah Johnson", Role.ORG_ADMIN), person(unw, "Mariam Sangaré", Role.COORDINATOR),
        person(unw, "Ibrahim Touré"), person(unw, "Kadiatou Konaté"),
        person(ecowas, "Jean Kouassi", Role.ORG_ADMIN), person(ecowas, "Adjoa Mensah"));
  }

  record Cast(Org wanep, Org unw, Org ecowas, Person wanepAdmin, Person wanepCoord, Person wanepMember,
              Person wanepFocal, Person unwAdmin, Person unwCoord, Person unwMember, Person unwFocal,
              Person ecowasAdmin, Person ecowasMember) {

    /** The data of a request from WANEP-Mali to UN Women Mali naming one focal point on each side. */
    JsonObject requestData() {
      return new JsonObject()
          .put("toOrgId", unw.id())
          .put("purpose", "Joint early-warning training for women mediators in Mopti")
          .put("themes", new JsonArray().add("mediation").add("early-warning"))
          .put("focalPoints", new JsonObject()
              .put("from", new JsonArray().add(wanepFocal.id()))
              .put("to", new JsonArray().add(unwFocal.id())));
    }

    /** The authorised people of a request between WANEP-Mali and UN Women Mali naming the two focal points. */
    Set<String> authorised() {
      return Set.of(wanepAdmin.id(), wanepCoord.id(), wanepFocal.id(), unwAdmin.id(), unwCoord.id(), unwFocal.id());
    }

    Set<String> thirdParty() {
      return Set.of(ecowasAdmin.id(), ecowasMember.id());
    }
  }

  /** Calls an op as the gateway does: its schema, then its handler; fails with the op's error. */
  JsonObject call(Person who, String op, JsonObject data) {
    return await(start(who, op, data));
  }

  /** Starts an op without waiting for it (a schema failure is a failed future). */
  Future<JsonObject> start(Person who, String op, JsonObject data) {
    Op o = ops.find(op);
    if (o == null) {
      throw new AssertionError("no op " + op);
    }
    try {
      return o.handler().handle(who.principal(), o.schema().validate(data.copy()));
    } catch (RelaisException e) {
      return Future.failedFuture(e);
    }
  }

  /** "ok", or the wire code of the op's error. */
  String outcome(Person who, String op, JsonObject data) {
    return outcomeOf(start(who, op, data));
  }

  static String outcomeOf(Future<?> future) {
    try {
      await(future);
      return "ok";
    } catch (RelaisException e) {
      return e.code().wire();
    }
  }

  /** The error the op fails with. */
  RelaisException failure(Person who, String op, JsonObject data) {
    try {
      call(who, op, data);
    } catch (RelaisException e) {
      return e;
    }
    throw new AssertionError(op + " succeeded");
  }

  /** Makes the cast's standard request and returns it. */
  JsonObject request(Cast c) {
    return call(c.wanepCoord(), "partnership.request", c.requestData()).getJsonObject("request");
  }

  JsonObject get(Person who, String requestId) {
    return call(who, "partnership.get", new JsonObject().put("requestId", requestId)).getJsonObject("request");
  }

  /** A transition's data. */
  static JsonObject id(String requestId) {
    return new JsonObject().put("requestId", requestId);
  }

  /** Every key of the partnership module now in Redis. */
  List<String> keys() {
    return new ArrayList<>(Responses.toList(await(db.send(Command.KEYS, "relais:{ptn}:*"))));
  }

  static <T> T await(Future<T> future) {
    try {
      return future.await(20, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out", e);
    }
  }

  @Override
  public void close() {
    await(partnerships.stop());
    tokens.close();
    await(vertx.close());
    redis.stop();
  }
}
