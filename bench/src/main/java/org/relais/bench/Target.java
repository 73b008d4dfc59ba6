package org.relais.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A system under test: how to start its nodes, provision the world, and talk to it. */
abstract class Target {
  final String name;
  final Bench bench;
  final List<Proc> nodes = new ArrayList<>();
  int[] ports = new int[0];
  Proc redis;
  int redisPort;

  Target(String name, Bench bench) {
    this.name = name;
    this.bench = bench;
  }

  /** Writes the world (users, tokens, rooms, history) once per run. */
  abstract void provision(World w) throws Exception;

  abstract void startNodes(int n) throws Exception;

  abstract Conn conn(Gen g, int user, int node);

  abstract String token(int user);

  abstract String room(String logical);

  abstract int userIndex(String wireUser);

  /** Whether the nodes are JVMs (their threads are grouped as loop / GC / JIT / workers: see ThreadCpu). */
  boolean jvm() {
    return true;
  }

  /** Whether reconnecting clients get what they missed (the ceiling has no storage). */
  boolean resumes() {
    return true;
  }

  void beforeHistory(World w) throws Exception {
  }

  /** Heap in use after a full GC, in KiB, or -1 when not measurable. */
  abstract long heapAfterGcKb(Proc node);

  void stopNodes() {
    if (redis != null && !nodes.isEmpty()) {
      try (Resp r = new Resp(redisPort)) {
        java.nio.file.Files.writeString(bench.runDir.resolve("redis-commandstats-" + nodes.get(0).name + ".txt"),
            String.valueOf(r.call("INFO", "commandstats")));
      } catch (IOException e) {
        // the figures do not depend on it
      }
    }
    for (Proc p : nodes) {
      p.stop(10_000);
    }
    nodes.clear();
  }

  /** Zeroes Redis's command statistics, so that each scenario's file holds only its own commands. */
  void resetRedisStats() {
    if (redis != null) {
      try (Resp r = new Resp(redisPort)) {
        r.call("CONFIG", "RESETSTAT");
      } catch (IOException e) {
        // ignore
      }
    }
  }

  void stopAll() {
    stopNodes();
    if (redis != null) {
      redis.stop(5_000);
      redis = null;
    }
  }

  static String pad(String s, int len) {
    StringBuilder sb = new StringBuilder(s);
    while (sb.length() < len) {
      sb.append('x');
    }
    return sb.toString();
  }

  /**
   * A full GC, then the heap in use, in KiB: one {@code jcmd -f} with both commands (one JVM start, not two), or -1.
   */
  static long jvmHeapAfterGc(Proc node, java.nio.file.Path dir) {
    String info;
    try {
      java.nio.file.Path cmds = dir.resolve("jcmd-heap.txt");
      java.nio.file.Files.writeString(cmds, "GC.run\nGC.heap_info\n");
      info = Proc.run(List.of("jcmd", Long.toString(node.pid()), "-f", cmds.toString()), 60);
    } catch (IOException e) {
      return -1;
    }
    return heapUsedKb(info);
  }

  /**
   * The heap in use from {@code GC.heap_info}, in KiB, for every HotSpot collector: Serial ("def new generation",
   * "tenured generation"), Parallel ("PSYoungGen", "ParOldGen"), G1 ("garbage-first heap") — "total …K, used …K"
   * per generation, summed —, Shenandoah ("…K committed, …K used") and ZGC ("used …M"); -1 when none is found.
   * Metaspace ("Metaspace used …K, committed …") is not heap and does not match.
   */
  static long heapUsedKb(String info) {
    Matcher m = Pattern.compile("(?:generation|heap|PSYoungGen|ParOldGen)\\s+total \\d+K, used (\\d+)K").matcher(info);
    long used = 0;
    boolean any = false;
    while (m.find()) {
      used += Long.parseLong(m.group(1));
      any = true;
    }
    if (any) {
      return used;
    }
    Matcher sh = Pattern.compile("\\d+K committed, (\\d+)K used").matcher(info); // Shenandoah
    if (sh.find()) {
      return Long.parseLong(sh.group(1));
    }
    Matcher z = Pattern.compile("ZHeap\\s+used (\\d+)M").matcher(info); // ZGC
    if (z.find()) {
      return Long.parseLong(z.group(1)) * 1024;
    }
    return -1;
  }

