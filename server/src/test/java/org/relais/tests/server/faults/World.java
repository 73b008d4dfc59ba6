package org.relais.tests.server.faults;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisSettings;
import org.relais.tests.server.TestServer;
import org.relais.tests.server.WsClient;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The people, channels and clients of one fault run: {@code channels} private channels, each with three members
 * (neighbouring channels share a member), every member sending to its channels; plus non-member observers, one in
 * the same organisation and one in another, who must receive nothing of these channels. Everything is made through
 * the public API of a running server; the clients then talk to the nodes given.
 */
public final class World {
  public static final String PASSWORD = "fault-suite-pass-1";

  public final TestServer t;
  public final List<String> channels = new ArrayList<>();
  public final Map<String, Set<String>> members = new LinkedHashMap<>();
  public final List<FaultClient> clients = new ArrayList<>();
  public final WebClient http;
  private final Map<String, String> emails = new LinkedHashMap<>();

  private World(TestServer t) {
    this.t = t;
    this.http = WebClient.create(t.clients);
  }

  /**
   * Builds the world on {@code t} and starts its clients on {@code ports} (the first is tried first; a client that
   * cannot connect moves to the next).
   */
  public static World build(TestServer t, int channelCount, List<Integer> ports) {
    return build(t, channelCount, ports, i -> ports);
  }

  /** Like {@link #build(TestServer, int, List)}, member {@code i} connecting to {@code portsOf.apply(i)}. */
  public static World build(TestServer t, int channelCount, List<Integer> ports,
                            java.util.function.IntFunction<List<Integer>> portsOf) {
    World w = new World(t);
    String admin = t.adminToken();
    String org = t.createOrg(admin, "Réseau des points focaux", "ML");
    String otherOrg = t.createOrg(admin, "Partenaire extérieur", "NE");
    int people = channelCount * 2;
    List<JsonObject> logins = new ArrayList<>();
    for (int i = 0; i < people; i++) {
      logins.add(w.createUser(admin, org, "Membre " + i));
    }
    // Channel k: people 2k, 2k+1 and 2k+2 (the last wraps around), so neighbouring channels share someone.
    Map<String, Set<String>> byUser = new LinkedHashMap<>();
    for (int k = 0; k < channelCount; k++) {
      JsonObject owner = logins.get(2 * k);
      JsonArray others = new JsonArray().add(id(logins.get(2 * k + 1))).add(id(logins.get((2 * k + 2) % people)));
      String channelId;
      try (WsClient c = t.wsHello(owner.getString("accessToken"))) {
        JsonObject reply = c.call("channel.create", new JsonObject().put("name", "Faute " + k).put("kind", "thematic")
            .put("visibility", "private").put("memberIds", others));
        if (!reply.getBoolean("ok", false)) {
          throw new AssertionError(reply.encode());
        }
        channelId = reply.getJsonObject("data").getJsonObject("channel").getString("id");
      }
      w.channels.add(channelId);
      Set<String> set = new LinkedHashSet<>(List.of(id(owner), others.getString(0), others.getString(1)));
      w.members.put(channelId, set);
      for (String u : set) {
        byUser.computeIfAbsent(u, x -> new LinkedHashSet<>()).add(channelId);
      }
    }
    for (int i = 0; i < people; i++) {
      JsonObject login = logins.get(i);
      Set<String> mine = byUser.getOrDefault(id(login), Set.of());
      w.clients.add(w.client("member-" + i, login, mine, List.copyOf(mine), portsOf.apply(i)));
    }
    w.clients.add(w.client("observer-same-org", w.createUser(admin, org, "Observatrice"), Set.of(), List.of(), ports));
    w.clients.add(w.client("observer-other-org", w.createUser(admin, otherOrg, "Observateur"), Set.of(), List.of(), ports));
    w.clients.forEach(FaultClient::start);
    return w;
  }

  private FaultClient client(String name, JsonObject login, Set<String> memberOf, List<String> sendTo, List<Integer> ports) {
    String userId = id(login);
    String email = emails.get(userId);
    return new FaultClient(name, userId, login.getString("accessToken"), login.getString("refreshToken"), memberOf,
        sendTo, t.clients, http, () -> new JsonObject().put("email", email).put("password", PASSWORD), ports);
  }

  private JsonObject createUser(String admin, String orgId, String name) {
    String email = "fault-" + System.nanoTime() + "@test.example";
    JsonObject invite = t.okOp(admin, "user.invite", new JsonObject().put("email", email).put("displayName", name)
        .put("orgId", orgId).put("roles", new JsonArray()));
    HttpResponse<Buffer> r = t.post("/api/auth/accept-invite", new JsonObject()
        .put("token", invite.getString("inviteToken")).put("password", PASSWORD).encode(), null);
    if (r.statusCode() != 200) {
      throw new AssertionError("accept-invite failed: " + r.bodyAsString());
    }
    JsonObject login = r.bodyAsJsonObject();
    emails.put(id(login), email);
    return login;
  }

