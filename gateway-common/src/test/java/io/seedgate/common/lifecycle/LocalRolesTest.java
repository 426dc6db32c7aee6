package io.seedgate.common.lifecycle;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The roles of a node: a stop waiting for a role goes on when its last instance stops, and two nodes (Vert.x
 * instances) in one JVM never see each other's roles.
 */
class LocalRolesTest {

  private Vertx one;
  private Vertx two;

  @BeforeEach
  void start() {
    one = Vertx.vertx();
    two = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    one.close().await(10, TimeUnit.SECONDS);
    two.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aWaiterIsReleasedWhenTheRoleStops() throws Exception {
    LocalRoles.Registration gateway = LocalRoles.started(one, "gateway");
    Future<Void> router = LocalRoles.whenStopped(one, "gateway", 30_000);
    assertFalse(router.isComplete(), "waits while the gateway runs");
    assertEquals("{gateway=1 [-] (1 waiting)}", LocalRoles.describe(one));
    gateway.stopped();
    long start = System.nanoTime();
    router.await(5, TimeUnit.SECONDS);
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "released at once, not at the bound");
    assertFalse(LocalRoles.running(one, "gateway"));
    assertEquals("{}", LocalRoles.describe(one));
  }

  @Test
  void aWaiterIsReleasedOnlyWhenTheLastInstanceStopsAndAnInstanceCountsOnce() throws Exception {
    LocalRoles.Registration first = LocalRoles.started(one, "gateway");
    LocalRoles.Registration second = LocalRoles.started(one, "gateway");
    Future<Void> router = LocalRoles.whenStopped(one, "gateway", 30_000);
    first.stopped();
    first.stopped();
    assertFalse(router.isComplete(), "one instance still runs: a second stop of the first does not count");
    assertTrue(LocalRoles.running(one, "gateway"));
    second.stopped();
    router.await(5, TimeUnit.SECONDS);
    assertFalse(LocalRoles.running(one, "gateway"));
  }

  @Test
  void twoNodesDoNotSeeEachOthersRoles() throws Exception {
    LocalRoles.Registration gateway = LocalRoles.started(one, "gateway");
    assertTrue(LocalRoles.running(one, "gateway"));
    assertFalse(LocalRoles.running(two, "gateway"));
    assertFalse(LocalRoles.deliveryTo(two, "gateway", 1_000).isLocalOnly());
    assertTrue(LocalRoles.deliveryTo(one, "gateway", 1_000).isLocalOnly());
    assertTrue(LocalRoles.whenStopped(two, "gateway", 30_000).isComplete(), "nothing to wait for on the other node");
    assertEquals("{}", LocalRoles.describe(two));

    Future<Void> waiting = LocalRoles.whenStopped(one, "gateway", 30_000);
    LocalRoles.Registration other = LocalRoles.started(two, "gateway");
    other.stopped();
    assertFalse(waiting.isComplete(), "the other node's gateway stopping does not release this node's waiter");
    gateway.stopped();
    waiting.await(5, TimeUnit.SECONDS);
  }

  @Test
  void aRoleThatDoesNotStopIsWaitedForUpToTheBound() throws Exception {
    LocalRoles.Registration gateway = LocalRoles.started(one, "gateway");
    long start = System.nanoTime();
    LocalRoles.whenStopped(one, "gateway", 200).await(5, TimeUnit.SECONDS);
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(150), "waited for the bound");
    assertEquals("{gateway=1 [-]}", LocalRoles.describe(one), "the waiter that gave up is no longer counted");
    gateway.stopped();
  }

  @Test
  void aRoleStartedOnAVerticleContextIsDescribedByItsDeployment() throws Exception {
    AtomicReference<LocalRoles.Registration> router = new AtomicReference<>();
    String id = one.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        router.set(LocalRoles.started(vertx, "router"));
        return Future.succeededFuture();
      }
    }).await(5, TimeUnit.SECONDS);
    assertEquals("{router=1 [" + id + "]}", LocalRoles.describe(one));
    router.get().stopped();
  }

  @Test
  void aStopDuringTheCloseOfVertxIsReleasedByTheRoleItWaitsFor() throws Exception {
    // as a node's stop: Vert.x's close undeploys, at once, a router that waits for the node's gateways and two
    // gateway instances that say they stopped 300 ms into their stop; the router must go on then, not at its bound
    one.deployVerticle(new Router()).await(5, TimeUnit.SECONDS);
    one.deployVerticle(Gateway::new, new DeploymentOptions().setInstances(2)).await(5, TimeUnit.SECONDS);
    assertTrue(LocalRoles.running(one, "gateway"));
    long start = System.nanoTime();
    one.close().await(20, TimeUnit.SECONDS);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(tookMs < 5_000, "the router's stop was released when the gateways stopped, after " + tookMs + " ms");
  }

  @Test
  void noneRunningInTheProcessIsWaitedForUpToTheBound() {
    LocalRoles.Registration router = LocalRoles.started(two, "router");
    long start = System.nanoTime();
    LocalRoles.awaitNoneRunning(200);
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(150), "a role runs in the process");
    router.stopped();
    start = System.nanoTime();
    LocalRoles.awaitNoneRunning(5_000);
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "none runs: returns at once");
  }

  /** Waits in its stop for the node's gateways, as the router does. */
  private static final class Router extends VerticleBase {
    @Override
    public Future<?> stop() {
      return LocalRoles.whenStopped(vertx, "gateway", 30_000);
    }
  }

  /** A gateway instance whose stop takes a little while, then says it stopped. */
  private static final class Gateway extends VerticleBase {
    private LocalRoles.Registration role;

    @Override
    public Future<?> start() {
      role = LocalRoles.started(vertx, "gateway");
      return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
      Promise<Void> stopped = Promise.promise();
      vertx.setTimer(300, t -> {
        role.stopped();
        stopped.complete();
      });
      return stopped.future();
    }
  }
}
