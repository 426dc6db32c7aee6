package io.seedgate.node;

import io.vertx.core.transport.Transport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** {@code node.transport}: what the launcher gives Vert.x. */
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
}
