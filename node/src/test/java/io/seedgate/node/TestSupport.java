package io.seedgate.node;

import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.embedded.BackingServices;
import io.vertx.core.Future;

import java.io.IOException;
import java.net.ServerSocket;
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

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * A port free for UDP now. Not {@link #freePort()}: a port free for TCP may be taken for UDP (load generators on
   * the same machine hold thousands of UDP ports).
   */
  static int freeUdpPort() {
    try (java.net.DatagramSocket s = new java.net.DatagramSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
