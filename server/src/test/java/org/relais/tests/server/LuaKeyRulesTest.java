package org.relais.tests.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis Cluster rules of docs/CLUSTER.md, read statically from every Lua script of every module and of the
 * server: a script documents its KEYS, and every key it passes to redis.call comes from its KEYS (directly, by suffix, through a
 * local variable or a helper whose first argument is the key root) — never from a literal, and never from an ARGV
 * unless the script declares that ARGV as a key root ({@code -- @key-root ARGV[n]}, whose hash tag RedisDb checks
 * on every call). Keys read from Redis itself cannot be followed here: the key guard that wraps every script in the
 * test suite (relais.redis.checkScripts) checks those, and everything else, at run time.
 */
class LuaKeyRulesTest {
  private static final Pattern CALL = Pattern.compile("redis\\.p?call\\(");
  private static final Pattern ROOT_DECL = Pattern.compile("@key-root\\s+ARGV\\[(\\d+)]");
  private static final Pattern ASSIGN = Pattern.compile("^\\s*(?:local\\s+)?([A-Za-z_][\\w\\s,]*?)\\s*=\\s*(.+)$");
  private static final Set<String> KEYLESS = Set.of("time", "ping", "echo", "publish");
  private static final Set<String> ALL_KEYS = Set.of("del", "exists", "unlink", "touch", "mget", "sinter", "sunion",
      "sdiff", "pfcount");
  private static final Set<String> TWO_KEYS = Set.of("rename", "renamenx", "smove", "lmove", "rpoplpush", "copy");

  @Test
  @DisplayName("every Lua script of every module keeps its keys in the slot of its KEYS")
  void everyScriptFollowsTheRules() throws IOException {
    List<Path> scripts = scripts();
    assertThat(scripts).hasSizeGreaterThan(25);
    List<String> problems = new ArrayList<>();
    for (Path script : scripts) {
      String name = script.getFileName().toString();
      if (name.endsWith("_lib.lua") || name.equals("relais_key_guard.lua")) {
        continue;
      }
      String source = Files.readString(script);
      Path lib = script.resolveSibling(name.substring(0, name.indexOf('_')) + "_lib.lua");
      String library = Files.exists(lib) ? Files.readString(lib) : "";
      if (!header(source).contains("KEYS[1]")) {
        problems.add(name + ": the header does not document KEYS[1]");
      }
      problems.addAll(check(name, library + "\n" + source));
    }
    assertThat(problems).isEmpty();
  }

  @Test
  @DisplayName("the checker itself catches keys built from ARGV, literal keys, and ARGV through a variable")
  void theCheckerCatchesBadScripts() {
    assertThat(check("a", "redis.call('SET', ARGV[1] .. ':x', 1)")).hasSize(1);
    assertThat(check("b", "redis.call('GET', 'relais:epoch')")).hasSize(1);
    assertThat(check("c", "local p = ARGV[2]\nredis.call('HGET', p .. 'k', 'f')")).hasSize(1);
    assertThat(check("d", "local a, p = KEYS[1], ARGV[2]\nredis.call('DEL', a, p .. 'x')")).hasSize(1);
    assertThat(check("e", "local function k(root, s) return root .. s end\nredis.call('GET', k(ARGV[1], 'x'))"))
        .hasSize(1);
    assertThat(check("f", "-- @key-root ARGV[1]\nlocal P = ARGV[1]\nredis.call('GET', P .. 'x')")).isEmpty();
    assertThat(check("g", "local ch = KEYS[1]\nredis.call('XADD', key_of(ch, 'log'), '*', 'e', ARGV[1])")).isEmpty();
    assertThat(check("h", "redis.call('TIME')\nredis.call('PUBLISH', ARGV[1], ARGV[2])")).isEmpty();
  }

