package io.seedgate.common.redis;

import io.vertx.core.Vertx;

import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Redis errors seen on a node (a Vert.x instance), for metrics: connection errors, lost connections, failed
 * reconnects and commands refused because a link was down. Counted off the per-message path (only when something
 * goes wrong); readable from any thread.
 */
public final class RedisErrors {

  private static final Map<Vertx, LongAdder> COUNTS = new WeakHashMap<>();

  private RedisErrors() {
  }

  /** The node's counter (created on first use). */
  public static synchronized LongAdder of(Vertx vertx) {
    return COUNTS.computeIfAbsent(vertx, v -> new LongAdder());
  }

  /** Errors counted on the node since start. */
  public static long count(Vertx vertx) {
    return of(vertx).sum();
  }
}
