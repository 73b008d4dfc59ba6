package org.relais.identity;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import org.relais.core.RelaisException;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Password hashing with argon2id at OWASP's parameters (19 MiB, 2 iterations, parallelism 1, 16-byte salt,
 * 32-byte tag), stored as a PHC string. Hashing runs on a small dedicated worker pool, never on an event loop;
 * past {@value #MAX_IN_FLIGHT} hashes waiting, callers get {@code unavailable} rather than an unbounded queue.
 */
final class Passwords {
  static final int MIN_LENGTH = 8;
  static final int MAX_LENGTH = 256;
  private static final int MAX_IN_FLIGHT = 64;
  private static final Argon2Function ARGON2 = Argon2Function.getInstance(19_456, 2, 1, 32, Argon2.ID);
  /** Checked when the account does not exist, so that an unknown email costs the same time as a wrong password. */
  private static final String DUMMY_HASH = Password.hash("relais-dummy-password").addRandomSalt(16).with(ARGON2).getResult();

  private final WorkerExecutor workers;
  private final AtomicInteger inFlight = new AtomicInteger();

  Passwords(Vertx vertx) {
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    this.workers = vertx.createSharedWorkerExecutor("relais-passwords", threads, 10, TimeUnit.SECONDS);
  }

  Future<String> hash(String password) {
    return run(() -> Password.hash(password).addRandomSalt(16).with(ARGON2).getResult());
  }

  /** True when {@code password} matches {@code hash}; a null hash is checked against a dummy and never matches. */
  Future<Boolean> verify(String password, String hash) {
    boolean real = hash != null && hash.startsWith("$argon2");
    String against = real ? hash : DUMMY_HASH;
    return run(() -> Password.check(password, against).with(Argon2Function.getInstanceFromHash(against)) && real);
  }

  private <T> Future<T> run(java.util.concurrent.Callable<T> task) {
    if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
      inFlight.decrementAndGet();
      return Future.failedFuture(RelaisException.unavailable("Too many sign-ins at once; try again in a moment"));
    }
    return workers.executeBlocking(task, false).andThen(ar -> inFlight.decrementAndGet());
  }

  static void checkStrength(String password) {
    int length = password.codePointCount(0, password.length());
    if (length < MIN_LENGTH) {
      throw RelaisException.badRequest("password: at least " + MIN_LENGTH + " characters");
    }
    if (length > MAX_LENGTH) {
      throw RelaisException.badRequest("password: at most " + MAX_LENGTH + " characters");
    }
  }
}
