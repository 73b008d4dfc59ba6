package org.relais.server;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.relais.core.Ids;
import org.relais.core.Principal;
import org.relais.core.Role;
import org.relais.identity.AuthService;
import org.relais.identity.IdentityService;
import org.relais.identity.Org;
import org.relais.identity.OrgKind;
import org.relais.identity.User;
import org.relais.identity.UserStatus;
import org.relais.identity.WorkingHours;
import org.relais.messaging.MessagingService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A small, believable network for newcomers: a Malian civil-society network, UN Women, two ministries, a regional
 * organisation, and focal points in Bamako, Niamey, Abuja, New York, Oslo and Tokyo, French- and English-speaking.
 * Every demo account has the password {@value #PASSWORD}.
 */
final class DemoSeed {
  static final String PASSWORD = "relais-demo-2026";
  private static final Logger LOG = LoggerFactory.getLogger(DemoSeed.class);

  private record DemoOrg(String name, String shortName, String country, OrgKind kind) {
  }

  private record DemoUser(int org, String email, String name, String title, String locale, String zone,
                          Set<Role> roles) {
  }

  private static final List<DemoOrg> ORGS = List.of(
      new DemoOrg("West Africa Network for Peacebuilding – Mali", "WANEP-Mali", "ML", OrgKind.CIVIL_SOCIETY),
      new DemoOrg("UN Women", "UN Women", "US", OrgKind.UN_AGENCY),
      new DemoOrg("Norwegian Ministry of Foreign Affairs", "MFA Norway", "NO", OrgKind.GOVERNMENT),
      new DemoOrg("ECOWAS Commission", "ECOWAS", "NG", OrgKind.REGIONAL_ORGANISATION),
      new DemoOrg("Ministère de la Promotion de la Femme et de la Protection de l'Enfant", "MPF/PE Niger", "NE",
          OrgKind.GOVERNMENT),
      new DemoOrg("Ministry of Foreign Affairs of Japan", "MOFA Japan", "JP", OrgKind.GOVERNMENT));

  private static final List<DemoUser> USERS = List.of(
      new DemoUser(0, "aminata@wanep-mali.example", "Aminata Traoré", "Coordinatrice nationale", "fr",
          "Africa/Bamako", EnumSet.of(Role.MEMBER, Role.COORDINATOR, Role.ORG_ADMIN)),
      new DemoUser(0, "moussa@wanep-mali.example", "Moussa Keïta", "Chargé de programme, Mopti", "fr",
          "Africa/Bamako", EnumSet.of(Role.MEMBER)),
      new DemoUser(1, "sarah@unwomen.example", "Sarah Johnson", "WPS Policy Specialist", "en",
          "America/New_York", EnumSet.of(Role.MEMBER, Role.COORDINATOR)),
      new DemoUser(2, "ingrid@mfa-norway.example", "Ingrid Larsen", "Senior Adviser, WPS", "en",
          "Europe/Oslo", EnumSet.of(Role.MEMBER, Role.ORG_ADMIN)),
      new DemoUser(3, "chinedu@ecowas.example", "Chinedu Okafor", "Gender and Peace Officer", "en",
          "Africa/Lagos", EnumSet.of(Role.MEMBER, Role.COORDINATOR)),
      new DemoUser(4, "fatouma@mpfpe-niger.example", "Fatouma Issoufou", "Point focal FPS", "fr",
          "Africa/Niamey", EnumSet.of(Role.MEMBER)),
      new DemoUser(5, "yuki@mofa-japan.example", "Yuki Tanaka", "Deputy Director, Human Rights", "en",
          "Asia/Tokyo", EnumSet.of(Role.MEMBER)));

  private final AuthService auth;
  private final IdentityService identity;
  private final MessagingService messaging;

  DemoSeed(AuthService auth, IdentityService identity, MessagingService messaging) {
    this.auth = auth;
    this.identity = identity;
    this.messaging = messaging;
  }

  private static Principal as(User u, Role... extra) {
    EnumSet<Role> roles = EnumSet.copyOf(u.roles());
    roles.addAll(List.of(extra));
    return new Principal(u.id(), u.orgId(), roles, "demo-seed", u.locale());
  }

  /** A few channels and messages, so that a newcomer sees a network at work. */
  private Future<Void> conversations(List<User> people) {
    User aminata = people.get(0);
    User moussa = people.get(1);
    User sarah = people.get(2);
    User ingrid = people.get(3);
    User chinedu = people.get(4);
    User fatouma = people.get(5);
    // The network channel is opened on behalf of the network's admins.
    Principal network = as(aminata, Role.ADMIN);
    return messaging.createChannel(network, new JsonObject().put("name", "WPS Focal Points Network").put("kind", "network")
            .put("topic", "Annonces et échanges du réseau · Network announcements and exchanges"))
        .compose(general -> {
          String id = general.getJsonObject("channel").getString("id");
          return say(as(sarah), id, "Welcome to Relais! The capital-level meeting in Oslo is confirmed for 13–14 May.", "demo-1")
              .compose(v -> say(as(aminata), id, "Merci Sarah. WANEP-Mali sera représenté par deux points focaux.", "demo-2"))
              .compose(v -> say(as(ingrid), id, "Great news. We will share the agenda here next week.", "demo-3"));
        })
        .compose(v -> messaging.createChannel(as(aminata), new JsonObject().put("name", "Sahel").put("kind", "regional")
            .put("visibility", "public").put("topic", "Coordination régionale · Regional coordination")
            .put("memberIds", new JsonArray().add(moussa.id()).add(chinedu.id()).add(fatouma.id()))))
        .compose(sahel -> {
          String id = sahel.getJsonObject("channel").getString("id");
          return say(as(aminata), id, "La formation en médiation à Mopti : qui peut confirmer sa participation ?", "demo-4")
              .compose(x -> say(as(fatouma), id, "Le ministère enverra une délégation de Niamey.", "demo-5"))
              .compose(x -> say(as(chinedu), id, "ECOWAS can support travel for two participants.", "demo-6"));
        })
        .compose(v -> messaging.createChannel(as(sarah), new JsonObject().put("name", "Médiation · Mediation")
            .put("kind", "thematic").put("visibility", "public").put("topic", "Women in mediation and peace processes")))
        .compose(v -> messaging.openDirect(as(aminata), List.of(sarah.id())))
        .compose(dm -> say(as(aminata), dm.getJsonObject("channel").getString("id"),
            "Hello Sarah, could we talk about the Oslo delegation this week?", "demo-7"))
        .mapEmpty();
  }

  private Future<Void> say(Principal who, String channelId, String text, String clientMsgId) {
    return messaging.send(who, new JsonObject().put("channelId", channelId).put("text", text).put("clientMsgId", clientMsgId))
        .mapEmpty();
  }

  Future<Void> run() {
    List<Future<Org>> orgs = new ArrayList<>();
    for (DemoOrg o : ORGS) {
      orgs.add(identity.createOrgUnchecked(o.name(), o.shortName(), o.country(), o.kind()));
    }
    return Future.all(orgs).compose(created -> {
      List<Future<User>> users = new ArrayList<>();
      String now = Instant.now().toString();
      for (DemoUser u : USERS) {
        Org org = orgs.get(u.org()).result();
        users.add(auth.createUserWithPassword(new User(Ids.newId(), u.email(), u.name(), u.title(), org.id(),
            org.country(), u.locale(), u.zone(), WorkingHours.DEFAULT, u.roles(), UserStatus.ACTIVE, null, now, now),
            PASSWORD));
      }
      return Future.all(users).compose(all -> conversations(users.stream().map(Future::result).toList()));
    }).map(all -> {
      LOG.info("Demo network seeded: {} organisations, {} people. Sign in as e.g. {} with password {}",
          ORGS.size(), USERS.size(), USERS.get(0).email(), PASSWORD);
      return null;
    });
  }
}