  private static List<Path> scripts() throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> modules = Stream.concat(Files.list(Path.of("../modules")).sorted(), Stream.of(Path.of(".")))) {
      for (Path module : modules.toList()) {
        Path dir = module.resolve("src/main/resources/lua");
        if (Files.isDirectory(dir)) {
          try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.toString().endsWith(".lua")).sorted().forEach(out::add);
          }
        }
      }
    }
    return out;
  }

  private static String header(String source) {
    StringBuilder sb = new StringBuilder();
    for (String line : source.split("\n")) {
      if (!line.startsWith("--")) {
        break;
      }
      sb.append(line).append('\n');
    }
    return sb.toString();
  }

  /** The problems of one script (its library prepended). */
  static List<String> check(String name, String source) {
    Set<Integer> roots = new HashSet<>();
    Matcher d = ROOT_DECL.matcher(source);
    while (d.find()) {
      roots.add(Integer.parseInt(d.group(1)));
    }
    Map<String, String> assigned = new HashMap<>();
    for (String line : source.split("\n")) {
      String code = stripComment(line);
      Matcher m = ASSIGN.matcher(code);
      if (m.matches() && !code.contains("==") && !code.trim().startsWith("if ") && !code.trim().startsWith("for ")) {
        List<String> names = splitTopLevel(m.group(1));
        List<String> values = splitTopLevel(m.group(2));
        if (names.size() == values.size()) {
          for (int i = 0; i < names.size(); i++) {
            assigned.putIfAbsent(names.get(i).trim(), values.get(i).trim());
          }
        }
      }
    }
    List<String> problems = new ArrayList<>();
    int lineNo = 0;
    for (String line : source.split("\n")) {
      lineNo++;
      String code = stripComment(line);
      Matcher c = CALL.matcher(code);
      while (c.find()) {
        String inside = balanced(code, c.end());
        List<String> args = splitTopLevel(inside);
        if (args.isEmpty()) {
          continue;
        }
        String command = args.get(0).trim().replaceAll("^['\"]|['\"]$", "").toLowerCase(Locale.ROOT);
        if (KEYLESS.contains(command)) {
          continue;
        }
        int last = ALL_KEYS.contains(command) ? args.size() - 1 : TWO_KEYS.contains(command) ? 2 : 1;
        for (int i = 1; i <= Math.min(last, args.size() - 1); i++) {
          String why = unsafe(args.get(i).trim(), assigned, roots, 0);
          if (why != null) {
            problems.add(name + " line " + lineNo + ": " + command + " key " + args.get(i).trim() + ": " + why);
          }
        }
      }
    }
    return problems;
  }

  /** Why a key expression may leave the slot of KEYS, or null when it follows the rules (or cannot be followed). */
  private static String unsafe(String expr, Map<String, String> assigned, Set<Integer> roots, int depth) {
    if (depth > 20) {
      return null;
    }
    String root = splitConcat(expr).get(0).trim();
    while (root.startsWith("(") && root.endsWith(")")) {
      root = root.substring(1, root.length() - 1).trim();
      root = splitConcat(root).get(0).trim();
    }
    if (root.startsWith("'") || root.startsWith("\"")) {
      return "a literal key (pass it in KEYS)";
    }
    Matcher argv = Pattern.compile("^ARGV\\[(\\d+)]$").matcher(root);
    if (argv.matches()) {
      return roots.contains(Integer.parseInt(argv.group(1))) ? null
          : "built from ARGV[" + argv.group(1) + "] (pass it in KEYS, or declare it with -- @key-root)";
    }
    if (root.startsWith("KEYS[")) {
      return null;
    }
    int paren = root.indexOf('(');
    if (paren > 0 && root.endsWith(")") && root.substring(0, paren).matches("[\\w.]+")) {
      if (root.startsWith("redis.")) {
        return null;
      }
      List<String> callArgs = splitTopLevel(root.substring(paren + 1, root.length() - 1));
      return callArgs.isEmpty() ? null : unsafe(callArgs.get(0).trim(), assigned, roots, depth + 1);
    }
    if (root.matches("[A-Za-z_]\\w*") && assigned.containsKey(root)) {
      return unsafe(assigned.get(root), assigned, roots, depth + 1);
    }
    return null;
  }

  private static String stripComment(String line) {
    boolean single = false;
    boolean dbl = false;
    for (int i = 0; i < line.length() - 1; i++) {
      char ch = line.charAt(i);
      if (ch == '\'' && !dbl) {
        single = !single;
      } else if (ch == '"' && !single) {
        dbl = !dbl;
      } else if (ch == '-' && line.charAt(i + 1) == '-' && !single && !dbl) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  /** The text from {@code start} up to the parenthesis that closes the one just before it. */
  private static String balanced(String s, int start) {
    int depth = 1;
    boolean single = false;
    boolean dbl = false;
    for (int i = start; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '\'' && !dbl) {
        single = !single;
      } else if (ch == '"' && !single) {
        dbl = !dbl;
      } else if (!single && !dbl) {
        if (ch == '(' || ch == '{' || ch == '[') {
          depth++;
        } else if (ch == ')' || ch == '}' || ch == ']') {
          depth--;
          if (depth == 0) {
            return s.substring(start, i);
          }
        }
      }
    }
    return s.substring(start);
  }

  private static List<String> splitTopLevel(String s) {
    return split(s, ",");
  }

  private static List<String> splitConcat(String s) {
    return split(s, "..");
  }

  private static List<String> split(String s, String sep) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    boolean single = false;
    boolean dbl = false;
    int from = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '\'' && !dbl) {
        single = !single;
      } else if (ch == '"' && !single) {
        dbl = !dbl;
      } else if (!single && !dbl) {
        if (ch == '(' || ch == '{' || ch == '[') {
          depth++;
        } else if (ch == ')' || ch == '}' || ch == ']') {
          depth--;
        } else if (depth == 0 && s.startsWith(sep, i)) {
          out.add(s.substring(from, i));
          from = i + sep.length();
          i += sep.length() - 1;
        }
      }
    }
    if (from < s.length() || !out.isEmpty()) {
      out.add(s.substring(from));
    }
    return out.stream().filter(a -> !a.isBlank()).toList();
  }
}
