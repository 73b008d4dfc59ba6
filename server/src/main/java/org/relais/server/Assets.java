package org.relais.server;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;
import org.relais.core.Ids;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The browser client, read once at start-up and served from memory.
 *
 * <p>Every file of the web root is kept with its gzip form, so a slow link gets the compressed bytes without the
 * server compressing on each request, and only files that exist can ever be served (no path is resolved on disk at
 * request time). The whole client gets one version, a hash of all its files: {@code index.html} and {@code sw.js}
 * name the other files under {@code /v/<version>/}, which are cached for a year ({@code immutable}), while those two
 * are always revalidated. A deploy therefore changes the version and the browser fetches each file once more.
 *
 * <p>In {@code index.html} and {@code sw.js}, {@code __RELAIS_V__} is replaced by {@code /v/<version>} and, in
 * {@code sw.js}, {@code __RELAIS_SHELL__} by the JSON list of the files the service worker keeps for offline use.
 */
final class Assets {
  static final String VERSION_MARK = "__RELAIS_V__";
  static final String SHELL_MARK = "__RELAIS_SHELL__";
  private static final List<String> UNVERSIONED = List.of("index.html", "sw.js", "manifest.webmanifest");

  record Asset(String path, String contentType, byte[] raw, byte[] gzip, String etag) {
  }

  private final String version;
  private final Map<String, Asset> files;

  private Assets(String version, Map<String, Asset> files) {
    this.version = version;
    this.files = files;
  }

  /** Reads the web root: the directory if it exists, else the copy packed in the jar. Blocking: call at start-up. */
  static Assets load(String webroot) {
    Map<String, byte[]> raw = new TreeMap<>();
    Path dir = Path.of(webroot);
    if (Files.isDirectory(dir)) {
      readTree(dir, raw);
    } else {
      URL url = Assets.class.getClassLoader().getResource("webroot/index.html");
      if (url == null) {
        return new Assets("none", Map.of());
      }
      try {
        URI uri = url.toURI();
        if ("jar".equals(uri.getScheme())) {
          try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
            readTree(fs.getPath("/webroot"), raw);
          }
        } else {
          readTree(Path.of(uri).getParent(), raw);
        }
      } catch (IOException | URISyntaxException e) {
        throw new IllegalStateException("Cannot read the web client inside the jar", e);
      }
    }
    StringBuilder all = new StringBuilder();
    raw.forEach((path, bytes) -> all.append(path).append('\0').append(Ids.sha256Hex(bytes)).append('\n'));
    String version = Ids.sha256Hex(all.toString()).substring(0, 12);
    String prefix = "/v/" + version;
    JsonArray shell = new JsonArray();
    raw.keySet().stream().filter(Assets::inShell).forEach(p -> shell.add(prefix + "/" + p));
    Map<String, Asset> files = new TreeMap<>();
    raw.forEach((path, bytes) -> {
      if (UNVERSIONED.contains(path)) {
        String text = new String(bytes, StandardCharsets.UTF_8)
            .replace(SHELL_MARK, shell.encode())
            .replace(VERSION_MARK, prefix);
        bytes = text.getBytes(StandardCharsets.UTF_8);
      }
      files.put(path, new Asset(path, contentType(path), bytes, gzip(bytes), "\"" + Ids.sha256Hex(bytes).substring(0, 20) + "\""));
    });
    return new Assets(version, Collections.unmodifiableMap(files));
  }

  String version() {
    return version;
  }

  Asset get(String path) {
    return files.get(path);
  }

  Map<String, Asset> all() {
    return files;
  }

  /**
   * Serves {@code /}, {@code /v/<version>/path} and {@code /path}. Unknown paths go to the next handler (a 404).
   */
  void handle(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      ctx.next();
      return;
    }
    String path = ctx.normalizedPath();
    boolean immutable = false;
    if (path.startsWith("/v/")) {
      int slash = path.indexOf('/', 3);
      if (slash < 0) {
        ctx.next();
        return;
      }
      // An old version's file is served as it is now, but not kept: the next page load asks again.
      immutable = path.substring(3, slash).equals(version);
      path = path.substring(slash);
    }
    String name = path.equals("/") ? "index.html" : path.substring(1);
    Asset asset = files.get(name);
    if (asset == null) {
      ctx.next();
      return;
    }
    var response = ctx.response();
    response.putHeader(HttpHeaders.CONTENT_TYPE, asset.contentType());
    response.putHeader(HttpHeaders.ETAG, asset.etag());
    response.putHeader(HttpHeaders.VARY, "Accept-Encoding");
    response.putHeader(HttpHeaders.CACHE_CONTROL, immutable && !UNVERSIONED.contains(name)
        ? "public, max-age=31536000, immutable" : "no-cache");
    if (name.equals("sw.js")) {
      response.putHeader("Service-Worker-Allowed", "/");
    }
    if (asset.etag().equals(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
      response.setStatusCode(304).end();
      return;
    }
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT_ENCODING);
    byte[] body = asset.raw();
    if (asset.gzip() != null && accept != null && accept.contains("gzip")) {
      body = asset.gzip();
      response.putHeader(HttpHeaders.CONTENT_ENCODING, "gzip");
    }
    if (method == HttpMethod.HEAD) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(body.length)).end();
    } else {
      response.end(Buffer.buffer(body));
    }
  }

  private static boolean inShell(String path) {
    return !UNVERSIONED.contains(path) && !path.startsWith("screenshots/")
        && (path.endsWith(".js") || path.endsWith(".mjs") || path.endsWith(".css") || path.endsWith(".svg")
            || path.endsWith(".png"));
  }

  private static void readTree(Path root, Map<String, byte[]> into) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile).forEach(p -> {
        String rel = root.relativize(p).toString().replace('\\', '/');
        boolean hidden = false;
        for (String part : rel.split("/")) {
          hidden |= part.startsWith(".");
        }
        if (hidden || rel.endsWith(".md")) {
          return;
        }
        try {
          into.put(rel, Files.readAllBytes(p));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] gzip(byte[] raw) {
    if (raw.length < 256) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 3);
    try (GZIPOutputStream gz = new GZIPOutputStream(out) {
      {
        def.setLevel(Deflater.BEST_COMPRESSION);
      }
    }) {
      gz.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] zipped = out.toByteArray();
    return zipped.length < raw.length ? zipped : null;
  }

  static String contentType(String path) {
    String ext = path.contains(".") ? path.substring(path.lastIndexOf('.') + 1) : "";
    return switch (ext) {
      case "html" -> "text/html; charset=utf-8";
      case "js", "mjs" -> "text/javascript; charset=utf-8";
      case "css" -> "text/css; charset=utf-8";
      case "svg" -> "image/svg+xml";
      case "png" -> "image/png";
      case "ico" -> "image/x-icon";
      case "json" -> "application/json";
      case "webmanifest" -> "application/manifest+json";
      default -> "text/plain; charset=utf-8";
    };
  }
}
