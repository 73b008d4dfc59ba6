package org.relais.tests.browser;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.tests.server.TestServer;

import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/** The calendar screens in a real Chromium: French dates, time zones across Oslo and Bamako, RSVP, the ICS link. */
class CalendarBrowserTest {
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

  /** A person whose profile zone is {@code zone}: the login reply. */
  static JsonObject personIn(String orgId, String name, String zone, String... roles) {
    JsonObject p = b.person(orgId, name, roles);
    b.server.okOp(p.getString("accessToken"), "user.update", new JsonObject().put("timeZone", zone));
    return p;
  }

  static String email(JsonObject p) {
    return p.getJsonObject("user").getString("email");
  }

  @Test
  @DisplayName("switching to French in the settings: the interface and the week's dates are in French; the ICS link is absolute")
  void frenchWeek() {
    String org = b.server.createOrg(b.server.adminToken(), "Cal FR " + System.nanoTime(), "SN");
    JsonObject awa = personIn(org, "Awa Ndiaye", "Africa/Dakar");
    try (BrowserContext ctx = b.context("en-GB", "Africa/Dakar")) {
      Page page = b.signIn(ctx, email(awa), TestServer.PASSWORD);
      page.navigate("/#/settings");
      assertThat(page.locator("main h1")).hasText("Settings");
      page.getByTestId("set-lang").selectOption("fr");
      assertThat(page.locator("main h1")).hasText("Paramètres");
      assertThat(page.locator("html")).hasAttribute("lang", "fr");
      // The profile keeps the choice.
      Browsers.eventually(() -> assertThat(b.server.okOp(awa.getString("accessToken"), "user.me", new JsonObject())
          .getJsonObject("user").getString("locale")).isEqualTo("fr"));
      Browsers.screenshot(page, "30-settings-fr");

      page.navigate("/#/calendar?view=week&d=2027-01-13");
      assertThat(page.locator("main h1")).hasText("Calendrier");
      assertThat(page.getByTestId("period")).hasText("Semaine du 11 janvier 2027");
      assertThat(page.getByTestId("week-day").first()).hasText("lundi 11 janvier");
      assertThat(page.getByTestId("week-day").nth(6)).hasText("dimanche 17 janvier");
      assertThat(page.getByTestId("view-week")).hasText("Semaine");

      page.getByTestId("feed-btn").click();
      Locator url = page.getByTestId("feed-url");
      assertThat(url).hasValue(Pattern.compile("^http://127\\.0\\.0\\.1:" + b.server.port + "/ical/[A-Za-z0-9_-]{43}\\.ics$"));
      String feed = url.inputValue().substring(b.baseUrl().length());
      assertThat(b.server.get(feed).statusCode()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("an event made in Oslo through the form shows at Bamako's time with Oslo's noted; the RSVP reaches the organiser live")
  void osloToBamako() {
    String admin = b.server.adminToken();
    String oslo = b.server.createOrg(admin, "MFA Norway " + System.nanoTime(), "NO");
    String mali = b.server.createOrg(admin, "WANEP Mali " + System.nanoTime(), "ML");
    String tag = Long.toString(System.nanoTime(), 36);
    JsonObject ingrid = personIn(oslo, "Ingrid Larsen", "Europe/Oslo", "member", "coordinator");
    JsonObject aminata = personIn(mali, "Aminata Traore " + tag, "Africa/Bamako");
    try (BrowserContext osloCtx = b.context("en-GB", "Europe/Oslo");
         BrowserContext bamakoCtx = b.context("fr-FR", "Africa/Bamako")) {
      Page ip = b.signIn(osloCtx, email(ingrid), TestServer.PASSWORD);
      ip.navigate("/#/calendar?new=1");
      Locator form = ip.getByTestId("event-form");
      assertThat(form.locator("select[name=zone]")).hasValue("Europe/Oslo");
      form.locator("input[name=title]").fill("Co-chairs' call");
      form.locator("input[name=start]").fill("2027-01-12T14:00");
      form.locator("input[name=end]").fill("2027-01-12T15:00");
      form.locator("select[name=rep]").selectOption("weekly");
      assertThat(form.locator("input[name=day-TU]")).isChecked();
      form.locator("select[name=ends]").selectOption("count");
      form.locator("input[name=count]").fill("3");
      form.getByTestId("attendees").locator("input").fill(tag);
      form.getByTestId("attendees").locator("li[role=option]").first().click();
      assertThat(form.locator(".chip")).containsText("Aminata Traore");
      form.locator("input[name=location]").fill("Ministry of Foreign Affairs, Oslo");
      Browsers.screenshot(ip, "31-event-form");
      form.locator("button[type=submit]").click();
      assertThat(ip.getByTestId("event-detail").locator("h1")).hasText("Co-chairs' call");
      assertThat(ip.getByTestId("ev-when")).containsText("2:00 PM – 3:00 PM");
      assertThat(ip.getByTestId("ev-zone-note")).hasCount(0);

      // What was stored: 14:00 in Oslo, weekly on Tuesdays, three times.
      JsonObject list = b.server.okOp(ingrid.getString("accessToken"), "event.list",
          new JsonObject().put("from", "2027-01-01").put("to", "2027-01-31"));
      JsonObject first = list.getJsonArray("occurrences").getJsonObject(0);
      assertThat(first.getString("start")).isEqualTo("2027-01-12T14:00:00+01:00");
      assertThat(first.getString("zone")).isEqualTo("Europe/Oslo");
      assertThat(list.getJsonArray("occurrences")).hasSize(3);

      Page ap = b.signIn(bamakoCtx, email(aminata), TestServer.PASSWORD);
      ap.navigate("/#/calendar?view=agenda&d=2027-01-12");
      Locator occ = ap.getByTestId("occ").first();
      assertThat(occ).containsText("13:00 – 14:00");
      assertThat(occ.getByTestId("zone-note")).hasText("(14:00 – 15:00 à l’heure de Europe/Oslo)");
      assertThat(occ).containsText("Co-chairs' call");
      Browsers.screenshot(ap, "32-calendar-agenda-bamako");
      ap.navigate("/#/calendar?view=week&d=2027-01-12");
      assertThat(ap.getByTestId("week").getByTestId("occ")).hasCount(1);
      assertThat(ap.getByTestId("week-day").nth(1)).hasText("mardi 12 janvier");
      Browsers.screenshot(ap, "33-calendar-week-bamako");
      ap.getByTestId("week").getByTestId("occ").first().locator("a").click();
      assertThat(ap.getByTestId("ev-when")).containsText("13:00");
      assertThat(ap.getByTestId("ev-zone-note")).containsText("14:00");
      assertThat(ap.getByTestId("ev-zone-note")).containsText("Europe/Oslo");
      ap.getByTestId("rsvp").locator("button[data-status=accepted]").click();
      assertThat(ap.getByTestId("rsvp-mine")).hasText("Vous avez répondu\u00a0: Oui");
      Browsers.screenshot(ap, "34-event-detail-rsvp");

      // The organiser's open page hears of it (rsvp.changed) without a reload.
      assertThat(ip.getByTestId("answers")).containsText("Aminata Traore " + tag + " — accepted");
      assertThat(ip.getByTestId("ev-counts")).containsText("1 yes");
    }
  }
}
