package io.seedgate.gateway.session;

import io.seedgate.common.config.Settings;
import io.seedgate.gateway.GatewayFixture;
import io.seedgate.gateway.LocalGateways;
import io.seedgate.gateway.RawSocket;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.seedgate.testsupport.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * {@code gateway.limits.maxConnectionsPerIp} over real sockets (two gateway instances, a real router, real Redis,
 * every client from 127.0.0.1): it bounds the connections of one address that have not authenticated, not the
 * players behind it.
 */
class PerIpLimitTest {

  private static final int PER_IP = 4;

  private static GatewayFixture fixture;
  private static Vertx vertx;
  private static int wsPort;
  private static int tcpPort;

  @BeforeAll
  static void start() throws Exception {
    fixture = GatewayFixture.start("pip", 2, Map.of(
      Settings.MAX_CONNECTIONS_PER_IP.path(), PER_IP,
      Settings.AUTH_TIMEOUT.path(), 60));
    vertx = fixture.vertx;
    wsPort = fixture.gateways.get(0).webSocketPort();
    tcpPort = fixture.gateways.get(0).tcpPort();
  }

  @AfterAll
  static void stop() throws Exception {
    fixture.stop();
  }

  @Test
  void authenticatedPlayersDoNotCountAgainstTheirAddressButConnectionsWithoutATokenDo() throws Exception {
    String map = "pip-map-" + UUID.randomUUID();
    int players = 5 * PER_IP;
    List<RawSocket> open = new ArrayList<>();
    try {
      // one login at a time (a connection counts against its address until the router has checked its token)
      for (int i = 0; i < players; i++) {
        open.add(RawSocket.open(wsPort, "/?token=" + fixture.signIn(map)));
        int expected = i + 1;
        until(() -> LocalGateways.players(vertx) == expected);
      }
      for (int i = 0; i < PER_IP; i++) {
        open.add(i % 2 == 0 ? RawSocket.open(wsPort, "/") : RawSocket.connect(tcpPort));
      }
      until(() -> LocalGateways.sessions(vertx) == players + PER_IP);
      assertEquals(players, LocalGateways.players(vertx), "every player is in");

      try (RawSocket refused = RawSocket.open(wsPort, "/")) {
        RawSocket.Frame error = refused.nextFrame(RawSocket.TEXT, 5_000);
        assertNotNull(error, "one connection too many without a token is refused");
        assertEquals("{\"error\":\"too many connections\"}", error.text());
        assertEquals(1000, refused.nextFrame(RawSocket.CLOSE, 5_000).closeCode());
      }
      try (RawSocket refused = RawSocket.connect(tcpPort)) {
        assertEquals("{\"error\":\"too many connections\"}||", refused.readUntil("||", 5_000), "on TCP too");
        assertNotNull(refused.readUntilClosed(5_000), "and closed");
      }

      // a connection without a token that closes makes room for another
      open.remove(open.size() - 1).close();
      until(() -> LocalGateways.sessions(vertx) == players + PER_IP - 1);
      open.add(RawSocket.connect(tcpPort));
      until(() -> LocalGateways.sessions(vertx) == players + PER_IP);
      RawSocket last = open.get(open.size() - 1);
      last.write("{}||");
      assertEquals("{\"error\":\"invalid token\"}||", last.readUntil("||", 5_000), "it was served");
    } finally {
      open.forEach(RawSocket::close);
    }
    until(() -> LocalGateways.sessions(vertx) == 0);
    assertEquals(0, LocalGateways.players(vertx));
  }
}
