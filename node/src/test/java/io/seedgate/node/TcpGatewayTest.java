package io.seedgate.node;

import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.seedgate.testsupport.Eventually.until;
import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 2021 TCP transport end to end: real sockets, real Redis, the example service. */
class TcpGatewayTest {

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static String newMap() {
    return "m" + UUID.randomUUID().toString().substring(0, 8);
  }

  static String newPlayer() {
    return Long.toString(1_000_000 + (long) (Math.random() * 1_000_000_000L));
  }

  private static TcpTestClient client() {
    return TcpTestClient.connect(node.config.get(Settings.TCP_PORT));
  }

  @Test
  void a2021ClientLoadsAndMovesOverTcp() {
    String map = newMap();
    String player = newPlayer();
    String token = node.signIn(player, map);
    try (TcpTestClient c = client()) {
      c.send(new JsonObject().put("token", token).put("action", "api/load"));
      JsonObject load = c.nextContaining("\"load\"");
      assertEquals(1, load.getJsonArray("players").size(), "the map lists the player itself");
      JsonObject join = c.nextContaining("\"idle\"");
      assertEquals(Long.parseLong(player), join.getJsonArray("players").getJsonObject(0).getLong("id"));

      c.send(new JsonObject().put("action", "move/up").put("pingTime", 0.23)
        .put("map", new JsonObject().put("instanceID", 12345)));
      JsonObject me = c.nextContaining("move_up").getJsonArray("players").getJsonObject(0);
      assertEquals(0.5, me.getJsonArray("position").getDouble(1), 0.001);

      Response hash = await(node.redis.hgetall(token));
      assertEquals("move/up", hash.get("action").toString());
      assertEquals("0.23", hash.get("ping").toString());
      assertEquals("127.0.0.1", hash.get("ip").toString());
    }
    until(Duration.ofSeconds(5), () -> await(node.redis.zscore("map:" + map, token)) == null);
  }

  @Test
  void aMessageSplitByteByByteAndSeveralInOneWriteAreEachReadOnce() {
    String token = node.signIn(newPlayer(), newMap());
    try (TcpTestClient c = client()) {
      byte[] login = (new JsonObject().put("token", token).put("action", "api/load").encode() + "||")
        .getBytes(StandardCharsets.US_ASCII);
      c.sendByteByByte(login);
      c.nextContaining("\"load\"");
      c.nextContaining("\"idle\"");

      String three = "{\"action\":\"move/up\",\"pingTime\":0}||{\"action\":\"move/right\"}||"
        + "{\"action\":\"move/down\",\"pingTime\":0.1}||";
      c.sendRaw(three.getBytes(StandardCharsets.US_ASCII));
      assertEquals("move_up", action(c.nextContaining("move_")));
      assertEquals("move_right", action(c.nextContaining("move_")));
      assertEquals("move_down", action(c.nextContaining("move_")));

      // one message whose delimiter is split across two writes, then the next message glued to its end
      c.sendRaw("{\"action\":\"move/left\"}|".getBytes(StandardCharsets.US_ASCII));
      WebSocketGatewayTest.sleep(50);
      c.sendRaw("|{\"action\":\"move/up\"}||".getBytes(StandardCharsets.US_ASCII));
      assertEquals("move_left", action(c.nextContaining("move_")));
      assertEquals("move_up", action(c.nextContaining("move_")));
      c.expectNothing(200);
      assertFalse(c.isClosed());
    }
  }

  @Test
  void serverMessagesEndWithTheDelimiterAndArriveByteForByte() {
    String token = node.signIn(newPlayer(), newMap());
    try (TcpTestClient c = loggedIn(token)) {
      String payload = "{\"to\":\"token\",  \"spaced\" : true, \"utf8\":\"\u00e9\u043f\"}";
      await(node.redis.publish("token:" + token, payload));
      assertEquals(payload, c.nextText(5_000));
    }
  }

  @Test
  void aFrameOverTheLimitGetsTheErrorAndACloseWithoutHurtingOthers() {
    String map = newMap();
    try (TcpTestClient bystander = loggedIn(node.signIn(newPlayer(), map))) {
      int limit = node.config.get(Settings.TCP_MAX_FRAME_BYTES);
      try (TcpTestClient c = loggedIn(node.signIn(newPlayer(), map))) {
        byte[] endless = new byte[limit + 5_000];
        Arrays.fill(endless, (byte) 'a');
        c.sendRaw(endless);
        assertEquals("message too large", c.nextContaining("error").getString("error"));
        c.awaitClose();
      }
      try (TcpTestClient c = loggedIn(node.signIn(newPlayer(), map))) {
        byte[] big = new byte[limit + 10];
        Arrays.fill(big, (byte) ' ');
        String framed = "{\"action\":\"move/up\"" + new String(big, StandardCharsets.US_ASCII) + "}||";
        c.sendRaw(framed.getBytes(StandardCharsets.US_ASCII));
        assertEquals("message too large", c.nextContaining("error").getString("error"));
        c.awaitClose();
      }
      bystander.send(new JsonObject().put("action", "move/down"));
      assertNotNull(bystander.nextContaining("move_down"), "the node still serves the other clients");
    }
  }

