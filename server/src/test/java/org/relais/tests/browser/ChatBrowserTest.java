package org.relais.tests.browser;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.LoadState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.tests.server.TestServer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat screens in a real Chromium, two people in two browser contexts: live messages with badges, presence,
 * typing, mentions, threads and reactions; a partnership channel appearing when a request is accepted; the
 * first screen after sign-in within the first-load budget; a screenshot of each chat screen.
 */
class ChatBrowserTest {
  private static Browsers b;

  @BeforeAll
  static void start() {
    // One second of presence grace (default 5 s): a closed browser shows offline sooner.
    b = Browsers.start(TestServer.start(Map.of("RELAIS_PRESENCE_GRACE_SECONDS", "1")));
  }

  @AfterAll
  static void stop() {
    if (b != null) {
      b.close();
    }
  }

  static String token(JsonObject login) {
    return login.getString("accessToken");
  }

  static String id(JsonObject login) {
    return login.getJsonObject("user").getString("id");
  }

  static String email(JsonObject login) {
    return login.getJsonObject("user").getString("email");
  }

  static Locator sidebarItem(Page page, String channelId) {
    return page.locator("#sidebar [data-channel='" + channelId + "']");
  }

  static List<String> texts(Page page) {
    return page.locator("main .msg-list > li[data-testid=message] [data-testid=message-text], "
        + "main .msg-list > li[data-testid=pending-message] [data-testid=message-text]").allInnerTexts();
  }

