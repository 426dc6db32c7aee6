package io.seedgate.router;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * Counts operations under way (logins, session ends) so that a stop can wait for them to finish before it closes
 * the connections they use. Used from one context.
 */
final class InFlight {

  private int running;
  private Promise<Void> idle;

  /** Counts the operation until its future completes; returns the same future. */
  <T> Future<T> track(Future<T> operation) {
    running++;
    operation.onComplete(ar -> {
      running--;
      if (running == 0 && idle != null) {
        Promise<Void> waiting = idle;
        idle = null;
        waiting.complete();
      }
    });
    return operation;
  }

  /** Completes once no operation is under way (at once when none is). */
  Future<Void> drained() {
    if (running == 0) {
      return Future.succeededFuture();
    }
    if (idle == null) {
      idle = Promise.promise();
    }
    return idle.future();
  }

  int running() {
    return running;
  }
}