  @Test
  void aMessageWithoutActionOrNotJsonIsAnErrorAndAClose() {
    try (TcpTestClient c = loggedIn(node.signIn(newPlayer(), newMap()))) {
      c.send(new JsonObject().put("pingTime", 1));
      assertEquals("no action", c.nextContaining("error").getString("error"));
      c.awaitClose();
    }
    try (TcpTestClient c = client()) {
      c.sendRaw("[1,2,3]||".getBytes(StandardCharsets.US_ASCII));
      assertEquals("malformed message", c.nextContaining("error").getString("error"));
      c.awaitClose();
    }
    try (TcpTestClient c = client()) {
      c.send(new JsonObject().put("token", UUID.randomUUID().toString().toUpperCase()).put("action", "api/load"));
      assertEquals("invalid token", c.next().getString("error"));
      c.awaitClose();
    }
  }

  @Test
  void aClientThatNeverSendsATokenIsClosedAfterTheAuthenticationDeadline() {
    try (TestNode strict = TestNode.start(Map.of("gateway.authTimeoutSeconds", 1))) {
      try (TcpTestClient c = TcpTestClient.connect(strict.config.get(Settings.TCP_PORT))) {
        long start = System.currentTimeMillis();
        assertEquals("authentication timeout", c.next().getString("error"));
        c.awaitClose();
        assertTrue(System.currentTimeMillis() - start >= 500, "not before the deadline");
        assertFalse(c.hadUnterminatedTail(), "the error ends with ||");
      }
    }
  }

  @Test
  void tlsFromPemFiles() {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    try (TestNode tls = TestNode.start(Map.of("gateway.tcp.tls.enabled", true,
      "gateway.tcp.tls.certFile", cert.certificatePath(), "gateway.tcp.tls.keyFile", cert.privateKeyPath()))) {
      String token = tls.signIn(newPlayer(), newMap());
      try (TcpTestClient c = TcpTestClient.connectTls(tls.config.get(Settings.TCP_PORT))) {
        c.send(new JsonObject().put("token", token).put("action", "api/load"));
        c.nextContaining("\"load\"");
        c.send(new JsonObject().put("action", "move/right"));
        c.nextContaining("move_right");
      }
    }
  }

  @Test
  void aTlsHandshakeThatNeverFinishesIsClosedAtTheAuthenticationDeadline() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    try (TestNode tls = TestNode.start(Map.of("gateway.tcp.tls.enabled", true, "gateway.authTimeoutSeconds", 1,
      "gateway.tcp.tls.certFile", cert.certificatePath(), "gateway.tcp.tls.keyFile", cert.privateKeyPath()));
         java.net.Socket silent = new java.net.Socket("127.0.0.1", tls.config.get(Settings.TCP_PORT))) {
      long start = System.currentTimeMillis();
      // closed by the 1 s authentication deadline, not by TLS's own 10 s handshake timeout: the read's deadline is
      // 5 s (a SocketTimeoutException fails the test), and not before the deadline
      silent.setSoTimeout(5_000);
      assertEquals(-1, silent.getInputStream().read(), "closed without a byte");
      long took = System.currentTimeMillis() - start;
      assertTrue(took >= 800, "closed before the 1 s deadline, after " + took + " ms");
      System.out.println("TLS handshake never finished: closed after " + took + " ms");
    }
  }

  @Test
  void tlsWithoutCertificateOrKeyStopsStartUpNamingTheSetting() {
    assertStartFails(Map.of("gateway.tcp.tls.enabled", true), "gateway.tcp.tls.certFile");
    assertStartFails(Map.of("gateway.tcp.tls.enabled", true, "gateway.tcp.tls.certFile", "/nonexistent/cert.pem"),
      "gateway.tcp.tls.keyFile");
    assertStartFails(Map.of("gateway.tcp.tls.enabled", true, "gateway.tcp.tls.certFile", "/nonexistent/cert.pem",
      "gateway.tcp.tls.keyFile", "/nonexistent/key.pem"), "gateway.tcp.tls.certFile");
  }

  private static void assertStartFails(Map<String, Object> settings, String named) {
    Vertx vertx = Vertx.vertx();
    try {
      NodeConfig config = TestSupport.backingServices().with(Map.of(
        Settings.WS_PORT.path(), TestSupport.freePort(), Settings.TCP_PORT.path(), TestSupport.freePort(),
        Settings.UDP_PORT.path(), TestSupport.freeUdpPort(), Settings.GATEWAY_INSTANCES.path(), 1,
        Settings.JWT_SECRET.path(), TestNode.JWT_SECRET,
        Settings.ROLES.path(), new io.vertx.core.json.JsonArray(List.of("gateway", "router"))))
        .with(settings);
      Throwable failure = vertx.deployVerticle(() -> new NodeVerticle(Map.of()),
          new DeploymentOptions().setConfig(config.toJson()))
        .toCompletionStage().toCompletableFuture()
        .handle((id, e) -> e).join();
      assertNotNull(failure, "start-up should fail for " + settings);
      assertTrue(String.valueOf(failure.getMessage()).contains(named), failure.toString());
    } finally {
      await(vertx.close());
    }
  }

  private static TcpTestClient loggedIn(String token) {
    TcpTestClient c = client();
    c.send(new JsonObject().put("token", token).put("action", "api/load"));
    c.nextContaining("\"load\"");
    c.nextContaining("\"idle\"");
    return c;
  }

  private static String action(JsonObject update) {
    return update.getJsonArray("players").getJsonObject(0).getString("action");
  }
}