  static List<String> jvmOpts(Bench bench, String label) {
    List<String> cmd = new ArrayList<>();
    cmd.add("java");
    for (String o : bench.serverJvmOpts.split(" ")) {
      if (!o.isBlank()) {
        cmd.add(o);
      }
    }
    // wall-clock (timemillis) decorations, so that pauses can be matched to the harness's measured windows (GcLog)
    cmd.add("-Xlog:gc,gc+phases:file=" + bench.runDir.resolve("gc-" + label + ".log") + ":timemillis,uptime,tags");
    if (bench.profile) {
      cmd.add("-XX:StartFlightRecording=filename=" + bench.runDir.resolve(label + ".jfr") + ",settings=profile,dumponexit=true");
    }
    return cmd;
  }

  // ------------------------------------------------------------------------------------------------------------

  /** Relais: the real jar, configured through RELAIS_* variables, on its own redis-server. */
  static final class Relais extends Target {
    static final String ADMIN_PASSWORD = "bench-admin-password";
    static final String USER_PASSWORD = "bench-user-password";
    private String[] tokens;
    private String[] userIds;
    private final Map<String, Integer> userIdx = new HashMap<>();
    private final Map<String, String> rooms = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private int nodeCounter;
    /** The CPU the next nodes are pinned to; null while provisioning (not measured: both CPUs, twice the argon2id). */
    private String cpu = Bench.SERVER_CPU;

    Relais(Bench bench) {
      super("relais", bench);
    }

    private Map<String, String> env(int port) {
      Map<String, String> env = new LinkedHashMap<>();
      env.put("RELAIS_PORT", Integer.toString(port));
      env.put("RELAIS_HOST", "127.0.0.1");
      env.put("RELAIS_REDIS_URL", "redis://127.0.0.1:" + redisPort);
      env.put("RELAIS_ADMIN_PASSWORD", ADMIN_PASSWORD);
      env.put("RELAIS_ACCESS_TOKEN_TTL_SECONDS", "86400");
      // the peer has no per-socket request budget; the history readers and senders must not hit Relais's either
      env.put("RELAIS_WS_RATE_PER_SECOND", "100000");
      env.put("RELAIS_WS_RATE_BURST", "100000");
      // Relais's per-person and per-address budgets (kept in Redis): at the largest value each accepts, so that
      // they are still checked (their cost is part of Relais's) but never refuse the bench's traffic, which comes
      // from a few users and 32 addresses at rates no person sends (the peer has no such budgets)
      for (String k : List.of("SEND", "REACT", "EXPENSIVE", "HTTP")) {
        env.put("RELAIS_RATE_" + k + "_PER_USER", "1000000");
        env.put("RELAIS_RATE_" + k + "_PER_IP", "1000000");
      }
      env.put("RELAIS_RATE_AUTH_PER_IP", "1000000");
      // the same for the sockets one address may hold before their hello: 10,000 clients come from 32 addresses here,
      // and in a storm hundreds of upgrades per address are answered before their hellos are read
      env.put("RELAIS_WS_PRE_HELLO_PER_ADDRESS", "1000000");
      env.put("RELAIS_DATA_DIR", bench.runDir.resolve("relais-data").toString());
      env.putAll(bench.relaisEnv);
      return env;
    }

    /** Keeps each node's /metrics (op and Redis latency histograms) next to the logs before it stops. */
    @Override
    void stopNodes() {
      for (int i = 0; i < nodes.size(); i++) {
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[i]
              + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
          java.nio.file.Files.writeString(bench.runDir.resolve("metrics-" + nodes.get(i).name + ".txt"), r.body());
        } catch (Exception e) {
          // the figures do not depend on it
        }
      }
      super.stopNodes();
    }

    @Override
    void startNodes(int n) throws Exception {
      if (redis == null) {
        redisPort = Proc.freePort();
        redis = bench.startRedis("redis-relais", redisPort);
      }
      ports = new int[n];
      for (int i = 0; i < n; i++) {
        ports[i] = Proc.freePort();
        String label = "relais-" + (++nodeCounter);
        List<String> cmd = jvmOpts(bench, label);
        // as the README runs it (see docs/MEMORY.md, "Garbage collector and heap"): G1 and a fixed, pre-touched
        // heap, so that the idle scenario's RSS growth is not G1 committing, uncommitting and first touching heap
        // regions (with it, that figure is the memory per connection outside the heap: add the heap figure); a
        // collector or a heap size given with --server-jvm-opts replaces the corresponding default
        if (!bench.serverJvmOpts.contains("GC")) {
          cmd.addAll(List.of("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20"));
        }
        if (!bench.serverJvmOpts.contains("-Xms") && !bench.serverJvmOpts.contains("-Xmx")) {
          cmd.addAll(List.of("-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"));
        }
        cmd.add("-jar");
        cmd.add(bench.relaisJar.toString());
        Proc p = Proc.start(label, cpu, cmd, env(ports[i]), bench.runDir,
            bench.runDir.resolve(label + ".log"));
        nodes.add(p);
      }
      for (int i = 0; i < n; i++) {
        Proc.waitForPort(nodes.get(i), ports[i], 60_000);
        waitReady(ports[i]);
      }
      resetRedisStats();
    }

