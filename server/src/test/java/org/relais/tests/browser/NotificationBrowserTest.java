package org.relais.tests.browser;

import com.google.gson.JsonObject;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.CDPSession;
import com.microsoft.playwright.Page;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.tests.server.TestServer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/** The bell, the center, the service worker's Web Push and the settings' honest states, in a real Chromium. */
class NotificationBrowserTest {
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

  private static io.vertx.core.json.JsonObject vx() {
    return new io.vertx.core.json.JsonObject();
  }

  @Test
  @DisplayName("a mention shows live in the bell and the center; marking read updates the count")
  void mentionBellAndCenter() {
    String org = b.server.createOrg(b.server.adminToken(), "Notif Org " + System.nanoTime(), "ML");
    var aminata = b.person(org, "Aminata Traore");
    var moussa = b.person(org, "Moussa Keita");
    String moussaId = moussa.getJsonObject("user").getString("id");
    try (BrowserContext ctx = b.context("en-GB", "Africa/Bamako")) {
      Page page = b.signIn(ctx, moussa.getJsonObject("user").getString("email"), TestServer.PASSWORD);
      page.navigate("/#/settings");
      assertThat(page.locator("main h1")).hasText("Settings");
      assertThat(page.getByTestId("bell-count")).hasCount(0);

      String channelId = b.server.okOp(aminata.getString("accessToken"), "channel.create", vx().put("name", "Sahel")
          .put("kind", "regional").put("memberIds", new JsonArray().add(moussaId))).getJsonObject("channel").getString("id");
      assertThat(page.getByTestId("bell-count")).hasText("1");
      b.server.okOp(aminata.getString("accessToken"), "message.send", vx().put("channelId", channelId)
          .put("text", "<@" + moussaId + "> could you send the list of participants?").put("clientMsgId", "m1"));
      assertThat(page.getByTestId("bell-count")).hasText("2");
      assertThat(page.getByTestId("bell")).hasAttribute("aria-label", "Notifications, 2 unread");

      page.getByTestId("bell").click();
      var items = page.getByTestId("ntf-list").locator("li");
      assertThat(items).hasCount(2);
      assertThat(items.first()).containsText("Aminata Traore mentioned you in #Sahel");
      assertThat(items.first()).containsText("@Moussa Keita could you send the list of participants?");
      assertThat(items.first().locator("a")).hasAttribute("href", "#/c/" + channelId + "/1");
      assertThat(items.nth(1).locator("a")).hasAttribute("href", "#/c/" + channelId);
      Browsers.screenshot(page, "50-notification-center");

      items.first().getByRole(com.microsoft.playwright.options.AriaRole.BUTTON).click();
      assertThat(page.getByTestId("bell-count")).hasText("1");
      assertThat(items.first()).hasClass("read");
      Browsers.eventually(() -> assertThat(b.server.okOp(moussa.getString("accessToken"), "notification.list", vx())
          .getInteger("unreadCount")).isEqualTo(1));

      // Marked read elsewhere (another device): the count follows live.
      b.server.okOp(moussa.getString("accessToken"), "notification.markRead", vx().put("all", true));
      assertThat(page.getByTestId("bell-count")).hasCount(0);
      assertThat(page.getByTestId("ntf-count")).hasText("0 unread");
    }
  }

