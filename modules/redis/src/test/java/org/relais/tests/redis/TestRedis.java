package org.relais.tests.redis;

import org.relais.redis.ManagedRedis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real redis-server for tests, in a fresh temporary directory, on a free port. */
public final class TestRedis {
  private TestRedis() {
  }

  public static ManagedRedis start() {
    try {
      return ManagedRedis.start(Files.createTempDirectory("relais-test-redis"), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ManagedRedis start(Path dataDir, int port) {
    try {
      return ManagedRedis.start(dataDir, port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
