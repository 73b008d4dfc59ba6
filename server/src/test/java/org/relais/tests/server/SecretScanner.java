package org.relais.tests.server;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks for secrets in every payload the server suite receives: WebSocket frames ({@link WsClient}) and HTTP bodies
 * ({@link TestServer}'s helpers). A finding fails the test that received it.
 *
 * <p>What counts as a secret:
 * <ul>
 *   <li>a password hash ({@code $argon2…}, {@code $2a$…} bcrypt, {@code $scrypt$…});</li>
 *   <li>a JWT (three base64url parts, the first starting {@code eyJ});</li>
 *   <li>a field whose name says it holds a secret ({@link #SECRET_FIELDS}; {@code auth} only inside {@code keys},
 *       {@code d} only in a JWK);</li>
 *   <li>any value known to be secret: what tests send as passwords, push-subscription keys and tokens, what the
 *       allowed replies hand out (refresh tokens, invitation tokens, feed secrets), and the server's own keys read
 *       from Redis at start-up (the VAPID private key, the JWT signing keys' private parts, the Redis password).</li>
 * </ul>
 *
 * <p>The allow-list ({@link #ALLOWED}): the only payloads that may carry secrets, and only in the named fields, are
 * replies that hand a secret to the person who asked for it. Their values are then learnt as secrets, so that they
 * are caught anywhere else.
 */
public final class SecretScanner {
  /** Field names that hold secrets, wherever they appear. */
  public static final Set<String> SECRET_FIELDS = Set.of("password", "passwordHash", "hash", "accessToken",
      "refreshToken", "inviteToken", "inviteUrl", "token", "secret", "feedSecret", "privateKey", "p256dh");

  /**
   * The allow-list: source → fields whose secret values it may return to the caller.
   * Sources are {@code http:<path>} for HTTP bodies and {@code op:<name>} for replies (either transport).
   */
  public static final Map<String, Set<String>> ALLOWED = Map.of(
      "http:/api/auth/login", Set.of("accessToken", "refreshToken"),
      "http:/api/auth/refresh", Set.of("accessToken", "refreshToken"),
      "http:/api/auth/accept-invite", Set.of("accessToken", "refreshToken"),
      "op:user.invite", Set.of("inviteToken", "inviteUrl"),
      "op:calendar.feed", Set.of("secret", "url"));

  private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*");
  private static final Pattern HASH = Pattern.compile("\\$(argon2(id|i|d)?|2[aby]|scrypt)\\$");
  private static final int MIN_SECRET_LENGTH = 12;
  private static final int PREFIX = 8;
  /** Known secrets by their first {@value #PREFIX} characters, so that a payload is searched in one pass. */
  private static final Map<String, Set<String>> KNOWN = new ConcurrentHashMap<>();
  private static final AtomicLong SCANNED = new AtomicLong();
  private static final AtomicLong FINDINGS = new AtomicLong();

  private SecretScanner() {
  }

  /** Payloads scanned since the JVM started. */
  public static long scanned() {
    return SCANNED.get();
  }

  /** Findings since the JVM started (each one also failed its test). */
  public static long findings() {
    return FINDINGS.get();
  }

  /** Remembers a value as secret: no payload but an allowed field may contain it. Short values are ignored. */
  public static void learn(String secret) {
    if (secret != null && secret.length() >= MIN_SECRET_LENGTH) {
      KNOWN.computeIfAbsent(secret.substring(0, PREFIX), k -> ConcurrentHashMap.newKeySet()).add(secret);
    }
  }

  /** Learns the secrets in something a test is about to send: passwords, tokens, push-subscription keys. */
  public static void learnFromRequest(String text) {
    if (text == null || text.length() > 100_000) {
      return;
    }
    Object json;
    try {
      json = text.trim().startsWith("{") ? new JsonObject(text) : null;
    } catch (DecodeException e) {
      return;
    }
    walk(json, null, (parent, field, value) -> {
      if (value instanceof String s && (SECRET_FIELDS.contains(field) || ("auth".equals(field) && "keys".equals(parent)))) {
        learn(s);
      }
    });
  }

  /**
   * Scans one payload.
   *
   * @param source {@code http:<path>}, {@code op:<name>} for a reply, {@code ev:<name>} for a push, or
   *               {@code unknown} (a reply to a raw frame: nothing is allowed)
   * @return what was found, empty when clean
   */
  public static List<String> scan(String source, String body) {
    return scan(source, body, null);
  }

  /** Scans one payload whose JSON the caller has already decoded ({@code parsed}, or null to decode it here). */
  public static List<String> scan(String source, String body, Object parsed) {
    SCANNED.incrementAndGet();
    List<String> findings = new ArrayList<>();
    if (body == null || body.isEmpty()) {
      return findings;
    }
    Set<String> allowed = ALLOWED.getOrDefault(source, Set.of());
    String rest = body;
    Object json = parsed;
    if (json == null) {
      try {
        String trimmed = body.trim();
        json = trimmed.startsWith("{") ? new JsonObject(body) : trimmed.startsWith("[") ? new JsonArray(body) : null;
      } catch (DecodeException e) {
        // not JSON (an ICS feed, a static file): scanned as text
      }
    }
    if (json != null) {
      List<String> handedOut = new ArrayList<>();
      walk(json, null, (parent, field, value) -> {
        boolean secretField = SECRET_FIELDS.contains(field) || ("auth".equals(field) && "keys".equals(parent))
            || ("d".equals(field) && parent != null && parent.startsWith("jwk"));
        if (allowed.contains(field) && value instanceof String s) {
          handedOut.add(s);
        } else if (secretField && value != null) {
          findings.add("field '" + field + "'");
        }
      });
      for (String s : handedOut) {
        rest = rest.replace(s, "");
        if (!s.startsWith("/")) {
          learn(s);
        }
      }
    }
    Matcher hash = HASH.matcher(rest);
    if (hash.find()) {
      findings.add("password hash (" + hash.group() + ")");
    }
    Matcher jwt = JWT.matcher(rest);
    if (jwt.find()) {
      findings.add("JWT (" + jwt.group().substring(0, 12) + "…)");
    }
    for (int i = 0; i + MIN_SECRET_LENGTH <= rest.length(); i++) {
      Set<String> candidates = KNOWN.get(rest.substring(i, i + PREFIX));
      if (candidates != null) {
        for (String secret : candidates) {
          if (rest.startsWith(secret, i)) {
            findings.add("known secret (" + secret.substring(0, 4) + "…, " + secret.length() + " chars)");
          }
        }
      }
    }
    if (!findings.isEmpty()) {
      FINDINGS.incrementAndGet();
    }
    return findings;
  }

  /** Scans and fails at once (for payloads received on the test's own thread). */
  public static void check(String source, String body) {
    List<String> findings = scan(source, body);
    if (!findings.isEmpty()) {
      throw new AssertionError("secret leaked in " + source + ": " + findings + " in " + shorten(body));
    }
  }

  static String shorten(String body) {
    return body.length() > 400 ? body.substring(0, 400) + "…" : body;
  }

  private interface Visitor {
    void visit(String parent, String field, Object value);
  }

  private static void walk(Object node, String parentField, Visitor visitor) {
    if (node instanceof JsonObject o) {
      boolean jwk = o.containsKey("kty");
      for (Map.Entry<String, Object> e : o) {
        visitor.visit(jwk ? "jwk:" + parentField : parentField, e.getKey(), e.getValue());
        walk(e.getValue(), e.getKey(), visitor);
      }
    } else if (node instanceof JsonArray a) {
      for (Object item : a) {
        walk(item, parentField, visitor);
      }
    }
  }
}
