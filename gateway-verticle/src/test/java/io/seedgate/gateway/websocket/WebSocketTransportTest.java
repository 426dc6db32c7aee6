package io.seedgate.gateway.websocket;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.seedgate.gateway.GatewayFixture;
import io.seedgate.gateway.GatewayVerticle;
import io.seedgate.gateway.LocalGateways;
import io.seedgate.gateway.RawSocket;
import io.seedgate.gateway.netty.SessionChannel;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
 * The WebSocket port over real sockets: {@value #INSTANCES} gateway instances (real {@link GatewayVerticle}s, a real
 * router, real Redis) on port 0, a message limit of {@value #MAX_MESSAGE} bytes (hard limit 4,000), a 1 s handshake
 * deadline and {@value #MAX_QUEUED} bytes of outbound queue per client. Netty's leak detector runs at its paranoid level throughout, and must report no leaked buffer at the end.
 */
class WebSocketTransportTest {

  private static final int INSTANCES = 3;
  private static final int MAX_MESSAGE = 1000;
  private static final int HARD_LIMIT = MAX_MESSAGE * WebSocketTransport.HARD_LIMIT_FACTOR;
  private static final int MAX_QUEUED = 64 * 1024;

  private static GatewayFixture fixture;
  private static Vertx vertx;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    fixture = GatewayFixture.start("wst", INSTANCES, Map.of(
      Settings.WS_MAX_FRAME_BYTES.path(), MAX_MESSAGE,
      Settings.TCP_ENABLED.path(), false,
      Settings.AUTH_TIMEOUT.path(), 1,
      Settings.MAX_QUEUED_BYTES.path(), MAX_QUEUED));
    vertx = fixture.vertx;
    port = fixture.gateways.get(0).webSocketPort();
  }

  @AfterAll
  static void stop() throws Exception {
    fixture.stop();
  }

  @Test
  void theInstancesShareOnePortAndTakeNewConnectionsInTurn() {
    assertTrue(port > 0, "a port was chosen: " + port);
    for (GatewayVerticle g : fixture.gateways) {
      assertEquals(port, g.webSocketPort(), "every instance reports the one port");
    }
    until(() -> LocalGateways.sessions(vertx) == 0);
    List<RawSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 2 * INSTANCES; i++) {
        sockets.add(RawSocket.open(port, "/any/path?x=" + i));
      }
      until(() -> LocalGateways.sessions(vertx) == 2 * INSTANCES);
      for (GatewayVerticle g : fixture.gateways) {
        assertEquals(2, g.hub().sessionCount(), "each instance got every third connection");
      }
    } finally {
      sockets.forEach(RawSocket::close);
    }
    until(() -> LocalGateways.sessions(vertx) == 0);
  }

  @Test
  void aPlainHttpRequestIsToldToUpgradeAndClosed() {
    try (RawSocket s = RawSocket.connect(port)) {
      s.write("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      String head = s.readHead(5_000);
      assertTrue(head.startsWith("HTTP/1.1 426 "), head);
      assertTrue(head.toLowerCase().contains("\r\nupgrade: websocket\r\n"), head);
      byte[] rest = s.readUntilClosed(5_000);
      assertNotNull(rest, "closed after the answer");
      assertEquals("WebSocket only\n", new String(rest, StandardCharsets.US_ASCII));
    }
  }

  @Test
  void aConnectionThatNeverCompletesItsHandshakeIsClosedAtTheDeadline() {
    try (RawSocket silent = RawSocket.connect(port); RawSocket unfinished = RawSocket.connect(port)) {
      long start = System.currentTimeMillis();
      // closed by the 1 s handshake deadline, not by another timer (the idle timeout is 300 s): closed within 4 s of
      // the start, the deadline of these waits, and not before the deadline
      long deadline = start + 4_000;
      String handshake = RawSocket.handshake("/");
      unfinished.write(handshake.substring(0, handshake.length() - 2));
      assertNotNull(silent.readUntilClosed(Math.max(1, deadline - System.currentTimeMillis())),
        "a silent connection is closed by the deadline");
      assertNotNull(unfinished.readUntilClosed(Math.max(1, deadline - System.currentTimeMillis())),
        "an unfinished handshake is closed by the deadline");
      long took = System.currentTimeMillis() - start;
      assertTrue(took >= 900, "closed before the 1 s deadline, after " + took + " ms");
      System.out.println("handshake deadline of 1 s: closed after " + took + " ms");
    }
  }

  @Test
  void aMessageOverTheLimitIsRefusedAndOneOverTheHardLimitIsClosedWith1009() {
    try (RawSocket s = RawSocket.open(port, "/")) {
      s.frame(RawSocket.TEXT, json(MAX_MESSAGE + 1));
      assertEquals("{\"error\":\"message too large\"}", s.nextFrame(RawSocket.TEXT, 5_000).text());
      assertEquals(1000, s.nextFrame(RawSocket.CLOSE, 5_000).closeCode());
    }
    try (RawSocket s = RawSocket.open(port, "/")) {
      // two fragments, each within the limit: measured whole
      s.frame(RawSocket.TEXT, json(800), false).frame(RawSocket.CONTINUATION, spaces(800), true);
      assertEquals("{\"error\":\"message too large\"}", s.nextFrame(RawSocket.TEXT, 5_000).text());
    }
    try (RawSocket s = RawSocket.open(port, "/")) {
      s.frame(RawSocket.BINARY, spaces(HARD_LIMIT + 1));
      assertEquals(1009, s.nextFrame(RawSocket.CLOSE, 5_000).closeCode(), "one frame over the hard limit");
    }
    try (RawSocket s = RawSocket.open(port, "/")) {
      s.frame(RawSocket.TEXT, json(1500), false).frame(RawSocket.CONTINUATION, spaces(1500), false)
        .frame(RawSocket.CONTINUATION, spaces(1500), true);
      assertEquals(1009, s.nextFrame(RawSocket.CLOSE, 5_000).closeCode(), "fragments over the hard limit");
    }
    until(() -> LocalGateways.sessions(vertx) == 0);
  }

  @Test
  void fragmentsAreJoinedIntoOneMessageAndInvalidUtf8TextIsClosedWith1007() {
    try (RawSocket s = RawSocket.open(port, "/")) {
      s.frame(RawSocket.TEXT, "{\"token\":\"no-such".getBytes(StandardCharsets.UTF_8), false)
        .frame(RawSocket.CONTINUATION, "-token\"}".getBytes(StandardCharsets.UTF_8), true);
      assertEquals("{\"error\":\"invalid token\"}", s.nextFrame(RawSocket.TEXT, 5_000).text(),
        "one message, parsed and its token checked");
    }
    try (RawSocket s = RawSocket.open(port, "/")) {
      s.frame(RawSocket.TEXT, new byte[] {'{', '"', (byte) 0xff, '"', '}'});
      assertEquals(1007, s.nextFrame(RawSocket.CLOSE, 5_000).closeCode());
    }
  }

  @Test
  void deliveriesGoOutAsTextFramesOfTheirOwnBytesAndInvalidUtf8IsReplaced() throws Exception {
    String map = "wst-map-" + UUID.randomUUID();
    int playersBefore = LocalGateways.players(vertx);
    String viaQuery = fixture.signIn(map);
    String viaHeader = fixture.signIn(map);
    try (RawSocket a = RawSocket.open(port, "/?token=" + viaQuery);
         RawSocket b = RawSocket.connect(port)) {
      String handshake = RawSocket.handshake("/game");
      b.write(handshake.substring(0, handshake.length() - 2) + "Authorization: Bearer " + viaHeader + "\r\n\r\n");
      assertTrue(b.readHead(5_000).startsWith("HTTP/1.1 101"));
      until(() -> LocalGateways.players(vertx) == playersBefore + 2);

      byte[] valid = "{\"say\":\"h\u00e9llo \u043f\u0440\u0438\u0432\u0435\u0442 \ud83d\ude00\"}"
        .getBytes(StandardCharsets.UTF_8);
      fixture.publish(RedisKeys.mapChannel(map), valid);
      for (RawSocket s : List.of(a, b)) {
        RawSocket.Frame f = s.nextFrame(RawSocket.TEXT, 5_000);
        assertNotNull(f, "the map broadcast reached every player");
        assertArrayEquals(valid, f.payload(), "the bytes as published");
      }

      byte[] invalid = {'{', '"', 'x', '"', ':', '"', (byte) 0xff, 'a', (byte) 0xc3, '"', '}'};
      fixture.publish(RedisKeys.tokenChannel(viaQuery), invalid);
      RawSocket.Frame f = a.nextFrame(RawSocket.TEXT, 5_000);
      assertNotNull(f);
      assertEquals("{\"x\":\"\ufffda\ufffd\"}", f.text(), "decoded with replacement characters, as before");
      assertArrayEquals("{\"x\":\"\ufffda\ufffd\"}".getBytes(StandardCharsets.UTF_8), f.payload(),
        "and sent as valid UTF-8");
    }
    until(() -> LocalGateways.players(vertx) == playersBefore);
  }

  @Test
  void aClientThatDoesNotReadIsToldWhyWithCloseCode1008AfterWhatWasQueuedOnceItReadsAgain() throws Exception {
    String map = "wst-map-" + UUID.randomUUID();
    int playersBefore = LocalGateways.players(vertx);
    long slowBefore = LocalGateways.slowClients(vertx);
    String token = fixture.signIn(map);
    try (RawSocket slow = RawSocket.open(port, "/?token=" + token, 4096)) {
      until(() -> LocalGateways.players(vertx) == playersBefore + 1);
      byte[] payload = json(16 * 1024);
      int published = 0;
      // the client reads nothing meanwhile: its receive buffer, then the kernel's send buffer, then the queue fill
      for (; published < 400 && LocalGateways.slowClients(vertx) == slowBefore; published++) {
        fixture.publish(RedisKeys.tokenChannel(token), payload);
      }
      until(() -> LocalGateways.slowClients(vertx) == slowBefore + 1);
      assertTrue(published > MAX_QUEUED / payload.length, "cut off only once its queue was full: " + published);

      // it reads again: what was queued for it, the error, then the close frame with the reason
      int deliveries = 0;
      String lastText = null;
      RawSocket.Frame f;
      while ((f = slow.readFrame(10_000)) != null && f.opcode() == RawSocket.TEXT) {
        lastText = f.text();
        deliveries += f.payload().length == payload.length ? 1 : 0;
      }
      assertNotNull(f, "a close frame came");
      assertEquals(RawSocket.CLOSE, f.opcode());
      assertEquals(1008, f.closeCode(), "policy violation");
      assertEquals("too slow to receive", f.closeReason());
      assertEquals("{\"error\":\"too slow to receive\"}", lastText, "the error came right before it");
      assertTrue(deliveries > 0, "after the deliveries that were queued: " + deliveries);
      assertNotNull(slow.readUntilClosed(10_000), "and the connection closed");
    }
    until(() -> LocalGateways.players(vertx) == playersBefore);
  }

  @Test
  void aClientTooSlowThatNeverReadsAgainIsClosedAfterTheBound() throws Exception {
    String map = "wst-map-" + UUID.randomUUID();
    int playersBefore = LocalGateways.players(vertx);
    long slowBefore = LocalGateways.slowClients(vertx);
    String token = fixture.signIn(map);
    try (RawSocket dead = RawSocket.open(port, "/?token=" + token, 4096)) {
      until(() -> LocalGateways.players(vertx) == playersBefore + 1);
      byte[] payload = json(16 * 1024);
      for (int i = 0; i < 400 && LocalGateways.slowClients(vertx) == slowBefore; i++) {
        fixture.publish(RedisKeys.tokenChannel(token), payload);
      }
      until(() -> LocalGateways.slowClients(vertx) == slowBefore + 1);
      long cut = System.currentTimeMillis();
      // its session ends when the bound runs out: not before it, and within the deadline of this wait
      until("the session of the slow client ended", Duration.ofMillis(SessionChannel.LAST_WORDS_MS + 4_000),
        () -> LocalGateways.players(vertx) == playersBefore);
      long took = System.currentTimeMillis() - cut;
      assertTrue(took >= SessionChannel.LAST_WORDS_MS - 500, "its session ended before the bound ran out, after "
        + took + " ms");
      System.out.println("last words bound of " + SessionChannel.LAST_WORDS_MS + " ms: session ended after " + took
        + " ms");
    }
  }

  @Test
  void anotherDeploymentOnPortZeroGetsAPortOfItsOwnWhichClosesWithItsLastInstance() throws Exception {
    List<GatewayVerticle> instances = new ArrayList<>();
    String other = fixture.deployGateways(2, instances);
    int otherPort = instances.get(0).webSocketPort();
    assertEquals(otherPort, instances.get(1).webSocketPort(), "the deployment's instances share their port");
    assertNotEquals(port, otherPort, "not the first deployment's port");
    try (RawSocket s = RawSocket.open(otherPort, "/")) {
      s.frame(RawSocket.TEXT, "{}".getBytes(StandardCharsets.UTF_8));
      assertEquals("{\"error\":\"invalid token\"}", s.nextFrame(RawSocket.TEXT, 5_000).text());
    }
    await(vertx.undeploy(other));
    assertFalse(RawSocket.listening(otherPort), "the port is closed with the deployment's last instance");
    try (RawSocket s = RawSocket.open(port, "/")) {
      assertNotNull(s, "the first deployment's port still serves");
    }
  }

  /** A JSON object of exactly {@code n} bytes. */
  private static byte[] json(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) ' ');
    b[0] = '{';
    b[n - 1] = '}';
    return b;
  }

  private static byte[] spaces(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) ' ');
    return b;
  }

}
