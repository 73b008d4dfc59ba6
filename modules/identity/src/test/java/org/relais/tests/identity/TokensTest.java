package org.relais.tests.identity;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relais.core.ErrorCode;
import org.relais.core.Ids;
import org.relais.core.RelaisException;
import org.relais.identity.TokenSettings;
import org.relais.identity.Tokens;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relais.tests.identity.IdentityFixture.await;

class TokensTest {
  private static final String KEYS = "relais:{idn}:jwt:keys";
  private static final String CURRENT = "relais:{idn}:jwt:current";

  private final List<Tokens> others = new ArrayList<>();
  private IdentityFixture node;

  @AfterEach
  void tearDown() {
    others.forEach(Tokens::close);
    node.close();
  }

  /** Another node with a configured key file: installing it retires the key in use. */
  private Tokens rotateToKeyFile(Path dir) throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    var pair = gen.generateKeyPair();
    Base64.Encoder mime = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    Path file = dir.resolve("jwt.pem");
    Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + mime.encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n-----BEGIN PUBLIC KEY-----\n" + mime.encodeToString(pair.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n");
    return start(new TokenSettings("relais", "relais", 900, 2_592_000, 30, file, 3_600, 0, 60));
  }

  private Tokens start(TokenSettings settings) {
    Tokens tokens = await(Tokens.create(node.vertx, node.db, settings));
    others.add(tokens);
    return tokens;
  }

  private JsonObject keyEntry(String kid) {
    return new JsonObject(await(node.db.send(Command.HGET, KEYS, kid)).toString());
  }

  /** A token signed with {@code jwk} (as a thief holding it would), issued at {@code iat}, living 5 minutes. */
  private String sign(JsonObject jwk, long iat) {
    JsonObject claims = new JsonObject().put("sub", Ids.newId()).put("sid", Ids.newId()).put("jti", Ids.newId())
        .put("tt", "access").put("iss", "relais").put("aud", "relais").put("iat", iat).put("exp", iat + 300);
    return JWTAuth.create(node.vertx, new JWTAuthOptions().addJwk(jwk))
        .generateToken(claims, new JWTOptions().setAlgorithm("ES256").setNoTimestamp(true));
  }

  private static boolean refused(Tokens tokens, String token) {
    try {
      await(tokens.verify(token));
      return false;
    } catch (RelaisException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
      return true;
    }
  }

  @Test
  @DisplayName("a key retired on another node stops vouching for tokens issued after its retirement, here too within the reload period")
  void retiredKeyCannotMintNewTokens(@TempDir Path dir) throws Exception {
    node = IdentityFixture.start(IdentityFixture.settings(2_592_000, 0, 1));
    String oldKid = node.tokens.currentKeyId();
    JsonObject stolen = keyEntry(oldKid).getJsonObject("jwk");
    assertThat(stolen.containsKey("d")).as("a generated key keeps its private part in Redis").isTrue();

    Tokens rotated = rotateToKeyFile(dir);
    long retiredAt = keyEntry(oldKid).getLong("retiredAt");
    String before = sign(stolen, retiredAt / 1000 - 1);
    String after = sign(stolen, retiredAt / 1000 + 1);

    assertThat(refused(rotated, before)).as("issued before the rotation: still valid").isFalse();
    assertThat(refused(rotated, after)).as("issued after the rotation").isTrue();
    assertThat(refused(node.tokens, before)).isFalse();
    long deadline = System.currentTimeMillis() + 5_000;
    while (!refused(node.tokens, after)) {
      assertThat(System.currentTimeMillis()).as("the first node learns of the rotation").isLessThan(deadline);
      Thread.sleep(100);
    }
    assertThat(refused(node.tokens, before)).isFalse();
  }

  @Test
  @DisplayName("a node whose generated key was retired elsewhere signs with the current key once it reloads")
  void staleNodeAdoptsCurrentKey(@TempDir Path dir) throws Exception {
    node = IdentityFixture.start(IdentityFixture.settings(2_592_000, 0, 1));
    String first = node.tokens.currentKeyId();
    rotateToKeyFile(dir);
    // A node without the key file replaces the configured key (whose private part Redis does not hold) with a
    // generated one.
    Tokens generated = start(IdentityFixture.settings(2_592_000, 0, 60));
    String current = await(node.db.send(Command.GET, CURRENT)).toString();
    assertThat(generated.currentKeyId()).isEqualTo(current).isNotEqualTo(first);

    long deadline = System.currentTimeMillis() + 5_000;
    while (!node.tokens.currentKeyId().equals(current)) {
      assertThat(System.currentTimeMillis()).as("the first node switches keys").isLessThan(deadline);
      Thread.sleep(100);
    }
    assertThat(await(generated.verify(node.tokens.issue(Ids.newId(), Ids.newId()))).userId()).isNotBlank();
  }

  @Test
  @DisplayName("close stops the periodic reload and is idempotent")
  void closeIsIdempotent() {
    node = IdentityFixture.start(IdentityFixture.defaults());
    Tokens tokens = start(IdentityFixture.defaults());
    tokens.close();
    tokens.close();
    assertThat(await(tokens.verify(tokens.issue(Ids.newId(), Ids.newId()))).sessionId()).isNotBlank();
  }
}
