package org.relais.tests.server.security;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.relais.tests.server.RedisDigest;
import org.relais.tests.server.TestServer;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

/**
 * Every op of the dispatch table, called by each relation a person can have to the resource it names, with the
 * outcome each must get. The op list comes from the running server's registry: an op without a row here fails
 * ({@link #everyOpHasARow}), and so does a row for an op that no longer exists.
 *
 * <p>The people (all in organisation A, "WANEP-Mali", unless said): {@code owner} created the resource (owner of the
 * private channel, of the calendar, organiser of the event; for a partnership, the focal point named on A's side);
 * {@code member} is in it (channel member, reader of the calendar, attendee of the event); {@code nonMember} is a
 * plain member of A outside it; {@code coordinator} and {@code orgAdmin} hold those roles in A but are outside it;
 * {@code otherOrg} is a plain member of organisation B; {@code admin} is the network admin (of the secretariat),
 * outside it. Partnerships are requested by a third organisation C of A.
 *
 * <p>Outcomes: {@code ok}; {@code noop} (ok, and nothing changed: the call was about someone else's thing and
 * did nothing); or an error code. For every outcome but {@code ok}, a digest of all of Redis taken before and after
 * the call must be equal. Calls that succeed and change things run on fresh copies of their resources, so the
 * cells are independent.
 */
class AuthorizationMatrixTest {
  enum Rel {
    OWNER("owner"), MEMBER("member"), NON_MEMBER("nonMember"), COORDINATOR("coordinator"), ORG_ADMIN("orgAdmin"),
    OTHER_ORG("otherOrg"), ADMIN("admin");

    final String wire;

    Rel(String wire) {
      this.wire = wire;
    }

    static Rel of(String wire) {
      for (Rel r : values()) {
        if (r.wire.equals(wire)) {
          return r;
        }
      }
      throw new IllegalArgumentException("no relation " + wire);
    }
  }

  /** One person: token and id. */
  record Person(String token, String id) {
    static Person of(JsonObject login) {
      return new Person(login.getString("accessToken"), login.getJsonObject("user").getString("id"));
    }
  }

  /**
   * One row: how to build the request, what each relation gets, and whether a success changes shared things. The
   * name is the op, or {@code op#variant} for a second row of the same op on another kind of resource.
   */
  record Row(String name, BiFunction<Targets, Person, JsonObject> request, Map<Rel, String> expected, boolean fresh) {
    String op() {
      int hash = name.indexOf('#');
      return hash < 0 ? name : name.substring(0, hash);
    }
  }

  private static final AtomicInteger SEQ = new AtomicInteger();
  private static TestServer t;
  private static RedisDigest redis;
  private static String admin;
  private static String orgA;
  private static String orgB;
  private static final Map<Rel, Person> people = new EnumMap<>(Rel.class);
  private static Targets shared;
  private static final Map<String, Row> ROWS = new java.util.LinkedHashMap<>();

  @BeforeAll
  static void start() {
    // Pushes go to a closed local port: subscriptions are accepted and nothing leaves the machine.
    t = TestServer.start(Map.of("RELAIS_PUSH_ALLOW_INSECURE_ENDPOINTS", "true"));
    redis = new RedisDigest(t.redis.url());
    admin = t.adminToken();
    orgA = t.createOrg(admin, "WANEP-Mali", "ML");
    orgB = t.createOrg(admin, "UN Women", "US");
    people.put(Rel.OWNER, Person.of(t.createUser(admin, orgA, "Moussa Keïta")));
    people.put(Rel.MEMBER, Person.of(t.createUser(admin, orgA, "Awa Diallo")));
    people.put(Rel.NON_MEMBER, Person.of(t.createUser(admin, orgA, "Oumar Sangaré")));
    people.put(Rel.COORDINATOR, Person.of(t.createUser(admin, orgA, "Fatoumata Coulibaly", "coordinator")));
    people.put(Rel.ORG_ADMIN, Person.of(t.createUser(admin, orgA, "Aminata Traoré", "org-admin")));
    people.put(Rel.OTHER_ORG, Person.of(t.createUser(admin, orgB, "Sarah Johnson")));
    String adminId = t.okOp(admin, "user.me", new JsonObject()).getJsonObject("user").getString("id");
    people.put(Rel.ADMIN, new Person(admin, adminId));
    shared = new Targets();
    defineRows();
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
    t.close();
  }

