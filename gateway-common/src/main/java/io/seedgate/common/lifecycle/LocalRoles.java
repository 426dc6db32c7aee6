package io.seedgate.common.lifecycle;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The roles running on this node (this Vert.x instance), so that requests go to a local role when there is
 * one ({@link #deliveryTo}), and the stop of a node's roles is ordered, whoever undeploys them and in whatever order
 * Vert.x does it (it stops a parent's children concurrently): a role's {@code stop()} waits until the roles it serves
 * have stopped. The gateway's sessions end through the router, which saves through persistence; so the router waits
 * for the gateways of its node and persistence waits for the router.
 *
 * <p>Per Vert.x instance ({@link NodeState}), so several nodes can share a JVM in tests. A role instance says it
 * started with {@link #started}, which gives it its {@link Registration}, and says it stopped on that registration:
 * the release reaches the very registry the instance was counted in, whatever a later look-up would find, and an
 * instance that never registered (its start failed before) or that says it stopped twice cannot take another
 * instance's place in the count.
 *
 * <p>Thread-safe: roles start and stop on their own event loops.
 */
public final class LocalRoles {

  private static final Logger LOG = LoggerFactory.getLogger(LocalRoles.class);
  /** The node's {@link Roles} in {@link NodeState}. */
  private static final String ROLES = LocalRoles.class.getName();
  /**
   * Role instances running in this JVM, on every Vert.x instance together, for {@link #awaitNoneRunning}. Process-wide
   * by nature, not node-wide state: what it answers is whether anything still runs before the process's embedded
   * servers stop at exit, and that spans every node of the process.
   */
  private static final AtomicInteger RUNNING_IN_PROCESS = new AtomicInteger();

  private LocalRoles() {
  }

  /**
   * One running instance of a role, as {@link #started} counted it: {@link #stopped()} releases it in the registry
   * it was counted in. Thread-safe.
   */
  public static final class Registration {
    private final Roles roles;
    private final String role;
    private final String deployment;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private Registration(Roles roles, String role, String deployment) {
      this.roles = roles;
      this.role = role;
      this.deployment = deployment;
    }

    /**
     * This instance finished stopping: once the role has no instance left on the node, the stops waiting for it go
     * on. Only the first call counts.
     */
    public void stopped() {
      if (stopped.compareAndSet(false, true)) {
        RUNNING_IN_PROCESS.decrementAndGet();
        roles.stopped(this);
      }
    }
  }

  /** A node's roles: each role's running instances and the stops waiting for it. Guarded by itself. */
  private static final class Roles {
    private final Map<String, Role> byName = new HashMap<>();

    synchronized Registration start(String role, String deployment) {
      Registration registration = new Registration(this, role, deployment);
      byName.computeIfAbsent(role, r -> new Role()).running.add(registration);
      return registration;
    }

    void stopped(Registration registration) {
      List<Promise<Void>> release;
      synchronized (this) {
        Role r = byName.get(registration.role);
        if (r == null || !r.running.remove(registration) || !r.running.isEmpty()) {
          return;
        }
        release = new ArrayList<>(r.waiting);
        r.waiting.clear();
      }
      release.forEach(Promise::tryComplete);
    }

    synchronized boolean running(String role) {
      Role r = byName.get(role);
      return r != null && !r.running.isEmpty();
    }

    /** Adds the waiter when the role runs; false (nothing to wait for) when it does not. */
    synchronized boolean await(String role, Promise<Void> waiter) {
      Role r = byName.get(role);
      if (r == null || r.running.isEmpty()) {
        return false;
      }
      r.waiting.add(waiter);
      return true;
    }

    synchronized void forget(String role, Promise<Void> waiter) {
      Role r = byName.get(role);
      if (r != null) {
        r.waiting.remove(waiter);
      }
    }

    synchronized String describe() {
      Map<String, String> roles = new TreeMap<>();
      byName.forEach((role, r) -> {
        if (!r.running.isEmpty() || !r.waiting.isEmpty()) {
          roles.put(role, r.running.size() + " " + r.running.stream().map(i -> i.deployment).toList()
            + (r.waiting.isEmpty() ? "" : " (" + r.waiting.size() + " waiting)"));
        }
      });
      return roles.toString();
    }
  }

  private static final class Role {
    final List<Registration> running = new ArrayList<>();
    final List<Promise<Void>> waiting = new ArrayList<>();
  }

  private static Roles roles(Vertx vertx) {
    return NodeState.get(vertx, ROLES, Roles::new);
  }

  /** Whether at least one instance of the role runs on this Vert.x instance. */
  public static boolean running(Vertx vertx, String role) {
    return roles(vertx).running(role);
  }

  /**
   * Delivery options for a request to a role: local-only when the role runs on this node (no network hop, and
   * never a dead member's stale registration), cluster-wide otherwise.
   */
  public static DeliveryOptions deliveryTo(Vertx vertx, String role, long timeoutMs) {
    return new DeliveryOptions().setSendTimeout(timeoutMs).setLocalOnly(running(vertx, role));
  }

  /**
   * Waits (blocking, for shutdown hooks) until no role instance runs on any Vert.x instance of this process, at most
   * the bound: what the embedded servers wait for before they stop, so the last saves still reach them.
   */
  public static void awaitNoneRunning(long boundMs) {
    long deadline = System.currentTimeMillis() + boundMs;
    while (System.currentTimeMillis() < deadline && RUNNING_IN_PROCESS.get() > 0) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * What runs on this Vert.x instance, for a diagnosis of a stop that hangs: each role with its running instances
   * (by deployment) and how many stops wait for it, e.g. {@code {gateway=1 [3] (1 waiting), router=1 [2]}}.
   */
  public static String describe(Vertx vertx) {
    return roles(vertx).describe();
  }

  /**
   * An instance of the role started on this Vert.x instance; call on its context. Keep the registration and call
   * {@link Registration#stopped()} on it when the instance has stopped.
   */
  public static Registration started(Vertx vertx, String role) {
    Context context = Vertx.currentContext();
    String deployment = context == null || context.deploymentID() == null ? "-" : context.deploymentID();
    RUNNING_IN_PROCESS.incrementAndGet();
    return roles(vertx).start(role, deployment);
  }

  /**
   * Completes when no instance of the role runs on this Vert.x instance, or after the bound (the caller then
   * goes on stopping, with a WARN naming what still runs: a stuck role must not keep the node from exiting).
   */
  public static Future<Void> whenStopped(Vertx vertx, String role, long boundMs) {
    Roles roles = roles(vertx);
    Promise<Void> waiter = Promise.promise();
    if (!roles.await(role, waiter)) {
      return Future.succeededFuture();
    }
    return waiter.future().timeout(boundMs, TimeUnit.MILLISECONDS).recover(e -> {
      roles.forget(role, waiter);
      LOG.warn("[role: {}] still running on this node after {} ms, going on without it: {}", role, boundMs,
        roles.describe());
      return Future.succeededFuture();
    });
  }
}
