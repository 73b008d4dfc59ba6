package org.relais.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script shipped as a classpath resource under {@code /lua/}. Run through {@link RedisDb#eval}, which uses
 * EVALSHA and falls back to EVAL when Redis has forgotten the script (after a restart or SCRIPT FLUSH).
 * Each script's header documents its KEYS and ARGV.
 */
public final class LuaScript {
  private final String name;
  private final String source;
  private final String sha1;

  private LuaScript(String name, String source) {
    this.name = name;
    this.source = source;
    this.sha1 = sha1Hex(source);
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

  private static String sha1Hex(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
