package org.relais.tests.server;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OpsParityTest {
  private static TestServer t;
  private static String token;
  private static String orgId;

  @BeforeAll
  static void start() {
    t = TestServer.start();
    token = t.adminToken();
    orgId = t.createOrg(token, "UN Women", "US");
    t.createUser(token, orgId, "Sarah Johnson", "coordinator");
    t.createUser(token, orgId, "Aminata Traoré");
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  @Test
  @DisplayName("the same op over the WebSocket and over POST /api/ops gives the same result, errors included")
  void sameResult() {
    List<Object[]> calls = List.of(
        new Object[] {"user.me", new JsonObject()},
        new Object[] {"user.search", new JsonObject().put("query", "traore")},
        new Object[] {"user.search", new JsonObject().put("orgId", orgId).put("role", "coordinator")},
        new Object[] {"org.list", new JsonObject().put("country", "US")},
        new Object[] {"org.get", new JsonObject().put("orgId", orgId)},
        new Object[] {"user.get", new JsonObject().put("userId", "01ARZ3NDEKTSV4RRFFQ69G5FAV")},
        new Object[] {"user.get", new JsonObject().put("userId", 42)},
        new Object[] {"user.nothing", new JsonObject()});
    try (WsClient c = t.wsHello(token)) {
      for (Object[] call : calls) {
        String op = (String) call[0];
        JsonObject data = (JsonObject) call[1];
        JsonObject overWs = c.call(op, data);
        JsonObject overHttp = t.op(token, op, data);
        overWs.remove("re");
        assertThat(overHttp).as(op + " " + data).isEqualTo(overWs);
      }
    }
  }

  @Test
  @DisplayName("HTTP errors carry the status of their code")
  void httpStatuses() {
    assertThat(t.post("/api/ops/user.get", "{\"userId\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\"}", token).statusCode()).isEqualTo(404);
    assertThat(t.post("/api/ops/user.get", "{\"userId\":3}", token).statusCode()).isEqualTo(400);
    assertThat(t.post("/api/ops/nope", "{}", token).statusCode()).isEqualTo(404);
    assertThat(t.post("/api/ops/user.me", "{}", null).statusCode()).isEqualTo(401);
    assertThat(t.post("/api/ops/org.create", "{\"name\":\"X\",\"shortName\":\"X\",\"country\":\"ML\",\"kind\":\"other\"}",
        t.createUser(token, orgId, "Yuki Tanaka").getString("accessToken")).statusCode()).isEqualTo(403);
    assertThat(t.post("/api/ops/user.me", "{" + "\"a\":1,".repeat(20_000) + "\"b\":2}", token).statusCode()).isEqualTo(413);
    var form = TestServer.await(t.http.post("/api/auth/login").putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(io.vertx.core.buffer.Buffer.buffer("{\"email\":\"a@b.example\",\"password\":\"" + "p".repeat(20_000) + "\"}")));
    assertThat(form.statusCode()).as("JSON labelled as a form is read as JSON").isEqualTo(400);
    assertThat(form.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("password");
  }

  @Test
  @DisplayName("the directory finds people by any word of their name, without accents, and by organisation and role")
  void search() {
    JsonObject byName = t.okOp(token, "user.search", new JsonObject().put("query", "amina tra"));
    assertThat(byName.getJsonArray("users")).hasSize(1);
    assertThat(byName.getJsonArray("users").getJsonObject(0).getString("displayName")).isEqualTo("Aminata Traoré");
    JsonObject coordinators = t.okOp(token, "user.search", new JsonObject().put("orgId", orgId).put("role", "coordinator"));
    assertThat(coordinators.getJsonArray("users")).extracting(u -> ((JsonObject) u).getString("displayName")).contains("Sarah Johnson")
        .doesNotContain("Aminata Traoré");
    JsonObject paged = t.okOp(token, "user.search", new JsonObject().put("orgId", orgId).put("limit", 1));
    assertThat(paged.getJsonArray("users")).hasSize(1);
    assertThat(paged.getInteger("nextOffset")).isEqualTo(1);
  }
}
