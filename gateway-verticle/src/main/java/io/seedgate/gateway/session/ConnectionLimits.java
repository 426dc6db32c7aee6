package io.seedgate.gateway.session;

import io.vertx.core.Vertx;

import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many client connections one node holds, in all and per IP address, shared by its gateway instances.
 * {@link #tryAcquire} and {@link #release} are called once each per connection, from any event loop.
 */
public final class ConnectionLimits {

  private static final Map<Vertx, ConnectionLimits> PER_NODE = new WeakHashMap<>();

  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> perIp = new ConcurrentHashMap<>();
  private volatile int maxTotal;
  private volatile int maxPerIp;

  private ConnectionLimits() {
  }

  /** The node's limits (one object per Vert.x instance), set to the given maxima. */
  public static synchronized ConnectionLimits of(Vertx vertx, int maxTotal, int maxPerIp) {
    ConnectionLimits limits = PER_NODE.computeIfAbsent(vertx, v -> new ConnectionLimits());
    limits.maxTotal = maxTotal;
    limits.maxPerIp = maxPerIp;
    return limits;
  }

  /** Counts a new connection; {@code false} (and nothing counted) when a limit is reached. */
  public boolean tryAcquire(String ip) {
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return false;
    }
    boolean[] admitted = {false};
    perIp.compute(ip, (k, n) -> {
      int count = n == null ? 0 : n;
      if (count >= maxPerIp) {
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

  /** Un-counts a connection that {@link #tryAcquire} counted. */
  public void release(String ip) {
    total.decrementAndGet();
    perIp.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
  }

  public int total() {
    return total.get();
  }
}