  private static Person p(Rel r) {
    return people.get(r);
  }

  private static String unique(String base) {
    return base + " " + SEQ.incrementAndGet();
  }

  /** Resources a request names. One shared set; a fresh set for each call that is expected to change things. */
  static final class Targets {
    private final Map<String, String> made = new HashMap<>();

    private String once(String what, java.util.function.Supplier<String> make) {
      String v = made.get(what);
      if (v == null) {
        v = make.get();
        made.put(what, v);
      }
      return v;
    }

    /** A private regional channel of owner, with member in it, and one message of owner. */
    String channel() {
      return once("channel", () -> t.okOp(p(Rel.OWNER).token(), "channel.create", new JsonObject()
              .put("name", unique("Médiation Mopti")).put("kind", "regional").put("visibility", "private")
              .put("memberIds", new JsonArray().add(p(Rel.MEMBER).id())))
          .getJsonObject("channel").getString("id"));
    }

    String message() {
      return once("message", () -> t.okOp(p(Rel.OWNER).token(), "message.send", new JsonObject()
              .put("channelId", channel()).put("text", "Réunion jeudi à 10 h").put("clientMsgId", "m" + SEQ.incrementAndGet()))
          .getJsonObject("message").getString("id"));
    }

    /** A public thematic channel of owner, with member in it, and one message of owner. */
    String publicChannel() {
      return once("publicChannel", () -> t.okOp(p(Rel.OWNER).token(), "channel.create", new JsonObject()
              .put("name", unique("Veille Sahel")).put("kind", "thematic").put("visibility", "public")
              .put("memberIds", new JsonArray().add(p(Rel.MEMBER).id())))
          .getJsonObject("channel").getString("id"));
    }

    String publicMessage() {
      return once("publicMessage", () -> t.okOp(p(Rel.OWNER).token(), "message.send", new JsonObject()
              .put("channelId", publicChannel()).put("text", "Rapport hebdomadaire").put("clientMsgId", "p" + SEQ.incrementAndGet()))
          .getJsonObject("message").getString("id"));
    }

    /** A calendar of owner, shared with member to read. */
    String calendar() {
      return once("calendar", () -> {
        String id = t.okOp(p(Rel.OWNER).token(), "calendar.create", new JsonObject().put("name", unique("Missions")))
            .getJsonObject("calendar").getString("id");
        t.okOp(p(Rel.OWNER).token(), "calendar.share", new JsonObject().put("calendarId", id)
            .put("userId", p(Rel.MEMBER).id()).put("access", "read"));
        return id;
      });
    }

    /** An event in owner's calendar, with member invited. */
    String event() {
      return once("event", () -> t.okOp(p(Rel.OWNER).token(), "event.create", new JsonObject()
              .put("calendarId", calendar()).put("title", unique("Atelier")).put("start", "2027-03-02T09:00")
              .put("end", "2027-03-02T11:00").put("zone", "Africa/Bamako")
              .put("attendeeIds", new JsonArray().add(p(Rel.MEMBER).id())))
          .getJsonObject("event").getString("id"));
    }

    /** A user of A that the identity ops act on. */
    String victim() {
      return once("victim", () -> t.createUser(admin, orgA, unique("Ibrahim Maïga")).getJsonObject("user").getString("id"));
    }

    /** An organisation C (one per slot, as only one request per direction may be open). */
    String requesterOrg() {
      return requesterOrg("");
    }

    private String requesterOrg(String slot) {
      return once("orgC" + slot, () -> t.createOrg(admin, unique("ECOWAS"), "NG"));
    }

    private String requesterAdmin(String slot) {
      return once("orgCAdmin" + slot, () -> t.createUser(admin, requesterOrg(slot), unique("Chinedu Okafor"), "org-admin")
          .getString("accessToken"));
    }

