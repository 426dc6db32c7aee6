package io.seedgate.node;

import io.seedgate.common.FreePorts;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.embedded.BackingServices;

/** The backing servers and free ports of this module's tests (awaiting and polling: {@code test-support}). */
final class TestSupport {

  private static NodeConfig backing;

  private TestSupport() {
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