  @Test
  @DisplayName("the service worker shows a Web Push delivered through CDP, with the payload's title, body and url")
  @SuppressWarnings("unchecked")
  void serviceWorkerPush() {
    String org = b.server.createOrg(b.server.adminToken(), "Push Org " + System.nanoTime(), "NO");
    var ingrid = b.person(org, "Ingrid Larsen");
    try (BrowserContext ctx = b.context("en-GB", "Europe/Oslo")) {
      ctx.grantPermissions(List.of("notifications"), new BrowserContext.GrantPermissionsOptions().setOrigin(b.baseUrl()));
      Page page = b.signIn(ctx, ingrid.getJsonObject("user").getString("email"), TestServer.PASSWORD);
      page.evaluate("() => navigator.serviceWorker.ready.then(() => true)");

      CDPSession cdp = ctx.newCDPSession(page);
      AtomicReference<String> registrationId = new AtomicReference<>();
      cdp.on("ServiceWorker.workerRegistrationUpdated", e -> e.getAsJsonArray("registrations").forEach(r -> {
        JsonObject reg = r.getAsJsonObject();
        if (reg.get("scopeURL").getAsString().startsWith(b.baseUrl()) && !reg.get("isDeleted").getAsBoolean()) {
          registrationId.set(reg.get("registrationId").getAsString());
        }
      }));
      cdp.send("ServiceWorker.enable");
      // Playwright for Java delivers CDP events while it runs a call: wait through the page.
      for (int i = 0; i < 100 && registrationId.get() == null; i++) {
        page.waitForTimeout(100);
      }
      assertThat(registrationId.get()).as("the service worker's registration").isNotNull();

      // The payload as the server sends it (docs/PROTOCOL.md section 21).
      String payload = new io.vertx.core.json.JsonObject()
          .put("title", "Sarah Johnson mentioned you in #Oslo")
          .put("body", "Could you present the Mopti results?")
          .put("url", "/#/c/01M813PRK4TPGQJCBPF6KKB980/5")
          .put("tag", "01M813PRK4TPGQJCBPF6KKB980")
          .put("notificationId", "01M813RR9K75WT46D3RSQ7ZWTJ")
          .put("kind", "mention").encode();
      JsonObject push = new JsonObject();
      push.addProperty("origin", b.baseUrl());
      push.addProperty("registrationId", registrationId.get());
      push.addProperty("data", payload);
      cdp.send("ServiceWorker.deliverPushMessage", push);

      Browsers.eventually(() -> {
        Object shown = page.evaluate("() => navigator.serviceWorker.ready.then(r => r.getNotifications())"
            + ".then(ns => ns.map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url, id: n.data && n.data.notificationId})))");
        assertThat((List<?>) shown).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> n = (Map<String, Object>) ((List<?>) shown).get(0);
        assertThat(n).containsEntry("title", "Sarah Johnson mentioned you in #Oslo")
            .containsEntry("body", "Could you present the Mopti results?")
            .containsEntry("tag", "01M813PRK4TPGQJCBPF6KKB980")
            .containsEntry("url", "/#/c/01M813PRK4TPGQJCBPF6KKB980/5")
            .containsEntry("id", "01M813RR9K75WT46D3RSQ7ZWTJ");
      });

      // With no tab of Relais open, a summary of the same conversation replaces it (same tag): one notification.
      // (While a tab is visible and focused, a summary is not shown: the bell and the conversation show it live.)
      page.navigate("about:blank");
      push.addProperty("data", new io.vertx.core.json.JsonObject().put("title", "#Oslo").put("body", "3 new messages in #Oslo")
          .put("url", "/#/c/01M813PRK4TPGQJCBPF6KKB980/8").put("tag", "01M813PRK4TPGQJCBPF6KKB980").put("count", 3).encode());
      cdp.send("ServiceWorker.deliverPushMessage", push);
      // It must be handled before a tab of Relais opens again (that tab would be watching, and nothing shown). The
      // worker cannot be asked without a tab (Playwright for Java lists no service workers): a loaded machine's time.
      page.waitForTimeout(3_000);
      page.navigate("/");
      Browsers.eventually(() -> {
        Object shown = page.evaluate("() => navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.map(n => n.body))");
        assertThat((List<Object>) shown).containsExactly((Object) "3 new messages in #Oslo");
      });
      cdp.detach();
    }
  }

  @Test
  @DisplayName("settings say honestly when push cannot be had: blocked notifications, or a browser without a push service")
  void settingsStates() {
    String org = b.server.createOrg(b.server.adminToken(), "Settings Org " + System.nanoTime(), "SN");
    var fatou = b.person(org, "Fatou Sarr");
    String email = fatou.getJsonObject("user").getString("email");
    try (BrowserContext denied = b.context("en-GB", "Africa/Dakar")) {
      Page page = b.signIn(denied, email, TestServer.PASSWORD);
      page.navigate("/#/settings");
      var state = page.getByTestId("bn-state");
      assertThat(state).hasAttribute("data-state", "default");
      page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
          new Page.GetByRoleOptions().setName("Enable browser notifications")).click();
      // Headless Chromium answers the permission prompt with "denied".
      assertThat(state).hasAttribute("data-state", "denied");
      assertThat(state).containsText("blocked");
    }
    try (BrowserContext granted = b.context("en-GB", "Africa/Dakar")) {
      granted.grantPermissions(List.of("notifications"), new BrowserContext.GrantPermissionsOptions().setOrigin(b.baseUrl()));
      Page page = b.signIn(granted, email, TestServer.PASSWORD);
      page.navigate("/#/settings");
      var state = page.getByTestId("bn-state");
      assertThat(state).hasAttribute("data-state", "local-only");
      page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
          new Page.GetByRoleOptions().setName("Try to subscribe again")).click();
      // No push service offline: subscribe fails, and the screen says so instead of claiming success.
      assertThat(state).hasAttribute("data-state", "local-only", new com.microsoft.playwright.assertions.LocatorAssertions
          .HasAttributeOptions().setTimeout(20_000));
      assertThat(state).containsText("could not subscribe");
      assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
          new Page.GetByRoleOptions().setName("Try to subscribe again"))).isEnabled(
          new com.microsoft.playwright.assertions.LocatorAssertions.IsEnabledOptions().setTimeout(20_000));
      assertThat(b.server.okOp(fatou.getString("accessToken"), "notification.prefs.get", vx())).isNotNull();
      // The preferences form works: turn a kind off and set quiet hours.
      page.locator("input[name='kind-channel.invite']").uncheck();
      page.locator("input[name=quiet]").check();
      page.getByTestId("set-prefs").locator("button[type=submit]").click();
      assertThat(page.getByTestId("set-prefs").getByRole(com.microsoft.playwright.options.AriaRole.STATUS)).hasText("Saved.");
      var prefs = b.server.okOp(fatou.getString("accessToken"), "notification.prefs.get", vx()).getJsonObject("preferences");
      assertThat(prefs.getJsonObject("kinds").getBoolean("channel.invite")).isFalse();
      assertThat(prefs.getJsonObject("quietHours").getString("start")).isEqualTo("22:00");
      page.locator("main").evaluate("m => { m.scrollTop = 0; }");
      Browsers.screenshot(page, "51-settings");
      state.scrollIntoViewIfNeeded();
      Browsers.screenshot(page, "52-settings-browser-notifications");
    }
  }
}
