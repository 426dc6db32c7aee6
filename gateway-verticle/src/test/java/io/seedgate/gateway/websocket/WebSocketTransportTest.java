package io.seedgate.gateway.websocket;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.common.embedded.BackingServices;
import io.seedgate.gateway.GatewayVerticle;
import io.seedgate.gateway.LocalGateways;
import io.seedgate.gateway.RawSocket;
import io.seedgate.router.RouterVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
  private static final int REDIS_DB = 13;
  private static final int MAX_QUEUED = 64 * 1024;

  private static Vertx vertx;
  private static NodeConfig config;
  private static Redis redis;
  private static final List<GatewayVerticle> GATEWAYS = new ArrayList<>();
  private static int port;
  private static ListAppender<ILoggingEvent> leakReports;
  private static ResourceLeakDetector.Level leakLevelBefore;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    // after Vert.x started: it turns Netty's leak detection off when no system property asks for it
    leakLevelBefore = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    leakReports = new ListAppender<>();
    leakReports.start();
    ((Logger) LoggerFactory.getLogger(ResourceLeakDetector.class)).addAppender(leakReports);
    NodeConfig resolved = BackingServices.resolve(NodeConfig.defaults());
    String redisUrl = resolved.string(Settings.REDIS_URL).replaceAll("/\\d*$", "") + "/" + REDIS_DB;
    config = resolved.with(Map.of(
      Settings.NODE_ID.path(), "wst-" + UUID.randomUUID().toString().substring(0, 6),
      Settings.REDIS_URL.path(), redisUrl,
      Settings.JWT_SECRET.path(), "ws-transport-secret-0123456789-0123456789",
      Settings.ROLES.path(), new JsonArray(List.of("gateway", "router")),
      Settings.ACTION_CHANNEL_PREFIX.path(), "wst-" + UUID.randomUUID().toString().substring(0, 6) + ":action:",
      Settings.GATEWAY_HOST.path(), "127.0.0.1",
      Settings.WS_PORT.path(), 0,
      Settings.WS_MAX_FRAME_BYTES.path(), MAX_MESSAGE,
      Settings.TCP_ENABLED.path(), false,
      Settings.UDP_ENABLED.path(), false));
    config = config.with(Map.of(Settings.AUTH_TIMEOUT.path(), 1, Settings.MAX_QUEUED_BYTES.path(), MAX_QUEUED));
    await(vertx.deployVerticle(RouterVerticle::new, new DeploymentOptions().setConfig(config.toJson())));
    await(vertx.deployVerticle(() -> {
      GatewayVerticle g = new GatewayVerticle();
      synchronized (GATEWAYS) {
        GATEWAYS.add(g);
      }
      return g;
    }, new DeploymentOptions().setConfig(config.toJson()).setInstances(INSTANCES)));
    port = GATEWAYS.get(0).webSocketPort();
    redis = Redis.createClient(vertx, redisUrl);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (redis != null) {
        await(redis.send(Request.cmd(Command.FLUSHDB)));
      }
      await(vertx.close());
      assertNoLeakReported();
    } finally {
      ResourceLeakDetector.setLevel(leakLevelBefore);
      ((Logger) LoggerFactory.getLogger(ResourceLeakDetector.class)).detachAppender(leakReports);
    }
  }

  @Test
  void theInstancesShareOnePortAndTakeNewConnectionsInTurn() {
    assertTrue(port > 0, "a port was chosen: " + port);
    for (GatewayVerticle g : GATEWAYS) {
      assertEquals(port, g.webSocketPort(), "every instance reports the one port");
    }
    waitUntil(() -> LocalGateways.sessions(vertx) == 0);
    List<RawSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 2 * INSTANCES; i++) {
        sockets.add(RawSocket.open(port, "/any/path?x=" + i));
      }
      waitUntil(() -> LocalGateways.sessions(vertx) == 2 * INSTANCES);
      for (GatewayVerticle g : GATEWAYS) {
        assertEquals(2, g.hub().sessionCount(), "each instance got every third connection");
      }
    } finally {
      sockets.forEach(RawSocket::close);
    }
    waitUntil(() -> LocalGateways.sessions(vertx) == 0);
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
      String handshake = RawSocket.handshake("/");
      unfinished.write(handshake.substring(0, handshake.length() - 2));
      assertNotNull(silent.readUntilClosed(5_000), "a silent connection is closed");
      assertNotNull(unfinished.readUntilClosed(5_000), "an unfinished handshake is closed");
      long took = System.currentTimeMillis() - start;
      assertTrue(took >= 900 && took < 4_000, "closed at the 1 s deadline, after " + took + " ms");
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
    waitUntil(() -> LocalGateways.sessions(vertx) == 0);
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
    String viaQuery = signIn(map);
    String viaHeader = signIn(map);
    try (RawSocket a = RawSocket.open(port, "/?token=" + viaQuery);
         RawSocket b = RawSocket.connect(port)) {
      String handshake = RawSocket.handshake("/game");
      b.write(handshake.substring(0, handshake.length() - 2) + "Authorization: Bearer " + viaHeader + "\r\n\r\n");
      assertTrue(b.readHead(5_000).startsWith("HTTP/1.1 101"));
      waitUntil(() -> LocalGateways.players(vertx) == playersBefore + 2);

      byte[] valid = "{\"say\":\"h\u00e9llo \u043f\u0440\u0438\u0432\u0435\u0442 \ud83d\ude00\"}"
        .getBytes(StandardCharsets.UTF_8);
      publish(RedisKeys.mapChannel(map), valid);
      for (RawSocket s : List.of(a, b)) {
        RawSocket.Frame f = s.nextFrame(RawSocket.TEXT, 5_000);
        assertNotNull(f, "the map broadcast reached every player");
        assertArrayEquals(valid, f.payload(), "the bytes as published");
      }

      byte[] invalid = {'{', '"', 'x', '"', ':', '"', (byte) 0xff, 'a', (byte) 0xc3, '"', '}'};
      publish(RedisKeys.tokenChannel(viaQuery), invalid);
      RawSocket.Frame f = a.nextFrame(RawSocket.TEXT, 5_000);
      assertNotNull(f);
      assertEquals("{\"x\":\"\ufffda\ufffd\"}", f.text(), "decoded with replacement characters, as before");
      assertArrayEquals("{\"x\":\"\ufffda\ufffd\"}".getBytes(StandardCharsets.UTF_8), f.payload(),
        "and sent as valid UTF-8");
    }
    waitUntil(() -> LocalGateways.players(vertx) == playersBefore);
  }

  @Test
  void aClientThatDoesNotReadIsDisconnectedOnceMoreThanMaxQueuedBytesWait() throws Exception {
    ListAppender<ILoggingEvent> sessionLog = new ListAppender<>();
    sessionLog.start();
    Logger logger = (Logger) LoggerFactory.getLogger(io.seedgate.gateway.session.Session.class);
    logger.addAppender(sessionLog);
    String map = "wst-map-" + UUID.randomUUID();
    int playersBefore = LocalGateways.players(vertx);
    String token = signIn(map);
    try (RawSocket slow = RawSocket.open(port, "/?token=" + token, 4096)) {
      waitUntil(() -> LocalGateways.players(vertx) == playersBefore + 1);
      byte[] payload = json(16 * 1024);
      for (int i = 0; i < 400 && LocalGateways.players(vertx) > playersBefore; i++) {
        publish(RedisKeys.tokenChannel(token), payload);
      }
      waitUntil(() -> LocalGateways.players(vertx) == playersBefore);
      assertTrue(sessionLog.list.stream().anyMatch(e -> e.getFormattedMessage().contains("client too slow")),
        "ended as too slow to receive");
      assertNotNull(slow.readUntilClosed(10_000), "and its connection closed");
    } finally {
      logger.detachAppender(sessionLog);
    }
  }

  @Test
  void anotherDeploymentOnPortZeroGetsAPortOfItsOwnWhichClosesWithItsLastInstance() throws Exception {
    List<GatewayVerticle> instances = new ArrayList<>();
    String other = await(vertx.deployVerticle(() -> {
      GatewayVerticle g = new GatewayVerticle();
      synchronized (instances) {
        instances.add(g);
      }
      return g;
    }, new DeploymentOptions().setConfig(config.toJson()).setInstances(2)));
    int otherPort = instances.get(0).webSocketPort();
    assertEquals(otherPort, instances.get(1).webSocketPort(), "the deployment's instances share their port");
    assertNotEquals(port, otherPort, "not the first deployment's port");
    try (RawSocket s = RawSocket.open(otherPort, "/")) {
      s.frame(RawSocket.TEXT, "{}".getBytes(StandardCharsets.UTF_8));
      assertEquals("{\"error\":\"invalid token\"}", s.nextFrame(RawSocket.TEXT, 5_000).text());
    }
    await(vertx.undeploy(other));
    assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", otherPort).close(),
      "the port is closed with the deployment's last instance");
    try (RawSocket s = RawSocket.open(port, "/")) {
      assertNotNull(s, "the first deployment's port still serves");
    }
  }

  /**
   * Collects garbage, allocates (the detector reports what it found on allocation) and checks that the detector
   * works (a buffer leaked here on purpose is reported) and reported nothing else.
   */
  private static void assertNoLeakReported() throws InterruptedException {
    leakOnPurpose();
    boolean seen = false;
    for (int round = 0; round < 50 && !seen; round++) {
      System.gc();
      Thread.sleep(20);
      for (int i = 0; i < 100; i++) {
        ByteBufAllocator.DEFAULT.directBuffer(64).release();
        ByteBufAllocator.DEFAULT.heapBuffer(64).release();
      }
      seen = reports().stream().anyMatch(r -> r.contains("leaked on purpose"));
    }
    assertTrue(seen, "the leak detector works (it reported the buffer leaked on purpose): " + reports());
    List<String> others = reports().stream().filter(r -> !r.contains("leaked on purpose")).toList();
    assertTrue(others.isEmpty(), "no buffer leaked: " + others);
  }

  private static void leakOnPurpose() {
    ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(16);
    b.touch("leaked on purpose");
  }

  private static List<String> reports() {
    synchronized (leakReports) {
      return leakReports.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("LEAK"))
        .toList();
    }
  }

  private static String signIn(String map) throws Exception {
    String token = UUID.randomUUID().toString().toUpperCase();
    await(redis.send(Request.cmd(Command.HSET).arg(token).arg("id").arg("wst-" + UUID.randomUUID())
      .arg("map_id").arg(map)));
    return token;
  }

  private static void publish(String channel, byte[] payload) throws Exception {
    await(redis.send(Request.cmd(Command.PUBLISH).arg(channel).arg(Buffer.buffer(payload))));
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

  private static void waitUntil(BooleanSupplier condition) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
