package io.seedgate.testsupport;

import io.vertx.core.Future;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocks a test thread (never an event loop) on a Vert.x future. */
public final class Await {

  /** How long {@link #await(Future)} waits. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private Await() {
  }

  /** The future's result, waiting up to {@link #DEFAULT_TIMEOUT}; its failure is thrown as it is. */
  public static <T> T await(Future<T> future) {
    return await(future, DEFAULT_TIMEOUT);
  }

  /**
   * The future's result, waiting up to {@code timeout}. A failed future throws its failure unchanged (unchecked
   * even when it is a checked exception); no result in time throws an {@link AssertionError}.
   */
  public static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no result within " + timeout.toMillis() + " ms", e);
    }
  }

  /** The failure of a future that must fail; an {@link AssertionError} when it succeeds. */
  public static Throwable failureOf(Future<?> future) {
    Throwable failure = await(future.transform(ar -> Future.succeededFuture(ar.cause())));
    if (failure == null) {
      throw new AssertionError("expected a failure");
    }
    return failure;
  }
}
