package org.relais.server;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.relais.redis.RedisMode;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The whole configuration, immutable and validated. Read once at start-up from a JSON file
 * ({@code --config PATH}, {@code RELAIS_CONFIG}, or {@code ./relais.json} when present) and the environment, which
 * wins: every key {@code fooBar} is also {@code RELAIS_FOO_BAR}. A bad value stops start-up with a message that
 * names the key and what it expects. {@link #KEYS} is the table README.md documents.
 */
public record RelaisConfig(
    int port,
    String host,
    String publicUrl,
    String redisUrl,
    Path dataDir,
    int managedRedisPort,
    String managedRedisFsync,
    String adminEmail,
    String adminPassword,
    String adminCountry,
    boolean demo,
    List<String> allowedOrigins,
    List<String> trustedProxies,
    long accessTokenTtlSeconds,
    long refreshTokenTtlSeconds,
    long refreshReuseGraceSeconds,
    long inviteTtlSeconds,
    long jwtLeewaySeconds,
    Path jwtKeyFile,
    String jwtIssuer,
    String jwtAudience,
    int wsMaxFrameBytes,
    int wsMaxRequestBytes,
    long wsHelloTimeoutMs,
    long wsIdleTimeoutSeconds,
    long wsPingIntervalSeconds,
    int wsRateBurst,
    int wsRatePerSecond,
    int wsMaxQueueBytes,
    int messageMaxChars,
    int channelLogEvents,
    int presenceTtlSeconds,
    int presenceAwaySeconds,
    int presenceGraceSeconds,
    String pushSubject,
    boolean pushAllowInsecureEndpoints,
    List<String> pushAllowedHosts,
    int pushCoalesceSeconds,
    int notificationMaxPerUser,
    int notificationRetentionDays,
    int partnershipExpiryDays,
    long redisTimeoutMs,
    RedisMode redisMode,
    String redisMasterName,
    int redisWaitReplicas,
    long redisWaitTimeoutMs,
    int eventLoops,
    String webroot,
    int rateSendPerUser,
    int rateSendPerIp,
    int rateReactPerUser,
    int rateReactPerIp,
    int rateExpensivePerUser,
    int rateExpensivePerIp,
    int rateHttpPerUser,
    int rateHttpPerIp,
    int rateAuthPerIp,
    int auditRetentionDays,
    int auditMaxEntries,
    Path tlsCertFile,
    Path tlsKeyFile,
    int helloConcurrency,
    int helloQueue,
    int wsPreHelloPerAddress) {

  /** One configuration key: its JSON name, default (as text; null for none), meaning, and parser. */
  public record Key(String name, String defaultValue, String description, Function<String, Object> parser) {
    public String env() {
      return "RELAIS_" + name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }
  }

  public static final List<Key> KEYS = List.of(
      new Key("port", "8080", "HTTP and WebSocket port", v -> integer(v, 0, 65535)),
      new Key("host", "0.0.0.0", "address to listen on", RelaisConfig::nonEmpty),
      new Key("publicUrl", null, "the URL users reach Relais at (e.g. https://relais.example.org); used in invitation links and allowed as a WebSocket origin", RelaisConfig::url),
      new Key("redisUrl", null, "redis://[:password@]host:port[/db] of the Redis to use; unset: start a redis-server in dataDir. With redisMode cluster or sentinel: comma-separated URLs of seed nodes or of the sentinels", RelaisConfig::redis),
      new Key("dataDir", "./data", "where the managed redis-server keeps its data (append-only file)", v -> Path.of(nonEmpty(v))),
      new Key("managedRedisPort", "0", "port of the redis-server Relais starts itself (on 127.0.0.1); 0: any free port", v -> integer(v, 0, 65535)),
      new Key("managedRedisFsync", "always", "when the redis-server Relais starts makes writes durable: always (before each acknowledgement; nothing acknowledged is lost, even on power failure) or everysec (faster; a power cut can lose the last second)", v -> { if (!v.equals("always") && !v.equals("everysec")) { throw new IllegalArgumentException("always or everysec"); } return v; }),
      new Key("adminEmail", "admin@relais.local", "email of the network admin created on first start", RelaisConfig::email),
      new Key("adminPassword", null, "password of that admin (at least 8 characters); unset: one is generated and printed once in the log", RelaisConfig::password),
      new Key("adminCountry", "ML", "ISO 3166-1 alpha-2 country of the admin's organisation created on first start", RelaisConfig::country),
      new Key("demo", "false", "seed a small demo network on first start (also: --demo)", RelaisConfig::bool),
      new Key("allowedOrigins", "", "comma-separated extra origins allowed to open the WebSocket (the server's own origin always is)", RelaisConfig::origins),
      new Key("trustedProxies", "", "comma-separated addresses of reverse proxies whose X-Forwarded-For is believed (for per-address sign-in limits)", RelaisConfig::addresses),
      new Key("accessTokenTtlSeconds", "900", "lifetime of an access token", v -> integer(v, 30, 86_400)),
      new Key("refreshTokenTtlSeconds", "2592000", "a session ends after this long without a refresh", v -> integer(v, 300, 31_536_000)),
      new Key("refreshReuseGraceSeconds", "0", "a refresh token presented again within this many seconds (a lost reply, two tabs) is refused without revoking the session; 0: any reuse revokes it", v -> integer(v, 0, 60)),
      new Key("inviteTtlSeconds", "604800", "lifetime of an invitation token", v -> integer(v, 300, 31_536_000)),
      new Key("jwtLeewaySeconds", "30", "clock skew tolerated when checking token times", v -> integer(v, 0, 300)),
      new Key("jwtKeyFile", null, "PEM file with an EC P-256 PRIVATE KEY and PUBLIC KEY to sign tokens with; unset: a key generated on first start and kept in Redis", v -> Path.of(nonEmpty(v))),
      new Key("jwtIssuer", "relais", "iss of access tokens", RelaisConfig::nonEmpty),
      new Key("jwtAudience", "relais", "aud of access tokens", RelaisConfig::nonEmpty),
      new Key("wsMaxFrameBytes", "65536", "hard limit of a WebSocket frame or message; past it the socket closes with 1009", v -> integer(v, 1024, 1 << 24)),
      new Key("wsMaxRequestBytes", "32768", "soft limit of one request; past it the reply is too_large and the socket stays open", v -> integer(v, 512, 1 << 24)),
      new Key("wsHelloTimeoutMs", "5000", "time a new socket has to send hello", v -> integer(v, 100, 60_000)),
      new Key("wsIdleTimeoutSeconds", "75", "a socket silent this long (no frame, no pong) is closed", v -> integer(v, 5, 3600)),
      new Key("wsPingIntervalSeconds", "25", "the server pings each socket this often", v -> integer(v, 1, 600)),
      new Key("wsRateBurst", "60", "requests a socket may send in a burst", v -> integer(v, 1, 100_000)),
      new Key("wsRatePerSecond", "20", "sustained requests per second per socket", v -> integer(v, 1, 100_000)),
      new Key("wsMaxQueueBytes", "524288", "outbound bytes a socket may have waiting; past it the socket is closed with 4009 and resumes on reconnect", v -> integer(v, 16_384, 1 << 28)),
      new Key("messageMaxChars", "8000", "longest message text, in characters", v -> integer(v, 1, 100_000)),
      new Key("channelLogEvents", "10000", "events kept per channel for resuming; a client that missed more is told to resync", v -> integer(v, 100, 10_000_000)),
      new Key("presenceTtlSeconds", "60", "a session not heard from for this long counts as gone (a crashed node's users turn offline within it)", v -> integer(v, 2, 3600)),
      new Key("presenceAwaySeconds", "600", "a user inactive this long appears away (activity is sampled once a minute)", v -> integer(v, 60, 86_400)),
      new Key("presenceGraceSeconds", "5", "a user whose last session closed appears offline after this delay (a quick reconnect makes no flicker)", v -> integer(v, 0, 600)),
      new Key("pushSubject", null, "VAPID contact given to push services (mailto: or https:); unset: mailto: the admin email", v -> { if (!v.startsWith("mailto:") && !v.startsWith("https://")) { throw new IllegalArgumentException("a mailto: or https: URI"); } return v; }),
      new Key("pushAllowInsecureEndpoints", "false", "accept http:// push endpoints (local testing only; browsers give https)", RelaisConfig::bool),
      new Key("pushAllowedHosts", "fcm.googleapis.com,push.services.mozilla.com,notify.windows.com,push.apple.com", "push service hosts (and their subdomains) browser subscriptions may point to", v -> { List<String> hosts = new ArrayList<>(); for (String h : v.split(",")) { if (!h.isBlank()) { if (!h.trim().matches("[A-Za-z0-9.-]+")) { throw new IllegalArgumentException("comma-separated host names"); } hosts.add(h.trim()); } } return List.copyOf(hosts); }),
      new Key("pushCoalesceSeconds", "60", "pushes of one conversation within this window make one push, then one summary", v -> integer(v, 1, 3600)),
      new Key("notificationMaxPerUser", "1000", "notifications kept per person (the oldest go first)", v -> integer(v, 10, 100_000)),
      new Key("notificationRetentionDays", "90", "notifications older than this are dropped", v -> integer(v, 1, 3650)),
      new Key("partnershipExpiryDays", "30", "a partnership request left unanswered this long expires", v -> integer(v, 1, 3650)),
      new Key("redisTimeoutMs", "2000", "a Redis command not answered within this time fails with unavailable", v -> integer(v, 50, 60_000)),
      new Key("redisMode", "standalone", "standalone (one Redis), cluster (a Redis Cluster; redisUrl lists seed nodes) or sentinel (a primary watched by Sentinel; redisUrl lists the sentinels); see docs/CLUSTER.md", RedisMode::parse),
      new Key("redisMasterName", "mymaster", "with redisMode sentinel: the name the sentinels know the primary by", RelaisConfig::nonEmpty),
      new Key("redisWaitReplicas", "0", "a message send is acknowledged only once this many Redis replicas have it (WAIT); 0: once the primary has it. See docs/CLUSTER.md for the cost", v -> integer(v, 0, 16)),
      new Key("redisWaitTimeoutMs", "1000", "how long a send waits for those replicas before failing with unavailable (the client's retry is deduplicated)", v -> integer(v, 10, 60_000)),
      new Key("eventLoops", "0", "gateway instances, one per event loop; 0: one per CPU core", v -> integer(v, 0, 256)),
      new Key("webroot", "webroot", "directory of the browser client (falls back to the copy inside the jar)", RelaisConfig::nonEmpty),
      new Key("rateSendPerUser", "120", "messages sent, edited or deleted per minute by one person, on all nodes together (0: no limit)", v -> integer(v, 0, 1_000_000)),
      new Key("rateSendPerIp", "600", "the same, per client address (an IPv6 /64)", v -> integer(v, 0, 1_000_000)),
      new Key("rateReactPerUser", "120", "reactions added or removed per minute by one person (0: no limit)", v -> integer(v, 0, 1_000_000)),
      new Key("rateReactPerIp", "600", "the same, per client address", v -> integer(v, 0, 1_000_000)),
      new Key("rateExpensivePerUser", "300", "units of costly ops (search, history, listings, imports, slot finding, invitations, partnership requests; each takes its cost) per minute by one person (0: no limit; else at least 10)", RelaisConfig::budget),
      new Key("rateExpensivePerIp", "1500", "the same, per client address", RelaisConfig::budget),
      new Key("rateHttpPerUser", "600", "ops called over POST /api/ops per minute by one person (0: no limit)", v -> integer(v, 0, 1_000_000)),
      new Key("rateHttpPerIp", "3000", "the same, per client address", v -> integer(v, 0, 1_000_000)),
      new Key("rateAuthPerIp", "60", "token refreshes, logouts and invitation acceptances per minute per client address (sign-in has its own limits)", v -> integer(v, 0, 1_000_000)),
      new Key("auditRetentionDays", "365", "audit log entries older than this are dropped", v -> integer(v, 1, 36_500)),
      new Key("auditMaxEntries", "1000000", "audit log entries kept at most (the oldest go first)", v -> integer(v, 1_000, 100_000_000)),
      new Key("tlsCertFile", null, "PEM certificate chain (server certificate first): with tlsKeyFile, Relais serves HTTPS and WSS on port and sends HSTS; unset: plain HTTP, TLS ended by a reverse proxy", RelaisConfig::readableFile),
      new Key("tlsKeyFile", null, "PEM private key of tlsCertFile (PKCS#8 PRIVATE KEY, or RSA PRIVATE KEY)", RelaisConfig::readableFile),
      new Key("helloConcurrency", "32", "first hellos checked at once on a node (token, session, channels); the next ones wait", v -> integer(v, 1, 100_000)),
      new Key("helloQueue", "10000", "first hellos that may wait for their check, each for wsHelloTimeoutMs, and up to 30 s while the node keeps ending checks; a hello that finds the queue full, or waits wsHelloTimeoutMs while no check ends, is refused with unavailable and a retryAfterMs sized to the queue, and the socket closed with 1013. Rule: at least the node's hello rate × wsHelloTimeoutMs (the default: 5 s at 2,000 hellos/s), so that a reconnect storm the node can absorb is queued, not refused (PROTOCOL.md section 4)", v -> integer(v, 0, 1_000_000)),
      new Key("wsPreHelloPerAddress", "20", "sockets one client address may hold on one gateway instance (one per event loop) before their hello arrives; past it the upgrade answers 429. A socket whose hello has arrived no longer counts (the hello admission bounds it)", v -> integer(v, 1, 1_000_000)));

  /**
   * Reads the configuration.
   *
   * @param args command-line arguments ({@code --demo}, {@code --config PATH})
   * @param env  the environment
   * @throws ConfigException naming the key and what it expects
   */
  public static RelaisConfig load(List<String> args, Map<String, String> env) {
    Path file = null;
    boolean demoFlag = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--demo")) {
        demoFlag = true;
      } else if (a.equals("--config") && i + 1 < args.size()) {
        file = Path.of(args.get(++i));
      } else if (a.startsWith("--config=")) {
        file = Path.of(a.substring("--config=".length()));
      } else {
        throw new ConfigException("Unknown argument '" + a + "'. Use --demo and --config PATH.");
      }
    }
    if (file == null && env.get("RELAIS_CONFIG") != null) {
      file = Path.of(env.get("RELAIS_CONFIG"));
    }
    if (file == null && Files.isRegularFile(Path.of("relais.json"))) {
      file = Path.of("relais.json");
    }
    JsonObject json = file == null ? new JsonObject() : readFile(file);
    for (String name : json.fieldNames()) {
      if (KEYS.stream().noneMatch(k -> k.name().equals(name))) {
        throw new ConfigException("Unknown configuration key '" + name + "' in " + file);
      }
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (Key key : KEYS) {
      String raw = env.get(key.env());
      String source = key.env();
      if (raw == null && json.containsKey(key.name())) {
        Object v = json.getValue(key.name());
        raw = v instanceof JsonArray array ? String.join(",", array.stream().map(String::valueOf).toList()) : String.valueOf(v);
        source = key.name() + " in " + file;
      }
      if (raw == null) {
        raw = key.defaultValue();
        source = key.name() + " (default)";
      }
      if (raw == null) {
        values.put(key.name(), null);
        continue;
      }
      try {
        values.put(key.name(), key.parser().apply(raw.trim()));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("Invalid configuration " + source + " = '" + raw + "': expected " + e.getMessage());
      }
    }
    if (demoFlag) {
      values.put("demo", true);
    }
    @SuppressWarnings("unchecked")
    RelaisConfig config = new RelaisConfig(
        (Integer) values.get("port"), (String) values.get("host"), (String) values.get("publicUrl"),
        (String) values.get("redisUrl"), (Path) values.get("dataDir"), (Integer) values.get("managedRedisPort"),
        (String) values.get("managedRedisFsync"),
        (String) values.get("adminEmail"),
        (String) values.get("adminPassword"), (String) values.get("adminCountry"), (Boolean) values.get("demo"),
        (List<String>) values.get("allowedOrigins"), (List<String>) values.get("trustedProxies"),
        (Integer) values.get("accessTokenTtlSeconds"), (Integer) values.get("refreshTokenTtlSeconds"),
        (Integer) values.get("refreshReuseGraceSeconds"),
        (Integer) values.get("inviteTtlSeconds"), (Integer) values.get("jwtLeewaySeconds"),
        (Path) values.get("jwtKeyFile"), (String) values.get("jwtIssuer"), (String) values.get("jwtAudience"),
        (Integer) values.get("wsMaxFrameBytes"), (Integer) values.get("wsMaxRequestBytes"),
        (Integer) values.get("wsHelloTimeoutMs"), (Integer) values.get("wsIdleTimeoutSeconds"),
        (Integer) values.get("wsPingIntervalSeconds"), (Integer) values.get("wsRateBurst"),
        (Integer) values.get("wsRatePerSecond"), (Integer) values.get("wsMaxQueueBytes"),
        (Integer) values.get("messageMaxChars"), (Integer) values.get("channelLogEvents"),
        (Integer) values.get("presenceTtlSeconds"), (Integer) values.get("presenceAwaySeconds"),
        (Integer) values.get("presenceGraceSeconds"),
        values.get("pushSubject") != null ? (String) values.get("pushSubject") : "mailto:" + values.get("adminEmail"),
        (Boolean) values.get("pushAllowInsecureEndpoints"), (List<String>) values.get("pushAllowedHosts"),
        (Integer) values.get("pushCoalesceSeconds"),
        (Integer) values.get("notificationMaxPerUser"), (Integer) values.get("notificationRetentionDays"),
        (Integer) values.get("partnershipExpiryDays"),
        (Integer) values.get("redisTimeoutMs"),
        (RedisMode) values.get("redisMode"), (String) values.get("redisMasterName"),
        (Integer) values.get("redisWaitReplicas"), (Integer) values.get("redisWaitTimeoutMs"),
        (Integer) values.get("eventLoops"), (String) values.get("webroot"),
        (Integer) values.get("rateSendPerUser"), (Integer) values.get("rateSendPerIp"),
        (Integer) values.get("rateReactPerUser"), (Integer) values.get("rateReactPerIp"),
        (Integer) values.get("rateExpensivePerUser"), (Integer) values.get("rateExpensivePerIp"),
        (Integer) values.get("rateHttpPerUser"), (Integer) values.get("rateHttpPerIp"),
        (Integer) values.get("rateAuthPerIp"),
        (Integer) values.get("auditRetentionDays"), (Integer) values.get("auditMaxEntries"),
        (Path) values.get("tlsCertFile"), (Path) values.get("tlsKeyFile"),
        (Integer) values.get("helloConcurrency"), (Integer) values.get("helloQueue"),
        (Integer) values.get("wsPreHelloPerAddress"));
    if (config.wsMaxRequestBytes() > config.wsMaxFrameBytes()) {
      throw new ConfigException("Invalid configuration: wsMaxRequestBytes (" + config.wsMaxRequestBytes()
          + ") must not exceed wsMaxFrameBytes (" + config.wsMaxFrameBytes() + ")");
    }
    if (config.redisMode() != RedisMode.STANDALONE && config.redisUrl() == null) {
      throw new ConfigException("Invalid configuration: redisMode " + config.redisMode().wire()
          + " needs redisUrl (the " + (config.redisMode() == RedisMode.CLUSTER ? "cluster's seed nodes" : "sentinels") + ")");
    }
    if (config.redisMode() == RedisMode.STANDALONE && config.redisUrl() != null && config.redisUrl().contains(",")) {
      throw new ConfigException("Invalid configuration: several redisUrl need redisMode cluster or sentinel");
    }
    if ((config.tlsCertFile() == null) != (config.tlsKeyFile() == null)) {
      throw new ConfigException("Invalid configuration: tlsCertFile and tlsKeyFile go together (set both or neither)");
    }
    if (config.wsPingIntervalSeconds() >= config.wsIdleTimeoutSeconds()) {
      throw new ConfigException("Invalid configuration: wsPingIntervalSeconds must be shorter than wsIdleTimeoutSeconds");
    }
    return config;
  }

  /** A configuration problem, reported to the operator as is. */
  public static final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
      super(message);
    }
  }

  private static JsonObject readFile(Path file) {
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException("Cannot read configuration file " + file + ": " + e.getMessage());
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException("Configuration file " + file + " is not a JSON object: " + e.getMessage());
    }
  }

  private static Object integer(String v, long min, long max) {
    try {
      long n = Long.parseLong(v);
      if (n >= min && n <= max) {
        return (int) n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("a whole number from " + min + " to " + max);
  }

  /** A per-minute budget of costly ops: 0 (none) or enough for the costliest op (cost 5) to pass. */
  private static Object budget(String v) {
    int n = (Integer) integer(v, 0, 1_000_000);
    if (n != 0 && n < 10) {
      throw new IllegalArgumentException("0 or a whole number from 10 to 1000000");
    }
    return n;
  }

  private static Path readableFile(String v) {
    Path path = Path.of(nonEmpty(v));
    if (!Files.isReadable(path) || Files.isDirectory(path)) {
      throw new IllegalArgumentException("a readable file (" + path.toAbsolutePath() + " is not)");
    }
    return path;
  }

  private static String nonEmpty(String v) {
    if (v.isEmpty()) {
      throw new IllegalArgumentException("a non-empty value");
    }
    return v;
  }

  private static Object bool(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off" -> false;
      default -> throw new IllegalArgumentException("true or false");
    };
  }

  private static String url(String v) {
    try {
      URI uri = new URI(v);
      if ((uri.getScheme().equals("http") || uri.getScheme().equals("https")) && uri.getHost() != null) {
        return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
      }
    } catch (Exception e) {
      // reported below
    }
    throw new IllegalArgumentException("an http:// or https:// URL");
  }

  private static String redis(String v) {
    List<String> urls = new ArrayList<>();
    for (String part : v.split(",")) {
      String u = part.trim();
      try {
        URI uri = new URI(u);
        if ((uri.getScheme().equals("redis") || uri.getScheme().equals("rediss")) && uri.getHost() != null) {
          urls.add(u);
          continue;
        }
      } catch (Exception e) {
        // reported below
      }
      throw new IllegalArgumentException("a redis:// or rediss:// URL such as redis://localhost:6379"
          + " (comma-separated for cluster or sentinel)");
    }
    return String.join(",", urls);
  }

  private static String email(String v) {
    if (!v.matches("[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+")) {
      throw new IllegalArgumentException("an email address");
    }
    return v;
  }

  private static String password(String v) {
    if (v.length() < 8) {
      throw new IllegalArgumentException("a password of at least 8 characters");
    }
    return v;
  }

  private static String country(String v) {
    if (!List.of(Locale.getISOCountries()).contains(v)) {
      throw new IllegalArgumentException("an ISO 3166-1 alpha-2 country code such as ML");
    }
    return v;
  }

  private static Object addresses(String v) {
    List<String> out = new ArrayList<>();
    for (String part : v.split(",")) {
      String a = part.trim();
      if (a.isEmpty()) {
        continue;
      }
      if (!a.matches("[0-9A-Fa-f:.]+")) {
        throw new IllegalArgumentException("comma-separated IP addresses such as 127.0.0.1");
      }
      out.add(a);
    }
    return List.copyOf(out);
  }

  private static Object origins(String v) {
    List<String> origins = new ArrayList<>();
    for (String part : v.split(",")) {
      String o = part.trim();
      if (o.isEmpty()) {
        continue;
      }
      try {
        URI uri = new URI(o);
        if (uri.getScheme() == null || uri.getHost() == null || (uri.getPath() != null && !uri.getPath().isEmpty())) {
          throw new IllegalArgumentException();
        }
      } catch (Exception e) {
        throw new IllegalArgumentException("comma-separated origins such as https://relais.example.org");
      }
      origins.add(o);
    }
    return List.copyOf(origins);
  }
}