    private void waitReady(int port) throws Exception {
      long deadline = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < deadline) {
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
              .GET().build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            return;
          }
        } catch (IOException e) {
          // not yet
        }
        Thread.sleep(200);
      }
      throw new IOException("relais on " + port + " not ready");
    }

    private JsonObject post(String path, String bearer, JsonObject body) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[0] + path))
          .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
      if (bearer != null) {
        b.header("Authorization", "Bearer " + bearer);
      }
      for (int attempt = 0; ; attempt++) {
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return new JsonObject(r.body());
        }
        if ((r.statusCode() == 503 || r.statusCode() == 429) && attempt < 50) {
          Thread.sleep(200);
          continue;
        }
        throw new IOException(path + " -> " + r.statusCode() + " " + r.body());
      }
    }

    @Override
    void provision(World w) throws Exception {
      WorldCache cache = bench.worldCache ? new WorldCache(bench, w) : null;
      if (cache != null && cache.restore(this)) {
        startNodes(1);
        boolean ok = cache.check(this);
        stopNodes();
        if (ok) {
          return;
        }
        Bench.log("relais: the cached world does not work with this server; provisioning it again");
        redis.stop(5_000);
        redis = null;
        cache.discard(this);
      }
      cpu = null;
      try {
        startNodes(1);
        provisionThroughApi(w);
      } finally {
        stopNodes();
        cpu = Bench.SERVER_CPU;
      }
      if (cache != null) {
        cache.save(this);
      }
    }

    /** For WorldCache: the client-side half of the world (tokens, ids), as JSON. */
    JsonObject worldState() {
      return new JsonObject().put("tokens", new JsonArray(List.of(tokens))).put("userIds", new JsonArray(List.of(userIds)))
          .put("rooms", new JsonObject(new LinkedHashMap<>(rooms)));
    }

    void worldState(JsonObject j) {
      tokens = j.getJsonArray("tokens").stream().map(String::valueOf).toArray(String[]::new);
      userIds = j.getJsonArray("userIds").stream().map(String::valueOf).toArray(String[]::new);
      rooms.clear();
      j.getJsonObject("rooms").forEach(e -> rooms.put(e.getKey(), String.valueOf(e.getValue())));
      userIdx.clear();
      for (int u = 0; u < userIds.length; u++) {
        userIdx.put(userIds[u], u);
      }
    }

    /** True when the first user's token is accepted (the cached world belongs to this server). */
    boolean tokenWorks() {
      try {
        post("/api/ops/user.me", tokens[0], new JsonObject());
        return true;
      } catch (Exception e) {
        return false;
      }
    }

    private void provisionThroughApi(World w) throws Exception {
      long t0 = System.nanoTime();
      double cpu0 = nodes.get(0).cpuSeconds();
      String admin = post("/api/auth/login", null, new JsonObject().put("email", "admin@relais.local")
          .put("password", ADMIN_PASSWORD)).getString("accessToken");
      String orgId = post("/api/ops/user.me", admin, new JsonObject()).getJsonObject("data").getJsonObject("org")
          .getString("id");
      tokens = new String[w.users];
      userIds = new String[w.users];
      // several requests in flight per argon2id thread of the (unpinned) server, so that it never waits for the client
      ExecutorService pool = Executors.newFixedThreadPool(12);
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (int u = 0; u < w.users; u++) {
          final int user = u;
          fs.add(pool.submit(() -> {
            JsonObject inv = post("/api/ops/user.invite", admin, new JsonObject()
                .put("email", "bench" + user + "@bench.example").put("displayName", "Bench user " + user)
                .put("orgId", orgId)).getJsonObject("data");
            JsonObject acc = post("/api/auth/accept-invite", null, new JsonObject()
                .put("token", inv.getString("inviteToken")).put("password", USER_PASSWORD));
            tokens[user] = acc.getString("accessToken");
            userIds[user] = acc.getJsonObject("user").getString("id");
            return null;
          }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
        for (int u = 0; u < w.users; u++) {
          userIdx.put(userIds[u], u);
        }
        Bench.log("relais: %d users provisioned in %.1f s (invitation + accept-invite with argon2id each; server CPU "
            + "%.1f s, on both CPUs)", w.users, (System.nanoTime() - t0) / 1e9, nodes.get(0).cpuSeconds() - cpu0);
        fs.clear();
        for (String room : w.allRooms()) {
          fs.add(pool.submit(() -> {
            createRoom(room, w.members(room));
            return null;
          }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
        Bench.log("relais: %d channels created", w.allRooms().size());
        fs.clear();
        String text = pad("history message of the bench", 100);
        for (int h = 0; h < w.histRooms; h++) {
          final String channel = rooms.get("h" + h);
          // in slices of 25, so that the pool stays full even with few history rooms (the order of the pre-loaded
          // messages does not matter: readers only count full pages)
          for (int from = 0; from < w.histMessages; from += 25) {
            final int lo = from;
            final int hi = Math.min(w.histMessages, from + 25);
            fs.add(pool.submit(() -> {
              for (int k = lo; k < hi; k++) {
                post("/api/ops/message.send", tokens[0], new JsonObject().put("channelId", channel)
                    .put("text", text + " " + k).put("clientMsgId", "hist-" + k));
              }
              return null;
            }));
          }
        }
        for (Future<?> f : fs) {
          f.get();
        }
        Bench.log("relais: %d history rooms pre-loaded with %d messages each; world ready in %.1f s (server CPU %.1f s)",
            w.histRooms, w.histMessages, (System.nanoTime() - t0) / 1e9, nodes.get(0).cpuSeconds() - cpu0);
      } finally {
        pool.shutdownNow();
      }
    }

    private void createRoom(String logical, List<Integer> members) throws Exception {
      int owner = members.get(0);
      JsonArray first = new JsonArray();
      for (int i = 1; i < Math.min(members.size(), 101); i++) {
        first.add(userIds[members.get(i)]);
      }
      String id = post("/api/ops/channel.create", tokens[owner], new JsonObject().put("name", "bench " + logical)
          .put("kind", "thematic").put("visibility", "private").put("memberIds", first))
          .getJsonObject("data").getJsonObject("channel").getString("id");
      for (int from = 101; from < members.size(); from += 100) {
        JsonArray batch = new JsonArray();
        for (int i = from; i < Math.min(members.size(), from + 100); i++) {
          batch.add(userIds[members.get(i)]);
        }
        post("/api/ops/channel.invite", tokens[owner], new JsonObject().put("channelId", id).put("userIds", batch));
      }
      synchronized (rooms) {
        rooms.put(logical, id);
      }
    }

    @Override
    Conn conn(Gen g, int user, int node) {
      return new RelaisConn(g, user, node);
    }

    @Override
    String token(int user) {
      return tokens[user];
    }

    @Override
    String room(String logical) {
      return rooms.get(logical);
    }

    @Override
    int userIndex(String wireUser) {
      Integer i = userIdx.get(wireUser);
      return i == null ? -1 : i;
    }

    @Override
    long heapAfterGcKb(Proc node) {
      return jvmHeapAfterGc(node, bench.runDir);
    }
  }

  // ------------------------------------------------------------------------------------------------------------

  /** The Socket.IO peer (bench/peers/socketio/server.js) with the classic or the sharded Redis adapter. */
  static final class Peer extends Target {
    private final String adapter;
    /** Shared by the classic and the sharded peer: they use the same Redis and the same world. */
    private static final String RUN_TOKEN = Long.toString(System.nanoTime(), 36);
    private static Peer provisioned;

    Peer(Bench bench, String adapter) {
      super("socketio-" + adapter, bench);
      this.adapter = adapter;
    }

    @Override
    void provision(World w) throws Exception {
      // classic and sharded share one Redis and one world (the same keys)
      if (provisioned != null) {
        redis = provisioned.redis;
        redisPort = provisioned.redisPort;
        return;
      }
      redisPort = Proc.freePort();
      redis = bench.startRedis("redis-socketio", redisPort);
      long t0 = System.nanoTime();
      try (Resp r = new Resp(redisPort)) {
        for (int u = 0; u < w.users; u++) {
          r.queue("SET", "sio:tok:" + token(u), "u" + u);
          List<String> rs = w.roomsOf(u);
          if (!rs.isEmpty()) {
            List<String> args = new ArrayList<>();
            args.add("SADD");
            args.add("sio:rooms:u" + u);
            args.addAll(rs);
            r.queue(args.toArray(new String[0]));
          }
        }
        String text = pad("history message of the bench", 100);
        for (int h = 0; h < w.histRooms; h++) {
          for (int k = 0; k < w.histMessages; k++) {
            JsonObject body = new JsonObject().put("author", "u0").put("text", text + " " + k).put("cid", "hist-" + k)
                .put("at", System.currentTimeMillis());
            r.queue("XADD", "hist:h" + h, "MAXLEN", "~", "10000", "*", "m", body.encode());
          }
        }
        r.flush();
      }
      Bench.log("socketio: world written to Redis in %.1f s (tokens, memberships, history)",
          (System.nanoTime() - t0) / 1e9);
      provisioned = this;
    }

    @Override
    void startNodes(int n) throws Exception {
      ports = new int[n];
      for (int i = 0; i < n; i++) {
        ports[i] = Proc.freePort();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PORT", Integer.toString(ports[i]));
        env.put("REDIS_URL", "redis://127.0.0.1:" + redisPort);
        env.put("ADAPTER", adapter);
        String label = name + "-" + i;
        List<String> cmd = new ArrayList<>(List.of("node", "--expose-gc"));
        if (bench.profile) {
          cmd.add("--cpu-prof");
          cmd.add("--cpu-prof-dir=" + bench.runDir.resolve("node-prof"));
        }
        cmd.add("server.js");
        Proc p = Proc.start(label, Bench.SERVER_CPU, cmd, env, bench.peerDir, bench.runDir.resolve(label + ".log"));
        nodes.add(p);
      }
      for (int i = 0; i < n; i++) {
        Proc.waitForPort(nodes.get(i), ports[i], 30_000);
      }
      resetRedisStats();
    }

    @Override
    boolean jvm() {
      return false;
    }

    @Override
    Conn conn(Gen g, int user, int node) {
      return new SioConn(g, user, node);
    }

    @Override
    String token(int user) {
      return "tok-" + RUN_TOKEN + "-" + user;
    }

    @Override
    String room(String logical) {
      return logical;
    }

    @Override
    int userIndex(String wireUser) {
      return Integer.parseInt(wireUser.substring(1));
    }

    @Override
    long heapAfterGcKb(Proc node) {
      int i = nodes.indexOf(node);
      try {
        HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
            .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[i] + "/gc")).build(),
                HttpResponse.BodyHandlers.ofString());
        return new JsonObject(r.body()).getLong("heapUsed") / 1024;
      } catch (Exception e) {
        Bench.log("  could not read the peer's heap: %s", e);
        return -1;
      }
    }

    @Override
    void stopAll() {
      stopNodes();
      if (provisioned == this || provisioned == null) {
        if (redis != null) {
          redis.stop(5_000);
        }
      }
      redis = null;
    }
  }

  // ------------------------------------------------------------------------------------------------------------

  /** The ceiling: the bare Vert.x broadcaster ({@link Ceiling}), no Redis. */
  static final class Ceil extends Target {
    private int counter;

    Ceil(Bench bench) {
      super("ceiling", bench);
    }

    @Override
    void provision(World w) {
    }

    @Override
    void startNodes(int n) throws Exception {
      ports = new int[n];
      for (int i = 0; i < n; i++) {
        ports[i] = Proc.freePort();
        String label = "ceiling-" + (++counter);
        List<String> cmd = jvmOpts(bench, label);
        // the shaded jar, or (in the harness's own test) the test class path
        String cp = java.nio.file.Files.exists(bench.benchJar) ? bench.benchJar.toString()
            : System.getProperty("java.class.path");
        cmd.addAll(List.of("-cp", cp, "org.relais.bench.Ceiling", Integer.toString(ports[i])));
        Proc p = Proc.start(label, Bench.SERVER_CPU, cmd, Map.of(), bench.runDir, bench.runDir.resolve(label + ".log"));
        nodes.add(p);
      }
      for (int i = 0; i < n; i++) {
        Proc.waitForPort(nodes.get(i), ports[i], 30_000);
      }
    }

    @Override
    void beforeHistory(World w) throws Exception {
      HttpClient http = HttpClient.newHttpClient();
      String text = pad("history message of the bench", 100).replace(' ', '_');
      for (int port : ports) {
        for (int h = 0; h < w.histRooms; h++) {
          http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/preload?room=h" + h + "&n="
              + w.histMessages + "&text=" + text)).POST(HttpRequest.BodyPublishers.noBody()).build(),
              HttpResponse.BodyHandlers.ofString());
        }
      }
    }

    @Override
    boolean resumes() {
      return false;
    }

    @Override
    Conn conn(Gen g, int user, int node) {
      return new CeilConn(g, user, node);
    }

    @Override
    String token(int user) {
      return "";
    }

    @Override
    String room(String logical) {
      return logical;
    }

    @Override
    int userIndex(String wireUser) {
      return Integer.parseInt(wireUser.substring(1));
    }

    @Override
    long heapAfterGcKb(Proc node) {
      return jvmHeapAfterGc(node, bench.runDir);
    }
  }
}