  @Test
  @DisplayName("two people: a message arrives live with the unread and mention badges, typing shows, threads and reactions, presence changes")
  void liveConversation() {
    String org = b.server.createOrg(b.server.adminToken(), "Chat Org " + System.nanoTime(), "ML");
    JsonObject awa = b.person(org, "Awa Diallo");
    JsonObject ben = b.person(org, "Ben Keïta");
    String room = b.server.okOp(token(awa), "channel.create", new JsonObject().put("name", "Médiation Mopti")
        .put("kind", "thematic").put("topic", "Dialogues intercommunautaires")
        .put("memberIds", new JsonArray().add(id(ben)))).getJsonObject("channel").getString("id");
    String dm = b.server.okOp(token(awa), "dm.open", new JsonObject().put("userIds", new JsonArray().add(id(ben))))
        .getJsonObject("channel").getString("id");

    try (BrowserContext ca = b.context("en-GB", "Africa/Bamako"); BrowserContext cb = b.context("fr-FR", "Africa/Bamako")) {
      Page a = b.signIn(ca, email(awa), TestServer.PASSWORD);
      assertThat(sidebarItem(a, room)).containsText("Médiation Mopti");
      assertThat(sidebarItem(a, dm)).containsText("Ben Keïta");
      Page p = b.signIn(cb, email(ben), TestServer.PASSWORD);
      assertThat(sidebarItem(p, dm)).containsText("Awa Diallo");
      // Ben connected: Awa's dot for him turns online (presence.changed), his for her is online (presence.get)
      assertThat(sidebarItem(a, dm).locator(".dot")).hasAttribute("data-status", "online");
      assertThat(sidebarItem(p, dm).locator(".dot")).hasAttribute("data-status", "online");

      // Awa writes in the channel, with a mention chosen from the autocomplete
      sidebarItem(a, room).click();
      assertThat(a.locator("main h1")).containsText("Médiation Mopti");
      Locator composer = a.getByTestId("composer");
      composer.pressSequentially("Bonjour @Be", new Locator.PressSequentiallyOptions().setDelay(20));
      assertThat(a.getByRole(AriaRole.OPTION)).containsText("Ben Keïta");
      composer.press("Enter");
      composer.pressSequentially("la **réunion** est demain, voir https://example.org/agenda.");
      composer.press("Enter");
      assertThat(a.locator("main [data-testid=message] [data-testid=message-text]").last())
          .hasText("Bonjour @Ben Keïta la réunion est demain, voir https://example.org/agenda.");
      assertThat(a.locator("main [data-testid=message] strong")).hasText("réunion");
      assertThat(a.locator("main [data-testid=message] a[href='https://example.org/agenda']")).hasAttribute("rel", "noopener noreferrer");

      // Ben, on the home screen, sees the badges live
      assertThat(sidebarItem(p, room).getByTestId("unread-badge")).hasText("1");
      assertThat(sidebarItem(p, room).getByTestId("mention-badge")).hasText("@1");
      Browsers.screenshot(p, "10-sidebar-badges-fr");
      sidebarItem(p, room).click();
      assertThat(p.locator("main [data-testid=message-text]").last()).containsText("Bonjour @Ben Keïta la réunion est demain");
      assertThat(p.locator("main .mention.me")).hasText("@Ben Keïta");
      // reading it clears the badges, on the server too
      assertThat(sidebarItem(p, room).getByTestId("unread-badge")).hasCount(0);
      long unread = waitForUnread(token(ben), room, 0);
      assertThat(unread).isZero();

      // typing shows on the other side
      // typing.start is sent at most every 2.5 s (the server's throttle): type for a little longer than that
      a.getByTestId("composer").pressSequentially("Merci bien", new Locator.PressSequentiallyOptions().setDelay(300));
      assertThat(p.locator("main [data-testid=typing]")).containsText("Awa Diallo écrit");
      // the last typing.start went out while the last letters were typed: let it reach Ben first, or, arriving
      // after the message, it would light the indicator again for 6 s
      a.waitForTimeout(1_500);
      a.getByTestId("composer").press("Enter");
      assertThat(p.locator("main [data-testid=message-text]").last()).hasText("Merci bien");
      // cleared by the message itself (shown now), not seconds later by the indicator's own 6 s expiry
      assertThat(p.locator("main [data-testid=typing]")).hasText("",
          new LocatorAssertions.HasTextOptions().setTimeout(1_000));

      // Ben replies in a thread under the first message, and reacts to it
      Locator first = p.locator("main [data-testid=message]").first();
      first.hover();
      first.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Répondre dans un fil")).click();
      assertThat(p.getByTestId("thread")).isVisible();
      p.getByTestId("thread").getByTestId("composer").fill("Je serai là à 9 h.");
      p.getByTestId("thread").getByTestId("composer").press("Enter");
      assertThat(p.getByTestId("thread").locator("[data-testid=message] [data-testid=message-text]").last()).hasText("Je serai là à 9 h.");
      first.hover();
      first.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Réagir")).first().click();
      first.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("👍")).click();
      // Awa sees the reply count and the reaction live
      Locator awaFirst = a.locator("main .conv-main [data-testid=message]").first();
      assertThat(awaFirst.locator(".replies")).hasText("1 reply");
      assertThat(awaFirst.locator(".reaction")).hasText("👍 1");
      // Awa edits her last message: Ben sees the new text
      Locator last = a.locator("main .conv-main [data-testid=message]").last();
      last.hover();
      last.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Edit")).click();
      last.locator("textarea").fill("Merci à tous");
      last.locator("textarea").press("Enter");
      assertThat(p.locator("main .conv-main [data-testid=message-text]").last()).hasText("Merci à tous");
      assertThat(p.locator("main .conv-main [data-testid=message]").last().locator(".edited")).hasText("(modifié)");
      Browsers.screenshot(a, "11-conversation-en");
      Browsers.screenshot(p, "12-thread-fr");

      // presence: away (chosen by Ben), then offline when his browser closes
      b.server.okOp(token(ben), "presence.set", new JsonObject().put("status", "away"));
      assertThat(sidebarItem(a, dm).locator(".dot")).hasAttribute("data-status", "away");
      cb.close();
      assertThat(sidebarItem(a, dm).locator(".dot")).hasAttribute("data-status", "offline",
          new LocatorAssertions.HasAttributeOptions().setTimeout(15_000));
    }
  }

  private long waitForUnread(String token, String channelId, long expected) {
    long deadline = System.currentTimeMillis() + 5_000;
    long unread = -1;
    while (System.currentTimeMillis() < deadline) {
      JsonArray list = b.server.okOp(token, "channel.list", new JsonObject()).getJsonArray("channels");
      for (Object o : list) {
        JsonObject c = (JsonObject) o;
        if (c.getString("id").equals(channelId)) {
          unread = c.getLong("unreadCount");
        }
      }
      if (unread == expected) {
        return unread;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return unread;
      }
    }
    return unread;
  }

  @Test
  @DisplayName("an accepted partnership request makes its channel appear in both sides' sidebars, live")
  void partnershipChannelAppears() {
    String admin = b.server.adminToken();
    String orgA = b.server.okOp(admin, "org.create", new JsonObject().put("name", "West Africa Network Mali")
        .put("shortName", "WANEP-ML" + (System.nanoTime() % 1000)).put("country", "ML").put("kind", "civil-society"))
        .getJsonObject("org").getString("id");
    String orgB = b.server.okOp(admin, "org.create", new JsonObject().put("name", "UN Women Senegal")
        .put("shortName", "UNW-SN" + (System.nanoTime() % 1000)).put("country", "SN").put("kind", "un-agency"))
        .getJsonObject("org").getString("id");
    JsonObject aminata = b.person(orgA, "Aminata Traoré", "member", "coordinator", "org-admin");
    JsonObject sarah = b.person(orgB, "Sarah Johnson", "member", "coordinator", "org-admin");
    try (BrowserContext ca = b.context("fr-FR", "Africa/Bamako"); BrowserContext cb = b.context("en-GB", "Africa/Dakar")) {
      Page a = b.signIn(ca, email(aminata), TestServer.PASSWORD);
      Page s = b.signIn(cb, email(sarah), TestServer.PASSWORD);
      assertThat(a.locator("#sidebar [data-kind=partnership]")).hasCount(0);
      assertThat(s.locator("#sidebar [data-kind=partnership]")).hasCount(0);
      JsonObject request = b.server.okOp(token(aminata), "partnership.request", new JsonObject().put("toOrgId", orgB)
          .put("purpose", "Formation conjointe des médiatrices à Mopti").put("themes", new JsonArray().add("mediation"))
          .put("focalPoints", new JsonObject().put("from", new JsonArray().add(id(aminata)))))
          .getJsonObject("request");
      JsonObject accepted = b.server.okOp(token(sarah), "partnership.accept",
          new JsonObject().put("requestId", request.getString("id"))).getJsonObject("request");
      String channelId = accepted.getString("channelId");
      assertThat(channelId).isNotNull();
      assertThat(sidebarItem(a, channelId)).containsText("×");
      assertThat(sidebarItem(s, channelId)).containsText("×");
      assertThat(sidebarItem(a, channelId)).hasAttribute("data-kind", "partnership");
      // and it works as a conversation for both
      sidebarItem(s, channelId).click();
      s.getByTestId("composer").fill("Welcome to our partnership channel");
      s.getByTestId("composer").press("Enter");
      assertThat(sidebarItem(a, channelId).getByTestId("unread-badge")).hasText("1");
    }
  }

  @Test
  @DisplayName("screenshots: channels browse, directory, and a conversation on a 360 px phone")
  void screens() {
    String org = b.server.createOrg(b.server.adminToken(), "Screens Org " + System.nanoTime(), "SN");
    JsonObject fatou = b.person(org, "Fatou Sarr", "member", "coordinator");
    JsonObject ingrid = b.person(org, "Ingrid Larsen");
    b.server.okOp(token(ingrid), "user.update", new JsonObject().put("timeZone", "Europe/Oslo").put("title", "Adviser"));
    String room = b.server.okOp(token(fatou), "channel.create", new JsonObject().put("name", "Sécurité numérique")
        .put("kind", "thematic").put("topic", "Outils et pratiques").put("memberIds", new JsonArray().add(id(ingrid))))
        .getJsonObject("channel").getString("id");
    for (int i = 1; i <= 60; i++) {
      b.server.okOp(token(i % 2 == 0 ? fatou : ingrid), "message.send", new JsonObject().put("channelId", room)
          .put("clientMsgId", "seed-" + i).put("text", i == 60 ? "Code: `relais --demo` and\n```\nmvn -B verify\n```" : "Message " + i));
    }
    try (BrowserContext ctx = b.context("fr-FR", "Africa/Dakar")) {
      Page page = b.signIn(ctx, email(fatou), TestServer.PASSWORD);
      // history: the newest page first, older messages as the list is scrolled up
      sidebarItem(page, room).click();
      assertThat(page.locator("main [data-testid=message-text]").last()).containsText("mvn -B verify");
      assertThat(page.locator("main pre code")).hasText("mvn -B verify");
      assertThat(page.locator("main [data-seq='1']")).hasCount(0);
      page.locator("main .messages").evaluate("el => el.scrollTop = 0");
      page.waitForTimeout(300);
      page.locator("main .messages").evaluate("el => el.scrollTop = 0");
      assertThat(page.locator("main [data-seq='1']")).hasCount(1);
      assertThat(page.locator("main .start")).isVisible();
      List<String> all = texts(page);
      assertThat(all).hasSize(60);
      assertThat(all.get(0)).isEqualTo("Message 1");
      // a link to a message opens the conversation on it
      page.navigate("/#/c/" + room + "/30");
      assertThat(page.locator("main [data-seq='30'].highlight")).isVisible();

      page.navigate("/#/channels");
      assertThat(page.locator("main h1")).hasText("Canaux");
      assertThat(page.getByTestId("browse").locator("li").first()).isVisible();
      Browsers.screenshot(page, "13-channels-fr");
      // create a channel from the form, with Ingrid in it
      page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Nouveau canal")).click();
      page.getByLabel("Nom", new Page.GetByLabelOptions().setExact(true)).fill("Financement 2027");
      page.getByLabel("Canal sensible").check();
      page.locator(".create input[type=search]").fill("Ingr");
      page.getByRole(AriaRole.OPTION).filter(new Locator.FilterOptions().setHasText("Ingrid Larsen")).click();
      page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Créer le canal")).click();
      assertThat(page.locator("main h1")).containsText("Financement 2027");
      assertThat(page.locator("main .topic")).containsText("2 membres");
      assertThat(page.locator("#sidebar [data-testid=sidebar-channel]").filter(new Locator.FilterOptions().setHasText("Financement 2027"))).hasCount(1);

      page.navigate("/#/directory");
      assertThat(page.locator("main h1")).hasText("Annuaire");
      Locator person = page.getByTestId("person").filter(new Locator.FilterOptions().setHasText("Ingrid Larsen"));
      assertThat(person.getByTestId("local-time")).containsText("Europe/Oslo");
      Browsers.screenshot(page, "14-directory-fr");
      person.getByRole(AriaRole.BUTTON).click();
      assertThat(page.locator("main h1")).containsText("Ingrid Larsen");
    }
    try (BrowserContext phone = b.phone("fr-FR", "Africa/Dakar")) {
      Page page = b.signIn(phone, email(ingrid), TestServer.PASSWORD);
      page.navigate("/#/c/" + room);
      assertThat(page.locator("main [data-testid=message-text]").last()).containsText("mvn -B verify");
      Browsers.screenshot(page, "15-phone-conversation-fr");
    }
  }

  @Test
  @DisplayName("the first screen after sign-in (shell, sidebar, home) stays within the first-load budget")
  void firstScreenBudget() {
    String org = b.server.createOrg(b.server.adminToken(), "Budget Org " + System.nanoTime(), "ML");
    JsonObject awa = b.person(org, "Awa Budget");
    try (BrowserContext ctx = b.context("en-GB", "Europe/London")) {
      Page page = b.signIn(ctx, email(awa), TestServer.PASSWORD);
      assertThat(page.locator("main h1")).containsText("Welcome, Awa Budget");
      assertThat(page.locator("#sidebar .sb-empty").first()).hasText("No channels yet.");
      page.waitForLoadState(LoadState.NETWORKIDLE);
      JsonArray entries = new JsonArray((List<?>) page.evaluate("() => [...performance.getEntriesByType('navigation'),"
          + " ...performance.getEntriesByType('resource')].map(e => ({name: e.name, size: e.transferSize, type: e.initiatorType}))"));
      long total = 0;
      List<String> names = new ArrayList<>();
      for (Object o : entries) {
        @SuppressWarnings("unchecked")
        JsonObject e = o instanceof JsonObject j ? j : new JsonObject((Map<String, Object>) o);
        if ("fetch".equals(e.getString("type")) || "xmlhttprequest".equals(e.getString("type"))) {
          continue; // the sign-in call: not part of the page's HTML, JS and CSS
        }
        long size = e.getLong("size");
        if (size == 0) {
          // served by the service worker, which fetched it when it cached the shell: count its compressed size
          String path = java.net.URI.create(e.getString("name")).getRawPath();
          var r = TestServer.await(b.server.http.get(path).putHeader("Accept-Encoding", "gzip").send());
          size = r.body() == null ? 0 : r.body().length() + 200; // + about 200 bytes of response headers
        }
        total += size;
        names.add(e.getString("name") + " " + size);
      }
      System.out.println("First screen after sign-in: " + total + " bytes over " + names.size() + " requests\n  "
          + String.join("\n  ", names));
      assertThat(names).anyMatch(n -> n.contains("/app/views/home.js"));
      assertThat(names).anyMatch(n -> n.contains("/app/chat/store.js"));
      assertThat(total).as("first screen bytes, compressed").isLessThan(ShellBrowserTest.FIRST_LOAD_BUDGET_BYTES);
    }
  }
}
