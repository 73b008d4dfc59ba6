package org.relais.tests.redis;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.redis.HashSlots;
import org.relais.redis.LuaScript;
import org.relais.redis.ManagedRedis;
import org.relais.redis.RedisDb;
import org.relais.redis.RedisMode;
import org.relais.redis.RedisSettings;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Redis Cluster rules for scripts, checked on a standalone server: slots, the KEYS check, the key guard. */
class ScriptSlotsTest {
  private static final LuaScript SUFFIX = LuaScript.load(ScriptSlotsTest.class, "test_suffix");
  private static final LuaScript OTHER = LuaScript.load(ScriptSlotsTest.class, "test_other_slot");
  private static final LuaScript ROOT = LuaScript.load(ScriptSlotsTest.class, "test_key_root");

  private static Vertx vertx;
  private static ManagedRedis redis;
  private static RedisDb guarded;
  private static RedisDb plain;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = TestRedis.start();
    guarded = RedisDb.create(vertx, settings(true), new SimpleMeterRegistry());
    plain = RedisDb.create(vertx, settings(false), new SimpleMeterRegistry());
  }

  private static RedisSettings settings(boolean check) {
    return new RedisSettings(RedisMode.STANDALONE, List.of(redis.url()), "mymaster", 2_000, 4, 0, 1_000, check);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    redis.stop();
  }

  @Test
  @DisplayName("slots follow the Redis Cluster specification: CRC16 of the hash tag, modulo 16384")
  void slots() {
    assertThat(HashSlots.slot("foo")).isEqualTo(12182);
    assertThat(HashSlots.slot("123456789")).isEqualTo(0x31C3);
    assertThat(HashSlots.slot("relais:ch:{c:01ABC}:log")).isEqualTo(HashSlots.slot("relais:ch:{c:01ABC}"));
    assertThat(HashSlots.tag("a{}b{c}")).isNull();
    assertThat(HashSlots.hashed("a{}b{c}")).isEqualTo("a{}b{c}");
    assertThat(HashSlots.hashed("x{user1000}.following")).isEqualTo("user1000");
    assertThat(HashSlots.slot("somekey")).isEqualTo(11058);
    // (ClusterTest compares with CLUSTER KEYSLOT of a real cluster.)
  }

  @Test
  @DisplayName("a script may touch keys derived from KEYS[1] by suffix; with the key guard on too")
  void suffixedKeys() throws Exception {
    assertThat(guarded.eval(SUFFIX, List.of("t:{home}:a"), List.of("v1")).await(5, TimeUnit.SECONDS).toString())
        .isEqualTo("v1");
    assertThat(plain.eval(SUFFIX, List.of("t:{home}:a"), List.of("v2")).await(5, TimeUnit.SECONDS).toString())
        .isEqualTo("v2");
  }

  @Test
  @DisplayName("a script given KEYS of two slots is refused before it runs")
  void keysOfTwoSlots() {
    assertThatThrownBy(() -> plain.eval(SUFFIX, List.of("t:{home}:a", "t:{elsewhere}:b"), List.of("v"))
        .await(5, TimeUnit.SECONDS)).hasMessageContaining("not in the slot of KEYS[1]");
  }

  @Test
  @DisplayName("a declared key root must carry the tag of KEYS[1]")
  void keyRoots() throws Exception {
    assertThat(ROOT.keyRoots()).containsExactly(1);
    assertThat(plain.eval(ROOT, List.of("t:{home}:a"), List.of("t:{home}:")).await(5, TimeUnit.SECONDS).toLong())
        .isEqualTo(1);
    assertThatThrownBy(() -> plain.eval(ROOT, List.of("t:{home}:a"), List.of("t:{other}:")).await(5, TimeUnit.SECONDS))
        .hasMessageContaining("key root ARGV[1]");
  }

  @Test
  @DisplayName("with the key guard on, a script touching a key of another slot fails and writes nothing")
  void guardStopsOtherSlots() throws Exception {
    assertThatThrownBy(() -> guarded.eval(OTHER, List.of("t:{home}:a"), List.of("t:{other}:z")).await(5, TimeUnit.SECONDS))
        .hasMessageContaining("relais key guard");
    assertThat(guarded.send(Command.EXISTS, "t:{other}:z").await(5, TimeUnit.SECONDS).toLong()).isZero();
    // Without it, standalone Redis would have run it: that is what the guard is for.
    assertThat(plain.eval(OTHER, List.of("t:{home}:a"), List.of("t:{other}:y")).await(5, TimeUnit.SECONDS).toLong())
        .isEqualTo(1);
  }

  @Test
  @DisplayName("a batch keeps its replies in order")
  void batchOrder() throws Exception {
    var replies = plain.batch(List.of(Request.cmd(Command.SET).arg("t:{b1}").arg("1"),
        Request.cmd(Command.GET).arg("t:{b1}"), Request.cmd(Command.PING))).await(5, TimeUnit.SECONDS);
    assertThat(replies.get(1).toString()).isEqualTo("1");
    assertThat(replies.get(2).toString()).isEqualTo("PONG");
  }
}
