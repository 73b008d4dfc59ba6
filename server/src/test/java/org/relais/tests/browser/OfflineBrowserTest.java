package org.relais.tests.browser;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.tests.server.TestServer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A browser that goes offline while messages are sent to it and by it: back online, every message appears once and
 * in order on both sides (the client resumes its socket and sends its queued messages with their clientMsgId).
 *
 * <p>Playwright's {@code setOffline(true)} makes {@code navigator.onLine} false and fires the page's
 * {@code offline} event, but (checked here, see the log line) it does not by itself close an open WebSocket. The
 * client treats the {@code offline} event as the loss of its socket (lib/api.js): it closes it and stops using it at
 * once, so nothing goes through that socket while offline, and the {@code online} event reconnects. This is the
 * client's own behaviour, not a test hook; the test checks that the socket really closed.
 */
class OfflineBrowserTest {
  private static Browsers b;

  @BeforeAll
  static void start() {
    b = Browsers.start();
  }

  @AfterAll
  static void stop() {
    if (b != null) {
      b.close();
    }
  }

  static List<String> texts(Page page) {
    return page.locator("main .conv-main .msg-list > li[data-testid=message] [data-testid=message-text], "
        + "main .conv-main .msg-list > li[data-testid=pending-message] [data-testid=message-text]").allInnerTexts();
  }

  static void send(Page page, String text) {
    Locator composer = page.getByTestId("composer");
    composer.fill(text);
    composer.press("Enter");
  }

  static void waitForTexts(Page page, List<String> expected) {
    long deadline = System.currentTimeMillis() + 20_000;
    List<String> seen = texts(page);
    while (!seen.equals(expected) && System.currentTimeMillis() < deadline) {
      page.waitForTimeout(100);
      seen = texts(page);
    }
    assertThat(seen).as("the messages shown, in order").containsExactlyElementsOf(expected);
    assertThat(page.getByTestId("pending-message")).hasCount(0);
  }

  @Test
  @DisplayName("offline while messages are sent to it and by it; back online, each message appears once, in order, on both sides")
  void offlineAndBack() {
    String org = b.server.createOrg(b.server.adminToken(), "Offline Org " + System.nanoTime(), "ML");
    JsonObject awa = b.person(org, "Awa Diallo");
    JsonObject ben = b.person(org, "Ben Keïta");
    String dm = b.server.okOp(awa.getString("accessToken"), "dm.open",
        new JsonObject().put("userIds", new JsonArray().add(ben.getJsonObject("user").getString("id"))))
        .getJsonObject("channel").getString("id");
    try (BrowserContext ca = b.context("en-GB", "Africa/Bamako"); BrowserContext cb = b.context("en-GB", "Africa/Bamako")) {
      Page a = b.signIn(ca, awa.getJsonObject("user").getString("email"), TestServer.PASSWORD);
      List<String> socketEvents = new CopyOnWriteArrayList<>();
      a.onWebSocket(ws -> {
        socketEvents.add("open " + ws.url());
        ws.onClose(w -> socketEvents.add("close"));
      });
      Page p = b.signIn(cb, ben.getJsonObject("user").getString("email"), TestServer.PASSWORD);
      a.navigate("/#/c/" + dm);
      a.reload(); // the socket opened at sign-in predates the listener: open it again in its view
      p.navigate("/#/c/" + dm);
      assertThat(a.locator("main h1")).containsText("Ben Keïta");
      assertThat(p.locator("main h1")).containsText("Awa Diallo");
      send(a, "a0 before");
      // another browser, another socket (maybe another event loop): b0 is sent once a0 is stored, for the order below
      waitForTexts(a, List.of("a0 before"));
      send(p, "b0 before");
      List<String> before = List.of("a0 before", "b0 before");
      waitForTexts(a, before);
      waitForTexts(p, before);

      // Does Playwright's offline emulation close an open WebSocket by itself? A socket the client does not manage
      // tells (logged, not asserted: it is Chromium's behaviour, not ours).
      a.evaluate("() => new Promise((ok) => { const s = new WebSocket(location.origin.replace('http', 'ws') + '/ws');"
          + " window.__probe = s; s.onopen = () => ok(); s.onerror = () => ok(); })");
      ca.setOffline(true);
      a.waitForTimeout(1000);
      System.out.println("A WebSocket not managed by the client, 1 s after setOffline(true): readyState "
          + a.evaluate("() => window.__probe.readyState") + " (1 = still open, 3 = closed)");
      assertThat(a.getByTestId("connection-banner")).isVisible();
      long t0 = System.currentTimeMillis();
      while (!socketEvents.contains("close") && System.currentTimeMillis() - t0 < 5_000) {
        a.waitForTimeout(50);
      }
      System.out.println("WebSocket events of the offline page: " + socketEvents);
      assertThat(socketEvents).as("the client closed its socket on the offline event").contains("close");

      // while A is offline: B writes to A, A writes to B (shown at once as pending)
      send(p, "b1 while A offline");
      send(p, "b2 while A offline");
      send(a, "a1 written offline");
      send(a, "a2 written offline");
      assertThat(a.getByTestId("pending-message")).hasCount(2);
      assertThat(a.getByTestId("pending-message").first()).containsText("Waiting for the connection");
      waitForTexts(p, List.of("a0 before", "b0 before", "b1 while A offline", "b2 while A offline"));
      a.waitForTimeout(1500); // long enough for an unwanted send to have gone through, were the socket still used
      assertThat(texts(p)).doesNotContain("a1 written offline");
      assertThat(texts(a)).containsExactly("a0 before", "b0 before", "a1 written offline", "a2 written offline");

      ca.setOffline(false);
      List<String> all = List.of("a0 before", "b0 before", "b1 while A offline", "b2 while A offline",
          "a1 written offline", "a2 written offline");
      waitForTexts(a, all);
      waitForTexts(p, all);
      assertThat(a.getByTestId("connection-banner")).hasCount(0,
          new LocatorAssertions.HasCountOptions().setTimeout(10_000));

      // the server holds each message once, in that order
      JsonArray history = b.server.okOp(ben.getString("accessToken"), "message.history",
          new JsonObject().put("channelId", dm)).getJsonArray("messages");
      List<String> stored = new ArrayList<>();
      for (Object o : history) {
        stored.add(((JsonObject) o).getString("text"));
      }
      assertThat(stored).containsExactlyElementsOf(all);

      // a reload with a message still waiting sends it once, with its clientMsgId (kept in the tab's storage)
      ca.setOffline(true);
      assertThat(a.getByTestId("connection-banner")).isVisible();
      send(a, "a3 queued then reloaded");
      assertThat(a.getByTestId("pending-message")).hasCount(1);
      ca.setOffline(false);
      a.reload();
      List<String> after = new ArrayList<>(all);
      after.add("a3 queued then reloaded");
      waitForTexts(a, after);
      waitForTexts(p, after);
    }
  }
}
