package io.seedgate.common.lifecycle;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.List;
import java.util.function.Function;

/**
 * Runs an asynchronous step over many items with at most a given number under way at once: how a clean-up of
 * thousands of sessions stays a steady stream instead of a flood of requests. Call from one context; the steps'
 * futures must complete on it (steps that complete at once are fine: no recursion per item).
 */
public final class Bounded<T> {

  /** How many steps succeeded and how many failed. */
  public record Outcome(int succeeded, int failed) {
  }

  private final List<T> items;
  private final int limit;
  private final Function<T, Future<?>> step;
  private final Promise<Outcome> done = Promise.promise();
  private int next;
  private int running;
  private int succeeded;
  private int failed;
  private boolean pumping;
  private boolean again;

  private Bounded(List<T> items, int limit, Function<T, Future<?>> step) {
    this.items = items;
    this.limit = Math.max(1, limit);
    this.step = step;
  }

  /** Applies the step to every item, {@code limit} at a time; completes (never fails) when all are done. */
  public static <T> Future<Outcome> forEach(List<T> items, int limit, Function<T, Future<?>> step) {
    Bounded<T> run = new Bounded<>(items, limit, step);
    run.pump();
    return run.done.future();
  }

  private void pump() {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    do {
      again = false;
      while (running < limit && next < items.size()) {
        running++;
        start(items.get(next++)).onComplete(ar -> {
          running--;
          if (ar.succeeded()) {
            succeeded++;
          } else {
            failed++;
          }
          pump();
        });
      }
    } while (again);
    pumping = false;
    if (running == 0 && next >= items.size()) {
      done.tryComplete(new Outcome(succeeded, failed));
    }
  }

  private Future<?> start(T item) {
    try {
      return step.apply(item);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
