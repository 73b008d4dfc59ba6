package org.relais.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Lua script shipped as a classpath resource under {@code /lua/}. Run through {@link RedisDb#eval}, which uses
 * EVALSHA and falls back to EVAL when Redis has forgotten the script (after a restart or SCRIPT FLUSH).
 * Each script's header documents its KEYS and ARGV.
 *
 * <p>Redis Cluster rules (docs/CLUSTER.md): every key a script touches is in the slot of its {@code KEYS[1]} — one of
 * its KEYS, a KEYS entry with a suffix, or a key built from an ARGV declared in the script as a key root with a
 * line {@code -- @key-root ARGV[n]} (a prefix that carries the same hash tag; {@link RedisDb#eval} refuses a call
 * whose key roots or KEYS are not all in one slot).
 */
public final class LuaScript {
  private static final Pattern KEY_ROOT = Pattern.compile("@key-root\\s+ARGV\\[(\\d+)]");

  private final String name;
  private final String source;
  private final String sha1;
  private final List<Integer> keyRoots;
  private final String guardedSource;
  private final String guardedSha1;

  private LuaScript(String name, String source) {
    this.name = name;
    this.source = source;
    this.sha1 = sha1Hex(source);
    List<Integer> roots = new ArrayList<>();
    Matcher m = KEY_ROOT.matcher(source);
    while (m.find()) {
      roots.add(Integer.parseInt(m.group(1)));
    }
    this.keyRoots = List.copyOf(roots);
    this.guardedSource = read(LuaScript.class, "relais_key_guard") + "\n" + source;
    this.guardedSha1 = sha1Hex(guardedSource);
  }

  /** Loads {@code /lua/<name>.lua} from the classpath of {@code owner}. */
  public static LuaScript load(Class<?> owner, String name) {
    return new LuaScript(name, read(owner, name));
  }

  /**
   * Loads {@code /lua/<name>.lua} preceded by the shared functions of {@code /lua/<library>.lua}, so that scripts
   * of one module can share helpers (Redis has no include).
   */
  public static LuaScript withLibrary(Class<?> owner, String library, String name) {
    return new LuaScript(name, read(owner, library) + "\n" + read(owner, name));
  }

  private static String read(Class<?> owner, String name) {
    String path = "/lua/" + name + ".lua";
    try (InputStream in = owner.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing Lua script " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String name() {
    return name;
  }

  public String source() {
    return source;
  }

  public String sha1() {
    return sha1;
  }

  /** The ARGV positions (1-based) the script declares as key roots with {@code -- @key-root ARGV[n]}. */
  public List<Integer> keyRoots() {
    return keyRoots;
  }

  /** The source preceded by relais_key_guard.lua, which makes a command on a key of another slot fail. */
  public String guardedSource() {
    return guardedSource;
  }

  public String guardedSha1() {
    return guardedSha1;
  }

  private static String sha1Hex(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