  static String id(JsonObject login) {
    return login.getJsonObject("user").getString("id");
  }

  public List<FaultClient> members() {
    return clients.stream().filter(c -> !c.memberOf.isEmpty()).toList();
  }

  public void startSending(long intervalMs) {
    clients.forEach(c -> c.startSending(intervalMs));
  }

  public void stopSending() {
    clients.forEach(FaultClient::stopSending);
  }

  /** Waits until every client has said hello (its first START record). */
  public void awaitAllConnected(long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (clients.stream().anyMatch(c -> c.recs().isEmpty())) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("clients did not connect: "
            + clients.stream().filter(c -> c.recs().isEmpty()).map(c -> c.name + " " + c.helloErrors()).toList());
      }
      sleep(50);
    }
  }

  /**
   * The settings to read the run's Redis directly: {@code redisUrl} is one server's URL, or {@code cluster:} followed
   * by the comma-separated URLs of a cluster's nodes.
   */
  static RedisSettings settings(String redisUrl) {
    if (redisUrl.startsWith("cluster:")) {
      return new RedisSettings(org.relais.redis.RedisMode.CLUSTER, List.of(redisUrl.substring(8).split(",")), "mymaster",
          2_000, 16, 0, 1_000, false);
    }
    return RedisSettings.of(redisUrl);
  }

  /**
   * I7: waits until every client is connected, has no unacknowledged send, and has processed every channel up to
   * the channel's last offset in Redis. Returns the time it took, or -1 if it did not happen within the bound.
   */
  public long awaitConvergence(String redisUrl, long boundMs) {
    long start = System.currentTimeMillis();
    RedisDb db = RedisDb.create(t.clients, settings(redisUrl), new SimpleMeterRegistry());
    try {
      while (System.currentTimeMillis() - start < boundMs) {
        if (converged(db)) {
          return System.currentTimeMillis() - start;
        }
        sleep(100);
      }
      return -1;
    } finally {
      TestServer.await(db.close());
    }
  }

  /** What is still not converged, for the report when convergence failed. */
  public List<String> lagging(String redisUrl) {
    RedisDb db = RedisDb.create(t.clients, settings(redisUrl), new SimpleMeterRegistry());
    try {
      Map<String, Long> latest = latestOffsets(db);
      List<String> out = new ArrayList<>();
      for (FaultClient c : clients) {
        FaultClient.View v = TestServer.await(c.view());
        if (!v.ready() || v.unacked() > 0) {
          out.add(c.name + " ready=" + v.ready() + " unacked=" + v.unacked() + " " + v.debug() + " closes=" + c.closes()
              + " helloErrors=" + c.helloErrors());
        }
        for (String ch : c.memberOf) {
          if (!java.util.Objects.equals(latest.get(ch), v.offsets().get(ch))) {
            out.add(c.name + " " + ch + " at " + v.offsets().get(ch) + " of " + latest.get(ch));
          }
        }
      }
      return out;
    } catch (RuntimeException e) {
      return List.of("could not read: " + e);
    } finally {
      TestServer.await(db.close());
    }
  }

  private boolean converged(RedisDb db) {
    Map<String, Long> latest;
    try {
      latest = latestOffsets(db);
    } catch (RuntimeException | AssertionError e) {
      return false;
    }
    for (FaultClient c : clients) {
      FaultClient.View v = TestServer.await(c.view());
      if (!v.ready() || v.unacked() > 0) {
        return false;
      }
      for (String ch : c.memberOf) {
        Long mine = v.offsets().get(ch);
        if (mine == null || !mine.equals(latest.get(ch))) {
          return false;
        }
      }
    }
    return true;
  }

  private Map<String, Long> latestOffsets(RedisDb db) {
    Map<String, Long> latest = new java.util.concurrent.ConcurrentHashMap<>();
    List<Future<?>> reads = new ArrayList<>();
    for (String ch : channels) {
      reads.add(db.send(io.vertx.redis.client.Command.HGET, "relais:ch:{c:" + ch + "}", "offset")
          .onSuccess(r -> latest.put(ch, r == null ? 0L : r.toLong())));
    }
    TestServer.await(Future.all(reads));
    return latest;
  }

  public void stop() {
    clients.forEach(FaultClient::stop);
    sleep(200);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
