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

/** Partnerships in a real Chromium: a request made through the form, accepted by the other side through the UI. */
class PartnershipBrowserTest {
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

  @Test
  @DisplayName("a coordinator requests, the other org's admin accepts from the incoming list; both see it accepted with the channel")
  void requestAndAccept() {
    String admin = b.server.adminToken();
    String tag = Long.toString(System.nanoTime(), 36);
    String wanep = b.server.createOrg(admin, "WANEP " + tag, "ML");
    String unw = b.server.createOrg(admin, "UN Women " + tag, "US");
    JsonObject aminata = b.person(wanep, "Aminata Traore", "member", "coordinator");
    JsonObject sarah = b.person(unw, "Sarah Johnson", "member", "org-admin");
    try (BrowserContext a = b.context("fr-FR", "Africa/Bamako"); BrowserContext s = b.context("en-GB", "America/New_York")) {
      Page ap = b.signIn(a, aminata.getJsonObject("user").getString("email"), TestServer.PASSWORD);
      Page sp = b.signIn(s, sarah.getJsonObject("user").getString("email"), TestServer.PASSWORD);
      sp.navigate("/#/partnerships");
      assertThat(sp.locator("main h1")).hasText("Partnerships");

      ap.navigate("/#/partnerships");
      ap.getByTestId("pt-new").click();
      Locator form = ap.getByTestId("pt-form");
      form.locator("select[name=toOrgId]").selectOption(unw);
      form.locator("textarea[name=purpose]").fill("Formation conjointe des médiatrices à Mopti");
      form.locator("input[name=theme][value=mediation]").check();
      form.locator("input[name=theme][value=capacity-building]").check();
      form.getByText("Des dates").click();
      form.locator("input[name=startDate]").fill("2027-04-12");
      form.locator("input[name=endDate]").fill("2027-04-16");
      assertThat(form.getByTestId("fpFrom").locator("input[value='" + aminata.getJsonObject("user").getString("id") + "']")).isChecked();
      form.getByTestId("fpTo").locator("input[value='" + sarah.getJsonObject("user").getString("id") + "']").check();
      form.locator("textarea[name=note]").fill("Suite à notre échange à Oslo");
      Browsers.screenshot(ap, "40-partnership-form-fr");
      form.locator("button[type=submit]").click();
      assertThat(ap.getByTestId("pt-detail").getByTestId("pt-state").first()).hasText("En attente");
      assertThat(ap.getByTestId("pt-withdraw")).isVisible();

      // Sarah's open list hears of it (partnership.updated).
      assertThat(sp.getByTestId("pt-list")).containsText("Formation conjointe des médiatrices à Mopti");
      assertThat(sp.getByTestId("pt-list")).containsText("WANEP " + tag);
      Browsers.screenshot(sp, "41-partnerships-incoming");
      sp.getByTestId("pt-list").locator("a").first().click();
      Locator detail = sp.getByTestId("pt-detail");
      assertThat(detail.getByTestId("pt-terms")).containsText("Mediation");
      assertThat(detail.getByTestId("pt-terms")).containsText("April 12, 2027");
      assertThat(detail.getByTestId("pt-trail")).containsText("Suite à notre échange à Oslo");
      sp.locator("textarea[name=note]").fill("Welcome, see you in Mopti");
      sp.getByTestId("pt-accept").click();
      assertThat(detail.getByTestId("pt-state").first()).hasText("Accepted");
      Locator channel = sp.getByTestId("pt-channel");
      assertThat(channel).hasAttribute("href", Pattern.compile("^#/c/[0-9A-Z]{26}$"));
      Browsers.screenshot(sp, "42-partnership-detail-accepted");

      // The requester's page is updated live, with the same channel.
      assertThat(ap.getByTestId("pt-state").first()).hasText("Accepté");
      assertThat(ap.getByTestId("pt-channel")).hasAttribute("href", channel.getAttribute("href"));
      JsonObject list = b.server.okOp(aminata.getString("accessToken"), "partnership.list", new JsonObject().put("box", "outgoing"));
      JsonObject req = list.getJsonArray("requests").getJsonObject(0);
      assertThat(req.getString("state")).isEqualTo("accepted");
      assertThat("#/c/" + req.getString("channelId")).isEqualTo(channel.getAttribute("href"));
      // The channel exists for both, and Sarah is in it.
      JsonObject chans = b.server.okOp(sarah.getString("accessToken"), "channel.list", new JsonObject());
      assertThat(chans.getJsonArray("channels").encode()).contains(req.getString("channelId"));
    }
  }
}
