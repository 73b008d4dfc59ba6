package org.relais.tests.browser;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rules of the client's source that a browser test would only catch by luck: user content never goes through an
 * HTML parser, no code is made from strings, no inline script or style, and every string key used exists in both
 * languages.
 */
class ClientSourceTest {
  private static final Path WEBROOT = Path.of("..", "webroot");
  private static final Pattern FORBIDDEN = Pattern.compile(
      "innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML|document\\.write|\\beval\\(|new Function\\(");

  private static List<Path> sources(String ext) throws IOException {
    try (Stream<Path> walk = Files.walk(WEBROOT.resolve("app"))) {
      List<Path> out = new ArrayList<>(walk.filter(p -> p.toString().endsWith(ext)).toList());
      if (ext.equals(".js")) {
        out.add(WEBROOT.resolve("sw.js"));
      }
      return out;
    }
  }

  @Test
  @DisplayName("no HTML parsing of strings, no code from strings, anywhere in the client")
  void noHtmlSinks() throws IOException {
    List<String> hits = new ArrayList<>();
    for (Path p : sources(".js")) {
      String[] lines = Files.readString(p, StandardCharsets.UTF_8).split("\n");
      for (int i = 0; i < lines.length; i++) {
        if (FORBIDDEN.matcher(lines[i]).find() && !lines[i].strip().startsWith("//")) {
          hits.add(p + ":" + (i + 1) + ": " + lines[i].strip());
        }
      }
    }
    assertThat(hits).isEmpty();
  }

  @Test
  @DisplayName("index.html has no inline script or style: the CSP needs no 'unsafe-inline'")
  void noInline() throws IOException {
    String index = Files.readString(WEBROOT.resolve("index.html"), StandardCharsets.UTF_8);
    Matcher scripts = Pattern.compile("<script([^>]*)>(.*?)</script>", Pattern.DOTALL).matcher(index);
    while (scripts.find()) {
      assertThat(scripts.group(1)).as("every script is a file").contains("src=");
      assertThat(scripts.group(2)).as("and has no inline body").isBlank();
    }
    assertThat(index).doesNotContain("<style").doesNotContain(" style=").doesNotContain(" onclick=");
  }

  @Test
  @DisplayName("every string key the client uses is in the English and the French catalogues")
  void catalogueComplete() throws IOException {
    StringBuilder catalogues = new StringBuilder();
    for (Path p : sources(".js")) {
      if (p.getParent().getFileName().toString().equals("i18n")) {
        catalogues.append(Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    String all = catalogues.toString();
    int fr = all.indexOf("fr: {");
    assertThat(fr).isPositive();
    List<String> missing = new ArrayList<>();
    Pattern use = Pattern.compile("\\bt\\('([a-zA-Z0-9_.-]+)'");
    for (Path p : sources(".js")) {
      Matcher m = use.matcher(Files.readString(p, StandardCharsets.UTF_8));
      while (m.find()) {
        String key = m.group(1);
        if (key.endsWith(".")) {
          // A key made at run time (t('cal.kind.' + kind)): at least one key with that prefix must exist.
          if (!all.contains("'" + key)) {
            missing.add(p.getFileName() + ": " + key + "*");
          }
          continue;
        }
        String quoted = "'" + key + "'";
        boolean plural = all.contains("'" + key + ".other'");
        if (!all.contains(quoted) && !plural) {
          missing.add(p.getFileName() + ": " + key);
        }
      }
    }
    assertThat(missing).as("keys used but in no catalogue").isEmpty();
    // Each catalogue file has as many keys in French as in English.
    for (Path p : sources(".js")) {
      if (!p.getParent().getFileName().toString().equals("i18n")) {
        continue;
      }
      String text = Files.readString(p, StandardCharsets.UTF_8);
      int split = text.indexOf("\n  fr: {");
      assertThat(split).as(p + " has an fr section").isPositive();
      long en = Pattern.compile("^\\s+'[^']+':", Pattern.MULTILINE).matcher(text.substring(0, split)).results().count();
      long frCount = Pattern.compile("^\\s+'[^']+':", Pattern.MULTILINE).matcher(text.substring(split)).results().count();
      assertThat(frCount).as(p + ": French keys = English keys").isEqualTo(en);
    }
  }
}
