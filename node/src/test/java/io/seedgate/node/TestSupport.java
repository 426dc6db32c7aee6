package io.seedgate.node;

import io.seedgate.common.FreePorts;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.embedded.BackingServices;
import io.vertx.core.Future;

import java.util.concurrent.TimeUnit;

/** Blocking helpers for tests that run on the JUnit thread against real servers. */
final class TestSupport {

  private static NodeConfig backing;

  private TestSupport() {
  }

  /** Waits up to 10 s for the future. */
  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Defaults with reachable Redis and PostgreSQL (the local ones, or embedded ones when none runs). */
  static synchronized NodeConfig backingServices() {
    if (backing == null) {
      backing = BackingServices.resolve(NodeConfig.defaults());
    }
    return backing;
  }

  /** A TCP port free now ({@link FreePorts#tcp()}: below the ephemeral range). */
  static int freePort() {
    return FreePorts.tcp();
  }

  /** A UDP port free now ({@link FreePorts#udp()}). */
  static int freeUdpPort() {
    return FreePorts.udp();
  }
}