    /** A pending request from C to A, naming owner as A's focal point. */
    String partnership() {
      return partnership("");
    }

    private String partnership(String slot) {
      return once("partnership" + slot, () -> {
        String cAdmin = requesterAdmin(slot);
        String cAdminId = t.okOp(cAdmin, "user.me", new JsonObject()).getJsonObject("user").getString("id");
        return t.okOp(cAdmin, "partnership.request", new JsonObject().put("toOrgId", orgA)
                .put("purpose", "Formation conjointe").put("themes", new JsonArray().add("mediation"))
                .put("focalPoints", new JsonObject().put("from", new JsonArray().add(cAdminId))
                    .put("to", new JsonArray().add(p(Rel.OWNER).id()))))
            .getJsonObject("request").getString("id");
      });
    }

    /** An accepted request from C to A (accepted by A's org-admin). */
    String acceptedPartnership() {
      return once("accepted", () -> {
        String id = partnership("accepted");
        t.okOp(p(Rel.ORG_ADMIN).token(), "partnership.accept", new JsonObject().put("requestId", id));
        return id;
      });
    }

    /** One of owner's notifications. */
    String ownerNotification() {
      return once("notification", () -> {
        channel();
        t.okOp(p(Rel.MEMBER).token(), "message.send", new JsonObject().put("channelId", channel())
            .put("text", "<@" + p(Rel.OWNER).id() + "> peux-tu relire ?").put("clientMsgId", "n" + SEQ.incrementAndGet()));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
            !t.okOp(p(Rel.OWNER).token(), "notification.list", new JsonObject()).getJsonArray("notifications").isEmpty());
        return t.okOp(p(Rel.OWNER).token(), "notification.list", new JsonObject()).getJsonArray("notifications")
            .getJsonObject(0).getString("id");
      });
    }

