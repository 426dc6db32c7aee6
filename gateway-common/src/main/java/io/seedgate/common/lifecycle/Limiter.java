package io.seedgate.common.lifecycle;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * At most so many asynchronous operations under way at once; the others wait in turn, first come first served:
 * how a node's whole population ending at once (a shutdown, a mass disconnect) becomes a steady stream of Redis
 * commands rather than hundreds of thousands queued on one connection. Operations may come at any time from any
 * number of callers, each given its own result; {@link Bounded#forEach} runs a list through one and counts the
 * outcomes.
 *
 * <p>Use from one context; the operations' futures must complete on it. Operations that complete at once (a
 * command refused because its connection is down) are fine: the waiting ones are started in a loop, not by a
 * recursion per operation.
 */
public final class Limiter {

  private final int limit;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int running;
  private boolean starting;

  public Limiter(int limit) {
    this.limit = Math.max(1, limit);
  }

  /** Runs the operation now or once a place is free; the future completes with the operation's result. */
  public <T> Future<T> submit(Supplier<Future<T>> operation) {
    Promise<T> result = Promise.promise();
    waiting.add(() -> {
      Future<T> started;
      try {
        started = operation.get();
      } catch (RuntimeException e) {
        started = Future.failedFuture(e);
      }
      started.onComplete(ar -> {
        running--;
        result.handle(ar);
        next();
      });
    });
    next();
    return result.future();
  }

  /** Operations waiting for a place. */
  public int waiting() {
    return waiting.size();
  }

  private void next() {
    if (starting) {
      return; // an operation completed at once, inside the loop below: the loop starts the next one
    }
    starting = true;
    try {
      while (running < limit && !waiting.isEmpty()) {
        running++;
        waiting.poll().run();
      }
    } finally {
      starting = false;
    }
  }
}
