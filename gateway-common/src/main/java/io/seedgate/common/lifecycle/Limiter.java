package io.seedgate.common.lifecycle;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * At most so many asynchronous operations under way at once; the others wait in turn, first come first served:
 * how a node's whole population ending at once (a shutdown, a mass disconnect) becomes a steady stream of Redis
 * commands rather than hundreds of thousands queued on one connection. Use from one context; the operations'
 * futures must complete on it.
 */
public final class Limiter {

  private final int limit;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int running;

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

  private void next() {
    while (running < limit && !waiting.isEmpty()) {
      running++;
      waiting.poll().run();
    }
  }

  /** Operations waiting for a place. */
  public int waiting() {
    return waiting.size();
  }
}
