package io.seedgate.node;

import io.vertx.core.transport.Transport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** {@code node.transport}: what the launcher gives Vert.x; and the Vert.x meters it leaves out. */
class TransportChoiceTest {

  @Test
  void epollIsVertxsOwnChoiceNioAndNoNativeTransportMeanNio() {
    assertNull(SeedGatewayLauncher.transport("epoll", true), "Vert.x's native transport: epoll on Linux");
    assertSame(Transport.NIO, SeedGatewayLauncher.transport("nio", true));
    assertSame(Transport.NIO, SeedGatewayLauncher.transport("io_uring", false), "preferNativeTransport false wins");
  }

  @Test
  void ioUringWhereItLoadsElseVertxsChoice() {
    Transport uring = Transport.IO_URING;
    Transport chosen = SeedGatewayLauncher.transport("io_uring", true);
    if (uring != null && uring.available()) {
      assertSame(uring, chosen);
    } else {
      assertNull(chosen, "falls back to Vert.x's choice");
    }
  }

  @Test
  void vertxRedisClientMetersAreLeftOut() {
    io.vertx.core.json.JsonObject options = new SeedGatewayLauncher(new String[0]).afterVertxOptionsParsed(null);
    io.vertx.micrometer.MicrometerMetricsOptions metrics =
      new io.vertx.micrometer.MicrometerMetricsOptions(options.getJsonObject("metricsOptions"));
    org.junit.jupiter.api.Assertions.assertTrue(metrics.isEnabled());
    org.junit.jupiter.api.Assertions.assertTrue(metrics.isMetricsCategoryDisabled("redis"),
      "Vert.x's Redis client would time every command");
    org.junit.jupiter.api.Assertions.assertFalse(metrics.isMetricsCategoryDisabled("net"));
  }
}
