package org.relais.tests.calendar;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.relais.calendar.CalendarOps;
import org.relais.calendar.CalendarService;
import org.relais.calendar.CalendarSettings;
import org.relais.calendar.ChannelMembers;
import org.relais.core.EventSink;
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
import org.relais.messaging.ChannelBus;
import org.relais.messaging.MessagingService;
import org.relais.messaging.MessagingSettings;
import org.relais.redis.ManagedRedis;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;
import org.relais.tests.redis.TestRedis;

import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The calendar module on a real redis-server, wired as the server wires it: identity (users with zones and working
 * hours), real messaging for channel membership, the calendar service and its ops in a dispatch table, and an event
 * sink that records every push. Ops are called as the gateway calls them: schema first, then the handler.
 */
final class CalendarFixture implements AutoCloseable {
  static final String PASSWORD = "focal-point-pass";

  final ManagedRedis redis;
  final Vertx vertx;
  final RedisDb db;
  final Tokens tokens;
  final AuthService auth;
  final IdentityService identity;
  final MessagingService messaging;
  final Pushes pushes = new Pushes();
  final CalendarService calendars;
  final OpRegistry ops = new OpRegistry();

  private CalendarFixture(CalendarSettings settings) {
    this.redis = TestRedis.start();
    this.vertx = Vertx.vertx();
    this.db = RedisDb.create(vertx, RedisSettings.of(redis.url()), new SimpleMeterRegistry());
    this.tokens = await(Tokens.create(vertx, db, new TokenSettings("relais", "relais", 900, 2_592_000, 30, null, 3_600,
        0, 60)));
    this.auth = AuthService.create(vertx, db, tokens, pushes);
    this.identity = IdentityService.create(db, auth, pushes, null, 3_600);
    this.messaging = MessagingService.create(db, identity, new SilentBus(), pushes, MessagingSettings.defaults());
    this.calendars = CalendarService.create(vertx, db, identity, messaging::isMember, pushes, settings);
    CalendarOps.register(ops, calendars);
  }

  static CalendarFixture start() {
    return new CalendarFixture(CalendarSettings.defaults());
  }

  static CalendarFixture start(CalendarSettings settings) {
    return new CalendarFixture(settings);
  }

  /** Another calendar service on the same Redis, identity and messaging (another node, or other settings). */
  CalendarService service(ChannelMembers members, CalendarSettings settings) {
    return CalendarService.create(vertx, db, identity, messaging::isMember, members, pushes, settings);
  }

  Org org(String name) {
    return await(identity.createOrgUnchecked(name, name, "ML", OrgKind.CIVIL_SOCIETY));
  }

  /** An active user in a time zone, with working hours 09:00–17:00 Monday to Friday. */
  User user(Org org, String displayName, String timeZone, Role... roles) {
    return user(org, displayName, timeZone, WorkingHours.DEFAULT, roles);
  }

  User user(Org org, String displayName, String timeZone, WorkingHours hours, Role... roles) {
    Set<Role> set = EnumSet.of(Role.MEMBER, roles);
    String now = Instant.now().toString();
    User user = new User(Ids.newId(), "u" + Ids.newId().toLowerCase() + "@test.example", displayName, "", org.id(),
        "ML", "fr", timeZone, hours, set, UserStatus.ACTIVE, null, now, now);
    return await(auth.createUserWithPassword(user, PASSWORD));
  }

  static Principal principal(User user) {
    return new Principal(user.id(), user.orgId(), user.roles(), Ids.newId(), user.locale());
  }

  /** Calls an op as the gateway does: validates the data with the op's schema, then runs the handler. */
  JsonObject call(User user, String op, JsonObject data) {
    Op found = ops.find(op);
    assertThat(found).as("op %s is registered", op).isNotNull();
    return await(Future.succeededFuture(data).compose(d -> found.handler().handle(principal(user),
        found.schema().validate(d))));
  }

  /** Calls an op that must fail, and returns its error. */
  RelaisException fail(User user, String op, JsonObject data) {
    RelaisException e = catchThrowableOfType(RelaisException.class, () -> call(user, op, data));
    assertThat(e).as("%s must fail", op).isNotNull();
    return e;
  }

  static <T> T await(Future<T> future) {
    try {
      return future.await(20, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out", e);
    }
  }

  static JsonArray ids(String... ids) {
    JsonArray array = new JsonArray();
    for (String id : ids) {
      array.add(id);
    }
    return array;
  }

  @Override
  public void close() {
    tokens.close();
    await(vertx.close());
    redis.stop();
  }

  /** One push: who it went to, the event and its data. */
  record Push(List<String> userIds, String ev, JsonObject data) {
  }

  /** Records what services push; answers user and session changes quietly. */
  static final class Pushes implements EventSink {
    final List<Push> all = new CopyOnWriteArrayList<>();

    @Override
    public Future<Void> toUsers(Collection<String> userIds, String ev, JsonObject data) {
      all.add(new Push(List.copyOf(userIds), ev, data.copy()));
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> userChanged(String userId) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> sessionsRevoked(String userId, String sessionId) {
      return Future.succeededFuture();
    }

    /** Pushes of one event that reached a user. */
    List<JsonObject> to(User user, String ev) {
      return all.stream().filter(p -> p.ev().equals(ev) && p.userIds().contains(user.id())).map(Push::data).toList();
    }

    List<Push> of(String ev) {
      return all.stream().filter(p -> p.ev().equals(ev)).toList();
    }

    void clear() {
      all.clear();
    }
  }

  /** Messaging's channel bus without sockets: the calendar tests only need membership. */
  private static final class SilentBus implements ChannelBus {
    @Override
    public Future<Void> publish(String channelId, String eventJson) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> follow(Collection<String> userIds, String channelId, long afterOffset) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> followAll(String orgId, String channelId, long afterOffset) {
      return Future.succeededFuture();
    }
  }
}