    /** A push subscription of owner. */
    String ownerEndpoint() {
      return once("endpoint", () -> {
        String endpoint = "http://127.0.0.1:9/push/" + SEQ.incrementAndGet();
        t.okOp(p(Rel.OWNER).token(), "push.subscribe", pushSubscription(endpoint));
        return endpoint;
      });
    }
  }

  static JsonObject pushSubscription(String endpoint) {
    return new JsonObject().put("endpoint", endpoint).put("keys", new JsonObject()
        .put("p256dh", "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM")
        .put("auth", "tBHItJI5svbpez7KI4CCXg"));
  }

  private static void row(String op, String expectations, BiFunction<Targets, Person, JsonObject> request) {
    add(op, expectations, request, false);
  }

  /** A row whose successful calls change the resource (delete, leave, accept …): each gets a fresh one. */
  private static void freshRow(String op, String expectations, BiFunction<Targets, Person, JsonObject> request) {
    add(op, expectations, request, true);
  }

  /** {@code "owner=ok member=forbidden *=not_found"}: a default ({@code *}) and exceptions. */
  private static void add(String op, String expectations, BiFunction<Targets, Person, JsonObject> request, boolean fresh) {
    Map<Rel, String> expected = new EnumMap<>(Rel.class);
    String fallback = null;
    for (String part : expectations.trim().split("\\s+")) {
      String[] kv = part.split("=");
      if (kv[0].equals("*")) {
        fallback = kv[1];
      } else {
        expected.put(Rel.of(kv[0]), kv[1]);
      }
    }
    for (Rel r : Rel.values()) {
      if (!expected.containsKey(r)) {
        if (fallback == null) {
          throw new IllegalStateException(op + ": no outcome for " + r.wire);
        }
        expected.put(r, fallback);
      }
    }
    if (ROWS.put(op, new Row(op, request, expected, fresh)) != null) {
      throw new IllegalStateException("two rows for " + op);
    }
  }

  private static JsonObject data() {
    return new JsonObject();
  }

  private static void defineRows() {
    // Identity: the directory is open to every signed-in person; management is for org-admins (own organisation)
    // and network admins.
    row("user.me", "*=ok", (x, c) -> data());
    row("user.update", "*=ok", (x, c) -> data().put("title", "Point focal"));
    row("user.get", "*=ok", (x, c) -> data().put("userId", p(Rel.OWNER).id()));
    row("user.search", "*=ok", (x, c) -> data().put("query", "keita"));
    row("org.list", "*=ok", (x, c) -> data());
    row("org.get", "*=ok", (x, c) -> data().put("orgId", orgA));
    row("org.create", "admin=ok *=forbidden", (x, c) -> data().put("name", unique("ECOWAS Commission"))
        .put("shortName", "ECOWAS").put("country", "NG").put("kind", "regional-organisation"));
    row("org.update", "admin=ok *=forbidden", (x, c) -> data().put("orgId", orgA).put("name", "WANEP-Mali"));
    row("user.invite", "orgAdmin=ok admin=ok *=forbidden", (x, c) -> data()
        .put("email", "invitee" + SEQ.incrementAndGet() + "@test.example").put("displayName", "Awa Touré").put("orgId", orgA));
    freshRow("user.setRoles", "orgAdmin=ok admin=ok *=forbidden", (x, c) -> data().put("userId", x.victim())
        .put("roles", new JsonArray().add("coordinator")));
    freshRow("user.disable", "orgAdmin=ok admin=ok *=forbidden", (x, c) -> data().put("userId", x.victim()));
    // The audit log is for network admins only (docs/SECURITY.md).
    row("audit.list", "admin=ok *=forbidden", (x, c) -> data().put("limit", 5));

    // Channels: a private channel does not exist for anyone outside it, network admins included.
    row("channel.create", "*=ok", (x, c) -> data().put("name", unique("Alerte précoce")).put("kind", "thematic")
        .put("visibility", "private"));
    row("channel.update", "owner=ok member=forbidden *=not_found", (x, c) -> data().put("channelId", x.channel())
        .put("topic", "Coordination"));
    freshRow("channel.archive", "owner=ok member=forbidden *=not_found", (x, c) -> data().put("channelId", x.channel()));
    row("channel.list", "*=ok", (x, c) -> data());
    row("channel.browse", "*=ok", (x, c) -> data());
    row("channel.join", "owner=ok member=ok *=not_found", (x, c) -> data().put("channelId", x.channel()));
    freshRow("channel.leave", "owner=ok member=ok *=not_found", (x, c) -> data().put("channelId", x.channel()));
    freshRow("channel.invite", "owner=ok member=ok *=not_found", (x, c) -> data().put("channelId", x.channel())
        .put("userIds", new JsonArray().add(p(Rel.NON_MEMBER).id())));
    freshRow("channel.kick", "owner=ok member=forbidden *=not_found", (x, c) -> data().put("channelId", x.channel())
        .put("userId", p(Rel.MEMBER).id()));
    row("channel.members", "owner=ok member=ok *=not_found", (x, c) -> data().put("channelId", x.channel()));
    freshRow("channel.setRole", "owner=ok member=forbidden *=not_found", (x, c) -> data().put("channelId", x.channel())
        .put("userId", p(Rel.MEMBER).id()).put("role", "moderator"));
    row("dm.open", "owner=bad_request *=ok", (x, c) -> data().put("userIds", new JsonArray().add(p(Rel.OWNER).id())));

    // Messages: members only; editing is the author's; deleting others' is for channel owners and moderators.
    row("message.send", "owner=ok member=ok *=not_found", (x, c) -> data().put("channelId", x.channel())
        .put("text", "Bonjour").put("clientMsgId", "s" + SEQ.incrementAndGet()));
    row("message.edit", "owner=ok member=forbidden *=not_found", (x, c) -> data().put("channelId", x.channel())
        .put("messageId", x.message()).put("text", "Réunion jeudi à 11 h"));
    freshRow("message.delete", "owner=ok member=forbidden *=not_found", (x, c) -> data().put("channelId", x.channel())
        .put("messageId", x.message()));
    row("message.react", "owner=ok member=ok *=not_found", (x, c) -> data().put("channelId", x.channel())
        .put("messageId", x.message()).put("emoji", "👍"));
    row("message.unreact", "owner=ok member=ok *=not_found", (x, c) -> data().put("channelId", x.channel())
        .put("messageId", x.message()).put("emoji", "👍"));
    row("message.history", "owner=ok member=ok *=not_found", (x, c) -> data().put("channelId", x.channel()));
    row("thread.history", "owner=ok member=ok *=not_found", (x, c) -> data().put("channelId", x.channel())
        .put("messageId", x.message()));
    row("channel.markRead", "owner=ok member=ok *=not_found", (x, c) -> data().put("channelId", x.channel()).put("seq", 1));
    row("typing.start", "owner=ok member=ok *=not_found", (x, c) -> data().put("channelId", x.channel()));

    // The same in a public channel: anyone reads and joins; only members write; network admins moderate.
    row("message.history#public", "*=ok", (x, c) -> data().put("channelId", x.publicChannel()));
    row("channel.members#public", "*=ok", (x, c) -> data().put("channelId", x.publicChannel()));
    row("thread.history#public", "*=ok", (x, c) -> data().put("channelId", x.publicChannel()).put("messageId", x.publicMessage()));
    freshRow("channel.join#public", "*=ok", (x, c) -> data().put("channelId", x.publicChannel()));
    row("message.send#public", "owner=ok member=ok *=forbidden", (x, c) -> data().put("channelId", x.publicChannel())
        .put("text", "Bonjour").put("clientMsgId", "s" + SEQ.incrementAndGet()));
    row("message.react#public", "owner=ok member=ok *=forbidden", (x, c) -> data().put("channelId", x.publicChannel())
        .put("messageId", x.publicMessage()).put("emoji", "🙏"));
    row("message.edit#public", "owner=ok *=forbidden", (x, c) -> data().put("channelId", x.publicChannel())
        .put("messageId", x.publicMessage()).put("text", "Rapport hebdomadaire (corrigé)"));
    freshRow("message.delete#public", "owner=ok admin=ok *=forbidden", (x, c) -> data().put("channelId", x.publicChannel())
        .put("messageId", x.publicMessage()));
    row("channel.update#public", "owner=ok admin=ok *=forbidden", (x, c) -> data().put("channelId", x.publicChannel())
        .put("topic", "Veille"));
    freshRow("channel.archive#public", "owner=ok admin=ok *=forbidden", (x, c) -> data().put("channelId", x.publicChannel()));
    freshRow("channel.kick#public", "owner=ok admin=ok *=forbidden", (x, c) -> data().put("channelId", x.publicChannel())
        .put("userId", p(Rel.MEMBER).id()));
    freshRow("channel.setRole#public", "owner=ok admin=ok *=forbidden", (x, c) -> data().put("channelId", x.publicChannel())
        .put("userId", p(Rel.MEMBER).id()).put("role", "moderator"));
    row("channel.markRead#public", "owner=ok member=ok *=forbidden", (x, c) -> data().put("channelId", x.publicChannel()).put("seq", 1));

    // Presence: one's own status; others' as the presence rules say.
    row("presence.set", "*=ok", (x, c) -> data().put("status", "away"));
    row("presence.get", "*=ok", (x, c) -> data().put("userIds", new JsonArray().add(p(Rel.OWNER).id())));

    // Notifications and push: always one's own; someone else's ids and endpoints do nothing.
    row("notification.list", "*=ok", (x, c) -> data());
    row("notification.markRead", "owner=ok *=noop", (x, c) -> data().put("ids", new JsonArray().add(x.ownerNotification())));
    row("notification.prefs.get", "*=ok", (x, c) -> data());
    row("notification.prefs.set", "*=ok", (x, c) -> data().put("push", "never"));
    row("push.vapidKey", "*=ok", (x, c) -> data());
    row("push.subscribe", "*=ok", (x, c) -> pushSubscription("http://127.0.0.1:9/push/" + SEQ.incrementAndGet()));
    freshRow("push.unsubscribe", "owner=ok *=noop", (x, c) -> data().put("endpoint", x.ownerEndpoint()));

    // Calendars: a calendar one may not read is missing; one may read but not write refuses changes.
    row("calendar.list", "*=ok", (x, c) -> data());
    row("calendar.create", "*=ok", (x, c) -> data().put("name", unique("Agenda")));
    row("calendar.update", "owner=ok member=forbidden *=not_found", (x, c) -> data().put("calendarId", x.calendar())
        .put("description", "Missions de terrain"));
    freshRow("calendar.share", "owner=ok member=forbidden *=not_found", (x, c) -> data().put("calendarId", x.calendar())
        .put("userId", p(Rel.NON_MEMBER).id()).put("access", "read"));
    row("calendar.feed", "owner=ok member=ok *=not_found", (x, c) -> data().put("calendarId", x.calendar()));
    row("calendar.prefs", "*=ok", (x, c) -> data().put("reminders", new JsonArray().add(15)));
    row("event.create", "owner=ok member=forbidden *=not_found", (x, c) -> data().put("calendarId", x.calendar())
        .put("title", unique("Réunion")).put("start", "2027-03-03T09:00").put("zone", "Africa/Bamako"));
    row("event.update", "owner=ok member=forbidden *=not_found", (x, c) -> data().put("eventId", x.event())
        .put("location", "Bamako"));
    freshRow("event.cancel", "owner=ok member=forbidden *=not_found", (x, c) -> data().put("eventId", x.event()));
    row("event.get", "owner=ok member=ok *=not_found", (x, c) -> data().put("eventId", x.event()));
    row("event.list", "owner=ok member=ok *=not_found", (x, c) -> data().put("calendarId", x.calendar())
        .put("from", "2027-03-01").put("to", "2027-03-31"));
    row("event.rsvp", "owner=ok member=ok *=not_found", (x, c) -> data().put("eventId", x.event()).put("status", "accepted"));
    row("event.import", "owner=ok member=forbidden *=not_found", (x, c) -> data().put("calendarId", x.calendar())
        .put("ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + SEQ.incrementAndGet()
            + "@test.example\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270304T090000Z\r\nDTEND:20270304T100000Z\r\n"
            + "SUMMARY:Importé\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"));
    row("schedule.suggest", "*=ok", (x, c) -> data().put("attendeeIds", new JsonArray().add(p(Rel.OWNER).id()))
        .put("durationMinutes", 30).put("from", "2027-03-02").put("to", "2027-03-03").put("zone", "Africa/Bamako"));

    // Partnerships (requested by C to A): A's org-admins and coordinators answer; everyone of A reads; a third
    // organisation sees nothing; a network admin reads but does not act for another organisation.
    freshRow("partnership.request", "coordinator=ok orgAdmin=ok admin=ok *=forbidden", (x, c) -> data()
        .put("toOrgId", x.requesterOrg()).put("purpose", "Échange d'alertes").put("themes", new JsonArray().add("early-warning"))
        .put("focalPoints", new JsonObject().put("from", new JsonArray().add(c.id()))));
    row("partnership.list", "*=ok", (x, c) -> data());
    row("partnership.get", "otherOrg=not_found *=ok", (x, c) -> data().put("requestId", x.partnership()));
    freshRow("partnership.accept", "coordinator=ok orgAdmin=ok otherOrg=not_found *=forbidden", (x, c) -> data()
        .put("requestId", x.partnership()));
    freshRow("partnership.decline", "coordinator=ok orgAdmin=ok otherOrg=not_found *=forbidden", (x, c) -> data()
        .put("requestId", x.partnership()));
    freshRow("partnership.counter", "coordinator=ok orgAdmin=ok otherOrg=not_found *=forbidden", (x, c) -> data()
        .put("requestId", x.partnership()).put("note", "Plutôt en avril").put("purpose", "Formation conjointe, en avril"));
    row("partnership.withdraw", "otherOrg=not_found *=forbidden", (x, c) -> data().put("requestId", x.partnership()));
    freshRow("partnership.end", "coordinator=ok orgAdmin=ok otherOrg=not_found *=forbidden", (x, c) -> data()
        .put("requestId", x.acceptedPartnership()));
    row("partnership.comment", "owner=ok coordinator=ok orgAdmin=ok otherOrg=not_found *=forbidden", (x, c) -> data()
        .put("requestId", x.partnership()).put("text", "Merci pour la proposition"));
  }

  @Test
  @DisplayName("every op of the dispatch table has a row, and every row an op")
  void everyOpHasARow() {
    Set<String> registered = new TreeSet<>(t.server.ops().all().keySet());
    Set<String> covered = new TreeSet<>();
    ROWS.values().forEach(r -> covered.add(r.op()));
    Set<String> missing = new TreeSet<>(registered);
    missing.removeAll(covered);
    Set<String> stale = new TreeSet<>(covered);
    stale.removeAll(registered);
    assertThat(missing).as("ops without a row in the authorisation matrix").isEmpty();
    assertThat(stale).as("rows for ops that no longer exist").isEmpty();
  }

  /**
   * Two phases: first every call that must change nothing (refusals and no-ops), on the shared resources, each
   * checked against a Redis digest; then every call that must succeed. Running the refusals together means that the
   * "before" digest of one is the "after" digest of the one before, unless resources were just made.
   */
  @TestFactory
  @DisplayName("op × relation")
  List<DynamicNode> matrix() {
    List<DynamicNode> refusals = new ArrayList<>();
    List<DynamicNode> grants = new ArrayList<>();
    Set<String> registered = new TreeSet<>(t.server.ops().all().keySet());
    for (String op : registered) {
      if (!ROWS.containsKey(op)) {
        refusals.add(DynamicTest.dynamicTest(op + " has a row", () -> {
          throw new AssertionError(op + " is in the dispatch table but not in the authorisation matrix");
        }));
      }
    }
    for (Row row : new java.util.TreeMap<>(ROWS).values()) {
      if (!registered.contains(row.op())) {
        continue;
      }
      List<DynamicNode> refused = new ArrayList<>();
      List<DynamicNode> granted = new ArrayList<>();
      for (Rel r : Rel.values()) {
        String expected = row.expected().get(r);
        (expected.equals("ok") ? granted : refused).add(
            DynamicTest.dynamicTest(r.wire + " → " + expected, () -> cell(row, r, expected)));
      }
      if (!refused.isEmpty()) {
        refusals.add(dynamicContainer(row.name(), refused));
      }
      if (!granted.isEmpty()) {
        grants.add(dynamicContainer(row.name(), granted));
      }
    }
    return List.of(dynamicContainer("refused or without effect: Redis unchanged", refusals),
        dynamicContainer("allowed", grants));
  }

  private static Map<String, String> lastDigest;

  private static void cell(Row row, Rel rel, String expected) {
    Person caller = p(rel);
    boolean mustNotChange = !expected.equals("ok");
    Targets targets = row.fresh() && !mustNotChange ? new Targets() : shared;
    int known = targets.made.size();
    JsonObject data = row.request().apply(targets, caller);
    Map<String, String> before = null;
    if (mustNotChange) {
      // Making resources sets off notifications and fan-out: let them land before the snapshot.
      before = lastDigest != null && targets.made.size() == known ? lastDigest : redis.settled(20, 500);
    }
    lastDigest = null;
    JsonObject reply = t.op(caller.token(), row.op(), data);
    String got = reply.getBoolean("ok", false) ? "ok" : reply.getJsonObject("error").getString("code");
    String want = expected.equals("noop") ? "ok" : expected;
    assertThat(got).as("%s by %s: %s", row.name(), rel.wire, reply.encode()).isEqualTo(want);
    if (mustNotChange) {
      Map<String, String> after = redis.settled(5, 20);
      List<String> changed = new ArrayList<>();
      for (String change : RedisDigest.diff(before, after)) {
        for (Map.Entry<Rel, Person> person : people.entrySet()) {
          change = change.replace(person.getValue().id(), person.getValue().id() + "(" + person.getKey().wire + ")");
        }
        changed.add(change);
      }
      assertThat(changed).as("%s by %s (%s) changed Redis", row.name(), rel.wire, expected).isEmpty();
      lastDigest = after;
    }
  }
}
