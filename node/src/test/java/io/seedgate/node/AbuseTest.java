package io.seedgate.node;

import io.seedgate.common.RedisKeys;

import io.seedgate.common.config.Settings;
import io.seedgate.gateway.RawSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.MultiMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.seedgate.testsupport.Eventually.until;
import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Abuse over real sockets against one node with short deadlines (authentication 1 s, idle 3 s) and a 1.5 MB
 * WebSocket message limit: slow and half-open connections, malformed and hostile input, forged, expired, replayed
 * and kicked tokens. Each test ends with the node serving a normal client (login and a move through the example
 * service).
 */
class AbuseTest {

  static final int MAX_FRAME = 1_500_000;
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("gateway.authTimeoutSeconds", 1, "gateway.idleTimeoutSeconds", 3,
      "gateway.websocket.maxFrameBytes", MAX_FRAME,
      "roles", new JsonArray(List.of("gateway", "router", "persistence"))));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static int tcpPort() {
    return node.config.get(Settings.TCP_PORT);
  }

  @Test
  void aTcpClientDribblingAByteEvery100msBeforeLoginIsClosedByTheAuthenticationDeadline() {
    try (RawSocket s = RawSocket.connect(tcpPort())) {
      long start = System.currentTimeMillis();
      AtomicBoolean stop = new AtomicBoolean();
      Thread dribbler = dribble(s, ("{\"token\":\"" + "A".repeat(200)).getBytes(StandardCharsets.US_ASCII), stop);
      byte[] got = s.readUntilClosed(5_000);
      stop.set(true);
      long took = System.currentTimeMillis() - start;
      assertNotNull(got, "closed");
      assertTrue(new String(got, StandardCharsets.UTF_8).contains("authentication timeout"), new String(got));
      // the error says it was the authentication deadline; the time is only not before it
      assertTrue(took >= 900, "closed before the deadline, after " + took + " ms");
      System.out.println("authentication deadline of 1 s, a byte every 100 ms: closed after " + took + " ms");
      join(dribbler);
    }
    assertServesANormalClient();
  }

  @Test
  void aLoggedInTcpClientThatStopsMidFrameOrDribblesIsClosedByTheIdleTimeoutAndItsStateKept() {
    String map = newMap();
    String token = node.signIn(newPlayer(), map);
    try (TcpTestClient c = TcpTestClient.connect(tcpPort())) {
      c.send(new JsonObject().put("token", token).put("action", "api/load"));
      c.nextContaining("\"load\"");
      c.sendRaw("{\"action\":\"move/up\"".getBytes(StandardCharsets.US_ASCII));
      long start = System.currentTimeMillis();
      for (int i = 0; i < 60 && !c.isClosed(); i++) {
        c.sendRaw(new byte[] {' '});
        WebSocketGatewayTest.sleep(100);
      }
      assertEquals("timeout", c.nextContaining("error").getString("error"));
      c.awaitClose();
      long took = System.currentTimeMillis() - start;
      // the error says it was the idle timeout; the time is only not before it
      assertTrue(took >= 2_500, "closed before the idle timeout, after " + took + " ms");
      System.out.println("idle timeout: closed after " + took + " ms");
    }
    until(Duration.ofSeconds(5), () -> await(node.redis.zscore("map:" + map, token)) == null);
    until(Duration.ofSeconds(5), () -> await(node.redis.hget(RedisKeys.onlineShard(token), token)) == null);
    assertServesANormalClient();
  }

  @Test
  void halfOpenConnectionsAreClosedByTheDeadline() {
    try (RawSocket tcp = RawSocket.connect(tcpPort());
         RawSocket silent = RawSocket.connect(node.port);
         RawSocket unfinished = RawSocket.connect(node.port);
         RawSocket dribbling = RawSocket.connect(node.port);
         RawSocket plainHttp = RawSocket.connect(node.port)) {
      long start = System.currentTimeMillis();
      String handshake = RawSocket.handshake("/");
      unfinished.write(handshake.substring(0, handshake.length() - 2));
      AtomicBoolean stop = new AtomicBoolean();
      Thread dribbler = dribble(dribbling, handshake.getBytes(StandardCharsets.US_ASCII), stop);
      plainHttp.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertTrue(plainHttp.readHead(5_000).startsWith("HTTP/1.1 426"), "a plain request is told to upgrade");

      // every one closed by the deadline: within 5 s of the start, the deadline of these waits
      long deadline = start + 5_000;
      byte[] tcpGot = tcp.readUntilClosed(Math.max(1, deadline - System.currentTimeMillis()));
      assertNotNull(tcpGot, "a silent TCP connection is closed");
      assertTrue(new String(tcpGot, StandardCharsets.UTF_8).contains("authentication timeout"));
      List<String> names = List.of("silent", "unfinished", "dribbling", "plain HTTP");
      List<RawSocket> sockets = List.of(silent, unfinished, dribbling, plainHttp);
      for (int i = 0; i < sockets.size(); i++) {
        assertNotNull(sockets.get(i).readUntilClosed(Math.max(1, deadline - System.currentTimeMillis())),
          "a " + names.get(i) + " WebSocket connection is closed by the deadline");
      }
      stop.set(true);
      long took = System.currentTimeMillis() - start;
      System.out.println("half-open connections: all closed after " + took + " ms");
      join(dribbler);
    }
    until(Duration.ofSeconds(5), () -> io.seedgate.gateway.LocalGateways.sessions(node.vertx) == 0);
    assertServesANormalClient();
  }

  @Test
  void anOversizedHandshakeHeaderIsRefusedCleanly() {
    try (RawSocket s = RawSocket.connect(node.port)) {
      s.write(RawSocket.handshake("/", "X-Pad: " + "a".repeat(64 * 1024) + "\r\n"));
      String head = s.readHead(5_000);
      assertTrue(head.startsWith("HTTP/1.1 431") || head.startsWith("HTTP/1.1 400"), "refused: " + head);
      assertNotNull(s.readUntilClosed(5_000), "and closed");
    }
    assertServesANormalClient();
  }

  @Test
  void invalidUtf8InTextAndBinaryFramesEndsInACloseWithoutHarm() {
    byte[] bad = "{\"action\":\"move/up\",\"x\":\"\u0000\"}".getBytes(StandardCharsets.UTF_8);
    bad[bad.length - 3] = (byte) 0xC3;
    byte[] badText = bad.clone();
    badText[badText.length - 3] = (byte) 0xFF;
    try (RawSocket text = rawLoggedIn()) {
      text.frame(RawSocket.TEXT, badText);
      // Vert.x decodes text frames leniently (an invalid sequence becomes U+FFFD), so the message may be handled;
      // what matters is a defined outcome: handled, refused as malformed, or closed as invalid data (1007)
      RawSocket.Frame f = text.readFrame(5_000);
      while (f != null && f.opcode() != RawSocket.CLOSE && !f.text().contains("move_up")
        && !f.text().contains("error")) {
        f = text.readFrame(5_000);
      }
      assertNotNull(f, "an answer to invalid UTF-8 in a text frame");
      if (f.opcode() == RawSocket.CLOSE) {
        assertEquals(1007, f.closeCode(), "closed as invalid frame payload data");
      } else {
        String answer = f.text();
        assertTrue(answer.contains("move_up") || answer.contains("malformed message"), answer);
      }
    }
    try (RawSocket binary = rawLoggedIn()) {
      binary.frame(RawSocket.BINARY, bad);
      assertEquals("malformed message", new JsonObject(nextError(binary)).getString("error"));
      RawSocket.Frame f = binary.readFrame(5_000);
      while (f != null && f.opcode() != RawSocket.CLOSE) {
        f = binary.readFrame(5_000);
      }
      assertNotNull(f, "then the server closes (close frame)");
    }
    assertServesANormalClient();
  }

  @Test
  void aHundredThousandOpenBracketsAreMalformed() {
    try (TestClient c = loggedIn()) {
      c.sendText("[".repeat(100_000));
      assertEquals("malformed message", c.nextContaining("error").getString("error"));
      c.awaitClose();
    }
    try (TestClient c = loggedIn()) {
      c.sendText("{\"action\":\"move/up\",\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}");
      assertEquals("malformed message", c.nextContaining("error").getString("error"));
      c.awaitClose();
    }
    assertServesANormalClient();
  }

  @Test
  void anObjectWithAHundredThousandKeysWithinTheLimitIsHandledAndNothingStalls() {
    StringBuilder b = new StringBuilder("{\"action\":\"move/up\"");
    for (int i = 0; i < 100_000; i++) {
      b.append(",\"k").append(i).append("\":").append(i & 7);
    }
    String big = b.append('}').toString();
    assertTrue(big.length() < MAX_FRAME, "within the frame limit: " + big.length());
    try (TestClient c = loggedIn(); TestClient bystander = loggedIn()) {
      long start = System.currentTimeMillis();
      c.sendText(big);
      bystander.sendBinary(new JsonObject().put("action", "move/down"));
      bystander.nextContaining("move_down");
      c.nextContaining("move_up");
      assertTrue(System.currentTimeMillis() - start < 5_000);
    }
    assertServesANormalClient();
  }

  @Test
  void aTextFrameIsMeasuredInUtf8BytesNotCharacters() {
    String euros = "\u20ac".repeat(MAX_FRAME / 3 + 10_000);
    try (TestClient c = loggedIn()) {
      c.sendText("{\"action\":\"move/up\",\"pad\":\"" + euros + "\"}");
      assertEquals("message too large", c.nextContaining("error").getString("error"));
      c.awaitClose();
    }
    assertServesANormalClient();
  }

  @Test
  void forgedAndExpiredJwtsAreRefused() {
    String player = newPlayer();
    String genuine = node.jwt(player, newMap(), 60);
    String[] parts = genuine.split("\\.");
    String forged = parts[0] + "." + b64("{\"sub\":\"1\",\"map\":\"1\",\"exp\":" + (System.currentTimeMillis() / 1000
      + 3600) + "}") + "." + parts[2];
    assertRefused(forged, "invalid token");
    assertRefused(parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 2) + "AA",
      "invalid token");
    assertRefused(node.jwt(player, newMap(), -1), "token expired");
    assertServesANormalClient();
  }

  @Test
  void aKicked2021TokenIsRefusedAfterwardsAndAKeptOfflineHashToo() {
    String player = newPlayer();
    String token = node.signIn(player, newMap());
    try (TestClient c = loggedIn(token)) {
      kick(player);
      assertEquals("kicked", c.nextContaining("error").getString("error"));
      c.awaitClose();
    }
    until(Duration.ofSeconds(5), () -> await(node.redis.exists(List.of(token))).toInteger() == 0);
    assertRefused(token, "invalid token");

    // a hash kept after a failed save is marked offline: its token is refused all the same
    String kept = UUID.randomUUID().toString().toUpperCase();
    await(node.redis.hset(List.of(kept, "id", newPlayer(), "map_id", "1", "action", "offline", "token", "")));
    assertRefused(kept, "invalid token");
    assertServesANormalClient();
  }

  @Test
  void aReplayedJwtIsAcceptedUntilItExpiresAndReplacesTheLiveSession() {
    String player = newPlayer();
    String jwt = node.jwt(player, newMap(), 60);
    MultiMap none = MultiMap.caseInsensitiveMultiMap();
    try (TestClient first = TestClient.connect(node.vertx, node.port, "/?token=" + jwt, none)) {
      first.sendBinary(new JsonObject().put("action", "api/load"));
      first.nextContaining("\"load\"");
      try (TestClient replay = TestClient.connect(node.vertx, node.port, "/?token=" + jwt, none)) {
        assertEquals("logged in elsewhere", first.nextContaining("error").getString("error"));
        replay.sendBinary(new JsonObject().put("action", "api/load"));
        replay.nextContaining("\"load\"");
        kick(player);
        assertEquals("kicked", replay.nextContaining("error").getString("error"));
        replay.awaitClose();
      }
    }
    try (TestClient again = TestClient.connect(node.vertx, node.port, "/?token=" + jwt, none)) {
      again.sendBinary(new JsonObject().put("action", "move/up"));
      again.nextContaining("move_up");
    }
    assertServesANormalClient();
  }

  @Test
  void aUdpFloodFromManySourceAddressesGetsBoundedRepliesAndOpensNoLastingState() throws Exception {
    int port = node.config.get(Settings.UDP_PORT);
    List<java.net.DatagramSocket> sockets = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        java.net.DatagramSocket d = new java.net.DatagramSocket(new java.net.InetSocketAddress("127.0.0." + (2 + i), 0));
        d.setSoTimeout(1);
        sockets.add(d);
      }
      java.net.InetSocketAddress server = new java.net.InetSocketAddress("127.0.0.1", port);
      byte[] noToken = "{\"action\":\"move/up\",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}||"
        .getBytes(StandardCharsets.US_ASCII);
      long start = System.currentTimeMillis();
      int sent = 0;
      for (int round = 0; round < 30; round++) {
        for (java.net.DatagramSocket d : sockets) {
          byte[] data = round % 10 == 9
            ? ("{\"token\":\"" + UUID.randomUUID().toString().toUpperCase() + "\",\"action\":\"api/load\"}||")
              .getBytes(StandardCharsets.US_ASCII)
            : noToken;
          d.send(new java.net.DatagramPacket(data, data.length, server));
          sent++;
        }
      }
      int replies = 0;
      long until = System.currentTimeMillis() + 1_500;
      byte[] buf = new byte[65536];
      while (System.currentTimeMillis() < until) {
        for (java.net.DatagramSocket d : sockets) {
          try {
            d.receive(new java.net.DatagramPacket(buf, buf.length));
            replies++;
          } catch (java.net.SocketTimeoutException e) {
            // nothing for this one now
          }
        }
      }
      long seconds = (System.currentTimeMillis() - start) / 1000 + 1;
      assertTrue(replies >= 1, "some error replies");
      assertTrue(replies <= sockets.size() * (seconds + 1) && replies <= 200 * (seconds + 1),
        replies + " replies to " + sent + " datagrams from " + sockets.size() + " addresses in " + seconds + " s");
      until(Duration.ofSeconds(5), () -> UdpGatewayTest.stats(node).pending() == 0
        && UdpGatewayTest.stats(node).addresses() == 0);
    } finally {
      sockets.forEach(java.net.DatagramSocket::close);
    }
    try (UdpTestClient honest = UdpGatewayTest.loggedIn(node, node.signIn(newPlayer(), newMap()))) {
      honest.send(new JsonObject().put("action", "move/up"));
      honest.nextContaining("move_up");
    }
    assertServesANormalClient();
  }

  @Test
  void aMapBroadcastReachesEveryPlayerWhileOneOfThemIsClosing() {
    String map = newMap();
    try (RawSocket closing = rawLoggedIn(node.signIn(newPlayer(), map));
         TestClient staying = loggedIn(node.signIn(newPlayer(), map))) {
      // a fatal error: the server sends it and a close frame, and waits (up to its closing timeout) for the client's
      // close frame, which never comes; meanwhile the session is still on the map
      closing.frame(RawSocket.TEXT, "{\"pingTime\":1}".getBytes(StandardCharsets.US_ASCII));
      assertEquals("no action", new JsonObject(nextError(closing)).getString("error"));
      for (int i = 0; i < 20; i++) {
        await(node.redis.publish("map:" + map, "{\"wave\":" + i + "}"));
        assertEquals(i, staying.nextContaining("wave").getInteger("wave"), "broadcast " + i);
      }
    }
    assertServesANormalClient();
  }

  /** A fresh player logs in over WebSocket and moves; the example service answers. */
  static void assertServesANormalClient(TestNode n) {
    try (TestClient c = n.client()) {
      c.sendBinary(new JsonObject().put("token", n.signIn(newPlayer(), newMap())).put("action", "api/load"));
      c.nextContaining("\"load\"");
      c.sendBinary(new JsonObject().put("action", "move/up"));
      c.nextContaining("move_up");
    }
  }

  private static void assertServesANormalClient() {
    assertServesANormalClient(node);
  }

  private static void kick(String player) {
    await(node.redis.publish("gateway:control", new JsonObject().put("type", "kick").put("player", player).encode()));
  }

  private static TestClient loggedIn() {
    return loggedIn(node.signIn(newPlayer(), newMap()));
  }

  private static TestClient loggedIn(String token) {
    TestClient c = node.client();
    c.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
    c.nextContaining("\"load\"");
    return c;
  }

  private static RawSocket rawLoggedIn() {
    return rawLoggedIn(node.signIn(newPlayer(), newMap()));
  }

  private static RawSocket rawLoggedIn(String token) {
    RawSocket s = RawSocket.webSocket(node.port, "");
    s.frame(RawSocket.TEXT, new JsonObject().put("token", token).put("action", "api/load")
      .encode().getBytes(StandardCharsets.UTF_8));
    String load = s.nextText(5_000);
    while (load != null && !load.contains("\"load\"")) {
      load = s.nextText(5_000);
    }
    assertNotNull(load, "logged in");
    return s;
  }

  private static String nextError(RawSocket s) {
    String text = s.nextText(5_000);
    while (text != null && !text.contains("error")) {
      text = s.nextText(5_000);
    }
    assertNotNull(text, "an error");
    return text;
  }

  private static void assertRefused(String token, String error) {
    try (TestClient c = node.client()) {
      c.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
      assertEquals(error, c.next().getString("error"), "for token " + token);
      c.awaitClose();
    }
  }

  /** Writes the bytes one every 100 ms from another thread until told to stop or the connection is gone. */
  private static Thread dribble(RawSocket s, byte[] bytes, AtomicBoolean stop) {
    Thread t = new Thread(() -> {
      for (int i = 0; !stop.get(); i++) {
        if (!s.tryWrite(new byte[] {bytes[i % bytes.length]})) {
          return;
        }
        WebSocketGatewayTest.sleep(100);
      }
    }, "dribbler");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void join(Thread t) {
    try {
      t.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String newMap() {
    return "m" + UUID.randomUUID().toString().substring(0, 8);
  }

  static String newPlayer() {
    return Long.toString(1_000_000 + (long) (Math.random() * 1_000_000_000L));
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
