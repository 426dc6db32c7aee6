package io.seedgate.common.lifecycle;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The roles running on this node (this Vert.x instance), so that requests go to a local role when there is
 * one ({@link #deliveryTo}), and the stop of a node's roles is ordered, whoever undeploys them and in whatever order Vert.x does it (it stops a
 * parent's children concurrently): a role's {@code stop()} waits until the roles it serves have stopped. The
 * gateway's sessions end through the router, which saves through persistence; so the router waits for the
 * gateways of its node and persistence waits for the router.
 *
 * <p>Per Vert.x instance, so several nodes can share a JVM in tests.
 */
public final class LocalRoles {

  private static final Map<Vertx, Map<String, Role>> RUNNING = new WeakHashMap<>();

  private static final class Role {
    int instances;
    final List<Promise<Void>> waiting = new ArrayList<>();
  }

  private LocalRoles() {
  }

  /** Whether at least one instance of the role runs on this Vert.x instance. */
  public static synchronized boolean running(Vertx vertx, String role) {
    Role r = RUNNING.getOrDefault(vertx, Map.of()).get(role);
    return r != null && r.instances > 0;
  }

  /**
   * Delivery options for a request to a role: local-only when the role runs on this node (no network hop, and
   * never a dead member's stale registration), cluster-wide otherwise.
   */
  public static DeliveryOptions deliveryTo(Vertx vertx, String role, long timeoutMs) {
    return new DeliveryOptions().setSendTimeout(timeoutMs).setLocalOnly(running(vertx, role));
  }

  /**
   * Waits (blocking, for shutdown hooks) until no role runs on any Vert.x instance of this process, at most the
   * bound: what the embedded servers wait for before they stop, so the last saves still reach them.
   */
  public static void awaitNoneRunning(long boundMs) {
    long deadline = System.currentTimeMillis() + boundMs;
    while (System.currentTimeMillis() < deadline && anyRunning()) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static synchronized boolean anyRunning() {
    return RUNNING.values().stream().flatMap(m -> m.values().stream()).anyMatch(r -> r.instances > 0);
  }

  /**
   * What runs on this Vert.x instance, for a diagnosis of a stop that hangs: each role with its running instances
   * and how many stops wait for it, e.g. {@code {gateway=1 (1 waiting), router=1}}.
   */
  public static synchronized String describe(Vertx vertx) {
    Map<String, String> roles = new java.util.TreeMap<>();
    RUNNING.getOrDefault(vertx, Map.of()).forEach((role, r) -> roles.put(role,
      r.instances + (r.waiting.isEmpty() ? "" : " (" + r.waiting.size() + " waiting)")));
    return roles.toString();
  }

  /** An instance of the role started. */
  public static synchronized void started(Vertx vertx, String role) {
    RUNNING.computeIfAbsent(vertx, v -> new HashMap<>()).computeIfAbsent(role, r -> new Role()).instances++;
  }

  /** An instance of the role finished stopping. */
  public static void stopped(Vertx vertx, String role) {
    List<Promise<Void>> release = new ArrayList<>();
    synchronized (LocalRoles.class) {
      Role r = RUNNING.getOrDefault(vertx, Map.of()).get(role);
      if (r == null) {
        return;
      }
      r.instances--;
      if (r.instances <= 0) {
        release.addAll(r.waiting);
        r.waiting.clear();
      }
    }
    release.forEach(Promise::tryComplete);
  }

  /**
   * Completes when no instance of the role runs on this Vert.x instance, or after the bound (the caller then
   * goes on stopping: a stuck role must not keep the node from exiting).
   */
  public static Future<Void> whenStopped(Vertx vertx, String role, long boundMs) {
    Promise<Void> promise = Promise.promise();
    synchronized (LocalRoles.class) {
      Role r = RUNNING.getOrDefault(vertx, Map.of()).get(role);
      if (r == null || r.instances <= 0) {
        return Future.succeededFuture();
      }
      r.waiting.add(promise);
    }
    return promise.future().timeout(boundMs, TimeUnit.MILLISECONDS).recover(e -> Future.succeededFuture());
  }
}
