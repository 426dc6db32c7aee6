package io.seedgate.testsupport;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Polling with a deadline, instead of sleeping and then asserting: the condition is tried at once, then again
 * after 10 ms, 20 ms, ... at most 100 ms apart, until it holds or the time is up.
 */
public final class Eventually {

  /** How long {@link #until(BooleanSupplier)} polls. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  private static final long FIRST_PAUSE_MS = 10;
  private static final long MAX_PAUSE_MS = 100;

  /** An assertion that may throw anything. */
  @FunctionalInterface
  public interface Assertion {
    void run() throws Exception;
  }

  private Eventually() {
  }

  /** Polls {@code condition} until it is true, for up to {@link #DEFAULT_TIMEOUT}. */
  public static void until(BooleanSupplier condition) {
    until("condition", DEFAULT_TIMEOUT, condition);
  }

  /** Polls {@code condition} until it is true, for up to {@code timeout}. */
  public static void until(Duration timeout, BooleanSupplier condition) {
    until("condition", timeout, condition);
  }

  /**
   * Polls {@code condition} until it is true; when {@code timeout} (zero or less: one try) runs out, throws an
   * {@link AssertionError} saying {@code what} was not so.
   */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    long pause = FIRST_PAUSE_MS;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(what + ": not so within " + timeout.toMillis() + " ms");
      }
      pause = pause(pause);
    }
  }

  /** {@link #until(String, Duration, BooleanSupplier)} with the timeout in milliseconds. */
  public static void until(String what, long timeoutMs, BooleanSupplier condition) {
    until(what, Duration.ofMillis(timeoutMs), condition);
  }

  /**
   * Runs {@code assertion} until it passes; when {@code within} runs out its last failure is thrown. Only
   * {@link AssertionError}s are retried: any other exception, and a future that failed ({@link Await.Failed}),
   * fails at once.
   */
  public static void eventually(Duration within, Assertion assertion) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    long pause = FIRST_PAUSE_MS;
    while (true) {
      try {
        assertion.run();
        return;
      } catch (Await.Failed e) {
        throw e;
      } catch (AssertionError e) {
        if (System.nanoTime() - deadline > 0) {
          throw e;
        }
        pause = pause(pause);
      }
    }
  }

  private static long pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while polling", e);
    }
    return Math.min(ms * 2, MAX_PAUSE_MS);
  }
}
