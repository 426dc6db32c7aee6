package io.seedgate.gateway.session;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The logins of one gateway instance on their way to the router: at most {@code maxInFlight} token checks at once,
 * the others wait their turn in a FIFO queue of at most {@code maxQueued}. When a node dies its players reconnect to
 * the others within a second or two; a queue keeps the router's and Redis's work steady (first come, first served)
 * instead of a flood of event-bus requests all answered late together. A login finds the queue full only when the
 * instance is truly overloaded: it fails at once with {@code service unavailable}, as does one that waited longer
 * than {@code maxWaitMs}. Used on the instance's event loop only; not thread-safe.
 */
final class LoginGate {

  private record Waiting(BooleanSupplier abandoned, Supplier<Future<JsonObject>> check, Promise<JsonObject> result,
                         long since) {
  }

  private int maxInFlight;
  private int maxQueued;
  private final long maxWaitMs;
  private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
  private int inFlight;
  private volatile int queued;

  LoginGate(int maxInFlight, int maxQueued, long maxWaitMs) {
    this.maxInFlight = maxInFlight;
    this.maxQueued = maxQueued;
    this.maxWaitMs = maxWaitMs;
  }

  /**
   * Runs the token check now, or when its turn comes.
   *
   * @param abandoned whether the login is no longer wanted (its connection closed while it waited): it is skipped
   * @param check     starts the token check at the router
   * @param now       the current time in milliseconds
   * @return the check's result; failed with {@link ErrorCode#UNAVAILABLE} when the queue is full, or the login
   *         waited too long or was abandoned
   */
  Future<JsonObject> submit(BooleanSupplier abandoned, Supplier<Future<JsonObject>> check, long now) {
    if (inFlight < maxInFlight && queue.isEmpty()) {
      return start(check);
    }
    if (queue.size() >= maxQueued) {
      return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE, "login queue full"));
    }
    Promise<JsonObject> result = Promise.promise();
    queue.add(new Waiting(abandoned, check, result, now));
    queued = queue.size();
    return result.future();
  }

  private Future<JsonObject> start(Supplier<Future<JsonObject>> check) {
    inFlight++;
    Future<JsonObject> answer;
    try {
      answer = check.get();
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    return answer.andThen(ar -> {
      inFlight--;
      next();
    });
  }

  private void next() {
    while (inFlight < maxInFlight && !queue.isEmpty()) {
      Waiting w = queue.poll();
      if (w.abandoned().getAsBoolean()) {
        w.result().tryFail(new GatewayException(ErrorCode.UNAVAILABLE, "connection closed while waiting to log in"));
      } else {
        start(w.check()).onComplete(w.result());
      }
    }
    queued = queue.size();
  }

  /**
   * Changes the sizes: more in flight starts waiting logins now; fewer lets the checks under way finish and starts
   * no more until below the new size. A smaller queue turns away new logins until it is below it; none waiting is
   * dropped.
   */
  void resize(int maxInFlight, int maxQueued) {
    this.maxInFlight = maxInFlight;
    this.maxQueued = maxQueued;
    next();
  }

  /** Fails the logins that have waited longer than {@code maxWaitMs}, and drops abandoned ones at the head. */
  void expire(long now) {
    Waiting w;
    while ((w = queue.peek()) != null && (w.since() < now - maxWaitMs || w.abandoned().getAsBoolean())) {
      queue.poll();
      w.result().tryFail(new GatewayException(ErrorCode.UNAVAILABLE, "waited over " + maxWaitMs + " ms to log in"));
    }
    queued = queue.size();
  }

  /** Logins waiting; readable from any thread. */
  int queued() {
    return queued;
  }
}
