package org.relais.tests.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.relais.tests.server.TestServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * A real headless Chromium (Debian's {@code /usr/bin/chromium}, or {@code RELAIS_CHROMIUM}) driven by Playwright,
 * against a real server on a real Redis. One per test class; each person gets their own browser context (their
 * own cookies, storage, language and time zone), as two people on two machines.
 *
 * <p>Without a Chromium the tests are skipped, except under CI ({@code CI=true}), where {@code .ci/run} installs it
 * and a missing browser fails the build.
 */
public final class Browsers implements AutoCloseable {
  public static final Path SCREENSHOTS = Paths.get(System.getProperty("relais.screenshots", "target/screenshots"));
  public final TestServer server;
  private final Playwright playwright;
  private final Browser browser;

  private Browsers(TestServer server, Playwright playwright, Browser browser) {
    this.server = server;
    this.playwright = playwright;
    this.browser = browser;
  }

  public static Path chromium() {
    String configured = System.getenv("RELAIS_CHROMIUM");
    Path path = Paths.get(configured != null && !configured.isBlank() ? configured : "/usr/bin/chromium");
    if (!Files.isExecutable(path)) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException("No Chromium at " + path + ": .ci/run installs Debian's chromium");
      }
      Assumptions.abort("No Chromium at " + path + " (apt-get install chromium, or set RELAIS_CHROMIUM)");
    }
    return path;
  }

  public static Browsers start() {
    return start(TestServer.start());
  }

  public static Browsers start(TestServer server) {
    Path chromium;
    try {
      chromium = chromium();
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
    // assertThat(locator) waits 5 s by default: not always enough on a loaded two-core machine
    com.microsoft.playwright.assertions.PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
    Playwright playwright = Playwright.create();
    Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(chromium)
        .setHeadless(true)
        .setArgs(List.of("--no-sandbox", "--disable-dev-shm-usage")));
    return new Browsers(server, playwright, browser);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.port;
  }

  /** A new browser context: a person on their own machine, with a language and a time zone. */
  public BrowserContext context(String locale, String timeZone) {
    return browser.newContext(new Browser.NewContextOptions()
        .setBaseURL(baseUrl())
        .setLocale(locale)
        .setTimezoneId(timeZone)
        .setViewportSize(1280, 800));
  }

  /** A phone-sized context (360 px wide). */
  public BrowserContext phone(String locale, String timeZone) {
    return browser.newContext(new Browser.NewContextOptions()
        .setBaseURL(baseUrl())
        .setLocale(locale)
        .setTimezoneId(timeZone)
        .setViewportSize(360, 740)
        .setIsMobile(true)
        .setHasTouch(true));
  }

  /**
   * Opens the client and signs in through the form; returns when the shell is shown. Signed in, the client speaks
   * the person's own language: it is set first to the browser's, as if they had chosen it (see ShellBrowserTest).
   */
  public Page signIn(BrowserContext context, String email, String password) {
    Page page = context.newPage();
    page.navigate("/");
    String language = ((String) page.evaluate("() => navigator.language")).startsWith("fr") ? "fr" : "en";
    server.okOp(server.login(email, password).getString("accessToken"), "user.update", new JsonObject().put("locale", language));
    page.locator("input[name=email]").fill(email);
    page.locator("input[name=password]").fill(password);
    page.locator("form button[type=submit]").click();
    page.locator("header.top").waitFor();
    return page;
  }

  /** A user with the test password, in a new organisation or the given one: the login reply ({@code user.email}). */
  public JsonObject person(String orgId, String displayName, String... roles) {
    return server.createUser(server.adminToken(), orgId, displayName, roles);
  }

  /** Saves a full-page screenshot as a test artefact: server/target/screenshots/NAME.png. */
  public static void screenshot(Page page, String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
  }

  /** Retries a check for up to 10 s (for what the server learns a moment after the page shows it). */
  public static void eventually(Runnable check) {
    long end = System.nanoTime() + 10_000_000_000L;
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > end) {
          throw e;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException x) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  @Override
  public void close() {
    try {
      browser.close();
      playwright.close();
    } finally {
      server.close();
    }
  }
}
