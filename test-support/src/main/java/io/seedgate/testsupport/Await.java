package io.seedgate.testsupport;

import io.vertx.core.Future;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocks a test thread (never an event loop) on a Vert.x future. */
public final class Await {

  /** How long {@link #await(Future)} waits. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private Await() {
  }

  /** The future's result, waiting up to {@link #DEFAULT_TIMEOUT}; a failure is thrown as a {@link Failed}. */
  public static <T> T await(Future<T> future) {
    return await(future, DEFAULT_TIMEOUT);
  }

  /**
   * The future's result, waiting up to {@code timeout}. A failed future throws a {@link Failed} (an assertion
   * error: the test fails, and code that catches a failed step catches it) whose cause is the failure; no result in
   * time throws a plain {@link AssertionError}. Use {@link #failureOf} for a future that must fail.
   */
  public static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new Failed(e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("no result within " + timeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
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

  /** A future awaited failed: its failure is the cause. {@link Eventually#eventually} does not retry it. */
  public static final class Failed extends AssertionError {

    Failed(Throwable cause) {
      super("failed: " + cause, cause);
    }
  }
}
