package io.seedgate.common.lifecycle;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.List;
import java.util.function.Function;

/**
 * Runs an asynchronous step over many items with at most a given number under way at once, through a
 * {@link Limiter} of its own, and counts how the steps ended: how a clean-up of thousands of sessions stays a steady
 * stream instead of a flood of requests. Call from one context; the steps' futures must complete on it (steps that
 * complete at once are fine: no recursion per item).
 */
public final class Bounded {

  /** How many steps succeeded and how many failed. */
  public record Outcome(int succeeded, int failed) {
  }

  private final int items;
  private final Promise<Outcome> done = Promise.promise();
  private int succeeded;
  private int failed;

  private Bounded(int items) {
    this.items = items;
  }

  /**
   * Applies the step to every item, in order, {@code limit} at a time; completes (never fails) when all are done.
   * A step that throws counts as failed.
   */
  public static <T> Future<Outcome> forEach(List<T> items, int limit, Function<T, Future<?>> step) {
    if (items.isEmpty()) {
      return Future.succeededFuture(new Outcome(0, 0));
    }
    Bounded run = new Bounded(items.size());
    Limiter limiter = new Limiter(limit);
    for (T item : items) {
      limiter.submit(() -> anyResult(step.apply(item))).onComplete(ar -> run.ended(ar.succeeded()));
    }
    return run.done.future();
  }

  private void ended(boolean ok) {
    if (ok) {
      succeeded++;
    } else {
      failed++;
    }
    if (succeeded + failed == items) {
      done.complete(new Outcome(succeeded, failed));
    }
  }

  /** Only whether it succeeded is read. */
  @SuppressWarnings("unchecked")
  private static Future<Object> anyResult(Future<?> future) {
    return (Future<Object>) future;
  }
}
