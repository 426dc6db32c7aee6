package io.seedgate.gateway.tcp;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.seedgate.gateway.GatewayFixture;
import io.seedgate.gateway.GatewayVerticle;
import io.seedgate.gateway.LocalGateways;
import io.seedgate.gateway.RawSocket;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.seedgate.testsupport.Await.await;
import static io.seedgate.testsupport.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TCP port over real sockets: {@value #INSTANCES} gateway instances (real {@link GatewayVerticle}s, a real router,
 * real Redis) with the TCP and the WebSocket port both on port 0, a message limit of {@value #MAX_MESSAGE} bytes, a
 * 1 s authentication deadline and {@value #MAX_QUEUED} bytes of outbound queue per client. Netty's leak detector
 * runs at its paranoid level throughout, and must report no leaked buffer at the end.
 */
class TcpTransportTest {

  private static final int INSTANCES = 3;
  private static final int MAX_MESSAGE = 1000;
  private static final int MAX_QUEUED = 64 * 1024;
  private static final String END = TcpTransport.DELIMITER;

  private static GatewayFixture fixture;
  private static Vertx vertx;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    fixture = GatewayFixture.start("tct", INSTANCES, Map.of(
      Settings.TCP_MAX_FRAME_BYTES.path(), MAX_MESSAGE,
      Settings.AUTH_TIMEOUT.path(), 1,
      Settings.MAX_QUEUED_BYTES.path(), MAX_QUEUED));
    vertx = fixture.vertx;
    port = fixture.gateways.get(0).tcpPort();
  }

  @AfterAll
  static void stop() throws Exception {
    fixture.stop();
  }

  @Test
  void theInstancesShareOnePortOfTheirOwnAndTakeNewConnectionsInTurn() {
    assertTrue(port > 0, "a port was chosen: " + port);
    for (GatewayVerticle g : fixture.gateways) {
      assertEquals(port, g.tcpPort(), "every instance reports the one TCP port");
    }
    assertNotEquals(fixture.gateways.get(0).webSocketPort(), port, "the WebSocket port, also on port 0, is another one");
    until(() -> LocalGateways.sessions(vertx) == 0);
    List<RawSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 2 * INSTANCES; i++) {
        sockets.add(RawSocket.connect(port));
      }
      until(() -> LocalGateways.sessions(vertx) == 2 * INSTANCES);
      for (GatewayVerticle g : fixture.gateways) {
        assertEquals(2, g.hub().sessionCount(), "each instance got every third connection");
      }
      sockets.get(0).write("{\"token\":\"no-such-token\"}" + END);
      assertEquals("{\"error\":\"invalid token\"}" + END, sockets.get(0).readUntil(END, 5_000),
        "the port speaks the TCP protocol");
    } finally {
      sockets.forEach(RawSocket::close);
    }
    until(() -> LocalGateways.sessions(vertx) == 0);
  }

  @Test
  void aFrameOverTheLimitIsAnsweredWithAnErrorAndAClose() {
    try (RawSocket whole = RawSocket.connect(port); RawSocket arriving = RawSocket.connect(port)) {
      whole.write("{\"pad\":\"" + "x".repeat(MAX_MESSAGE) + "\"}" + END);
      assertEquals("{\"error\":\"message too large\"}" + END, new String(whole.readUntilClosed(5_000),
        StandardCharsets.ISO_8859_1), "a whole frame over the limit");
      // no delimiter yet: refused once more than the limit (and a delimiter) is buffered
      arriving.write("{\"pad\":\"" + "y".repeat(MAX_MESSAGE + 8));
      assertEquals("{\"error\":\"message too large\"}" + END, new String(arriving.readUntilClosed(5_000),
        StandardCharsets.ISO_8859_1), "a frame still arriving");
    }
    until(() -> LocalGateways.sessions(vertx) == 0);
  }

  @Test
  void deliveriesAreTheirBytesAndTheDelimiterToEveryPlayerOfTheMap() throws Exception {
    String map = "tct-map-" + UUID.randomUUID();
    int playersBefore = LocalGateways.players(vertx);
    String first = fixture.signIn(map);
    String second = fixture.signIn(map);
    try (RawSocket a = RawSocket.connect(port); RawSocket b = RawSocket.connect(port)) {
      // a token message split over writes, and one with a second message in the same write
      a.write("{\"token\":\"" + first.substring(0, 5));
      a.write(first.substring(5) + "\",\"action\":\"api/save\"}" + END);
      b.write("{\"token\":\"" + second + "\",\"action\":\"api/save\"}" + END + END);
      until(() -> LocalGateways.players(vertx) == playersBefore + 2);
      byte[] payload = "{\"say\":\"h\u00e9llo \ud83d\ude00\"}".getBytes(StandardCharsets.UTF_8);
      fixture.publish(RedisKeys.mapChannel(map), payload);
      for (RawSocket s : List.of(a, b)) {
        String got = s.readUntil(END, 5_000);
        assertArrayEquals((new String(payload, StandardCharsets.ISO_8859_1) + END).getBytes(StandardCharsets.ISO_8859_1),
          got.getBytes(StandardCharsets.ISO_8859_1), "the published bytes and the delimiter");
      }
    }
    until(() -> LocalGateways.players(vertx) == playersBefore);
  }

  @Test
  void aClientThatDoesNotReadGetsTheErrorAfterWhatWasQueuedOnceItReadsAgain() throws Exception {
    String map = "tct-map-" + UUID.randomUUID();
    int playersBefore = LocalGateways.players(vertx);
    long slowBefore = LocalGateways.slowClients(vertx);
    String token = fixture.signIn(map);
    try (RawSocket slow = RawSocket.connect(port, 4096)) {
      slow.write("{\"token\":\"" + token + "\",\"action\":\"api/save\"}" + END);
      until(() -> LocalGateways.players(vertx) == playersBefore + 1);
      byte[] payload = ("{\"pad\":\"" + "z".repeat(16 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 400 && LocalGateways.slowClients(vertx) == slowBefore; i++) {
        fixture.publish(RedisKeys.tokenChannel(token), payload);
      }
      until(() -> LocalGateways.slowClients(vertx) == slowBefore + 1);
      byte[] all = slow.readUntilClosed(10_000);
      assertNotNull(all, "its connection closed");
      String text = new String(all, StandardCharsets.UTF_8);
      assertTrue(text.endsWith("\"}" + END + "{\"error\":\"too slow to receive\"}" + END),
        "what was queued, then the error: ..." + text.substring(Math.max(0, text.length() - 80)));
    }
    until(() -> LocalGateways.players(vertx) == playersBefore);
  }

  @Test
  void anotherDeploymentOnPortZeroGetsAPortOfItsOwnWhichClosesWithItsLastInstance() throws Exception {
    List<GatewayVerticle> instances = new ArrayList<>();
    String other = fixture.deployGateways(2, instances);
    int otherPort = instances.get(0).tcpPort();
    assertEquals(otherPort, instances.get(1).tcpPort(), "the deployment's instances share their port");
    assertNotEquals(port, otherPort, "not the first deployment's port");
    try (RawSocket s = RawSocket.connect(otherPort)) {
      s.write("{}" + END);
      assertEquals("{\"error\":\"invalid token\"}" + END, s.readUntil(END, 5_000));
    }
    await(vertx.undeploy(other));
    assertFalse(RawSocket.listening(otherPort), "the port is closed with the deployment's last instance");
    try (RawSocket s = RawSocket.connect(port)) {
      s.write("{}" + END);
      assertEquals("{\"error\":\"invalid token\"}" + END, s.readUntil(END, 5_000),
        "the first deployment's port still serves");
    }
  }
}
