package io.seedgate.common.redis;

import io.seedgate.common.lifecycle.NodeState;
import io.vertx.core.Vertx;

import java.util.concurrent.atomic.LongAdder;

/**
 * Redis errors seen on a node (a Vert.x instance), for metrics: connection errors, lost connections, failed
 * reconnects and commands refused because a link was down. Counted off the per-message path (only when something
 * goes wrong); readable from any thread.
 */
public final class RedisErrors {

  private RedisErrors() {
  }

  /** The node's counter (created on first use). */
  public static LongAdder of(Vertx vertx) {
    return NodeState.get(vertx, RedisErrors.class.getName(), LongAdder::new);
  }

  /** Errors counted on the node since start. */
  public static long count(Vertx vertx) {
    return of(vertx).sum();
  }
}
