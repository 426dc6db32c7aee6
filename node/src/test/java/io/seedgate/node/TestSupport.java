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

  /**
   * A TCP port free now, below the ephemeral range (32768 and up here): a port from {@code new ServerSocket(0)} is an
   * ephemeral one, which any outgoing connection (a Redis client, a test client) may take as its source port before
   * the node binds it, and the bind then fails with "Address already in use".
   */
  static int freePort() {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = nextPort();
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new java.net.InetSocketAddress(port));
        return port;
      } catch (IOException taken) {
        // in use: the next one
      }
    }
    throw new AssertionError("no free port between " + FIRST_PORT + " and " + (FIRST_PORT + PORTS));
  }

  private static final int FIRST_PORT = 20_000;
  private static final int PORTS = 12_000;
  /** Ports are handed out in turn from a random start, so that a port just closed is not reused at once. */
  private static final java.util.concurrent.atomic.AtomicInteger NEXT =
    new java.util.concurrent.atomic.AtomicInteger(new java.util.Random().nextInt(PORTS));

  private static int nextPort() {
    return FIRST_PORT + Math.floorMod(NEXT.getAndIncrement(), PORTS);
  }

  /**
   * A port free for UDP now. Not {@link #freePort()}: a port free for TCP may be taken for UDP (load generators on
   * the same machine hold thousands of UDP ports).
   */
  static int freeUdpPort() {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = nextPort();
      try (java.net.DatagramSocket s = new java.net.DatagramSocket(port)) {
        return s.getLocalPort();
      } catch (IOException taken) {
        // in use: the next one
      }
    }
    throw new AssertionError("no free UDP port between " + FIRST_PORT + " and " + (FIRST_PORT + PORTS));
  }
}
