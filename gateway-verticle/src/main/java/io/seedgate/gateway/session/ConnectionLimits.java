package io.seedgate.gateway.session;

import io.seedgate.common.lifecycle.NodeState;
import io.vertx.core.Vertx;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many client connections one node holds, shared by its gateway instances: all of them, against
 * {@code maxConnections}, and per IP address those not authenticated yet (waiting for their token or its check),
 * against {@code maxPendingPerIp}. An authenticated player no longer counts against its address: players behind one
 * carrier-grade NAT or campus network share it, while what an address can pile up without a valid token stays
 * bounded. {@link #tryAcquire} and {@link #release} are called once each per connection, {@link #authenticated} at
 * most once in between, from any event loop.
 */
public final class ConnectionLimits {

  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> pendingPerIp = new ConcurrentHashMap<>();
  private volatile int maxTotal;
  private volatile int maxPendingPerIp;

  private ConnectionLimits() {
  }

  /** The node's limits (one object per Vert.x instance), set to the given maxima. */
  public static ConnectionLimits of(Vertx vertx, int maxTotal, int maxPendingPerIp) {
    ConnectionLimits limits = NodeState.get(vertx, ConnectionLimits.class.getName(), ConnectionLimits::new);
    limits.maxTotal = maxTotal;
    limits.maxPendingPerIp = maxPendingPerIp;
    return limits;
  }

  /**
   * Counts a new, not yet authenticated connection; {@code false} (and nothing counted) when the node is at its
   * limit or the address has as many unauthenticated connections as it may.
   */
  public boolean tryAcquire(String ip) {
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return false;
    }
    boolean[] admitted = {false};
    pendingPerIp.compute(ip, (k, n) -> {
      int count = n == null ? 0 : n;
      if (count >= maxPendingPerIp) {
        return n;
      }
      admitted[0] = true;
      return count + 1;
    });
    if (!admitted[0]) {
      total.decrementAndGet();
    }
    return admitted[0];
  }

  /** The connection {@link #tryAcquire} counted has authenticated: it no longer counts against its address. */
  public void authenticated(String ip) {
    pendingPerIp.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
  }

  /**
   * Un-counts a connection that {@link #tryAcquire} counted.
   *
   * @param pending whether it never authenticated ({@link #authenticated} was not called for it)
   */
  public void release(String ip, boolean pending) {
    total.decrementAndGet();
    if (pending) {
      authenticated(ip);
    }
  }

  public int total() {
    return total.get();
  }

  /** Connections from the address not authenticated yet. */
  public int pending(String ip) {
    return pendingPerIp.getOrDefault(ip, 0);
  }
}
