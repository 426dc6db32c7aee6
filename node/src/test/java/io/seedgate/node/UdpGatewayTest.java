package io.seedgate.node;

import io.seedgate.common.config.Settings;
import io.seedgate.gateway.udp.UdpStats;
import io.seedgate.gateway.udp.UdpTransport;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

import static io.seedgate.testsupport.Eventually.until;
import static io.seedgate.node.TcpGatewayTest.newMap;
import static io.seedgate.node.TcpGatewayTest.newPlayer;
import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 2021 UDP transport end to end: real datagrams, real Redis, the example service. */
class UdpGatewayTest {

  /** {@code {"error":"not authenticated"}}: what an unknown address may get, when its datagram is at least as long. */
  private static final String NOT_AUTHENTICATED = "{\"error\":\"not authenticated\"}";

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static UdpTestClient client(TestNode n) {
    return UdpTestClient.open(n.config.get(Settings.UDP_PORT));
  }

  static UdpStats stats(TestNode n) {
    UdpStats stats = (UdpStats) n.vertx.sharedData().getLocalMap(UdpTransport.SHARED_MAP).get(UdpTransport.STATS_KEY);
    assertNotNull(stats, "the node serves UDP");
    return stats;
  }

  /** A client that sent its token with api/load and got both the load reply and its own join broadcast. */
  static UdpTestClient loggedIn(TestNode n, String token) {
    UdpTestClient c = client(n);
    c.send(new JsonObject().put("token", token).put("action", "api/load"));
    c.nextContaining("\"load\"");
    c.nextContaining("\"idle\"");
    return c;
  }

  @Test
  void a2021ClientLoadsAndMovesOverUdp() {
    String map = newMap();
    String player = newPlayer();
    String token = node.signIn(player, map);
    try (UdpTestClient c = client(node)) {
      c.send(new JsonObject().put("token", token).put("action", "api/load"));
      String load = c.nextText(5_000);
      assertNotNull(load, "a load reply");
      assertFalse(load.endsWith("||"), "server datagrams are bare JSON");
      assertEquals("load", new JsonObject(load).getString("action"));
      JsonObject join = c.nextContaining("\"idle\"");
      assertEquals(Long.parseLong(player), join.getJsonArray("players").getJsonObject(0).getLong("id"));

      c.send(new JsonObject().put("action", "move/up").put("pingTime", 0.23)
        .put("map", new JsonObject().put("instanceID", 12345)));
      JsonObject me = c.nextContaining("move_up").getJsonArray("players").getJsonObject(0);
      assertEquals(0.5, me.getJsonArray("position").getDouble(1), 0.001);

      c.sendText("{\"action\":\"move/right\"}");
      c.nextContaining("move_right");

      Response hash = await(node.redis.hgetall(token));
      assertEquals("move/right", hash.get("action").toString());
      assertEquals("0.23", hash.get("ping").toString());
      assertEquals("127.0.0.1", hash.get("ip").toString());
    }
  }

  @Test
  void anUnknownAddressWithoutTokenGetsOneShortErrorNeverLargerThanItsDatagram() {
    try (UdpTestClient c = client(node)) {
      String datagram = "{\"action\":\"move/up\",\"pingTime\":0.23}||";
      c.sendText(datagram);
      byte[] reply = c.nextBytes(5_000);
      assertNotNull(reply, "one error reply");
      assertEquals(NOT_AUTHENTICATED, new String(reply, StandardCharsets.UTF_8));
      assertTrue(reply.length <= datagram.length(), "no amplification");
      c.expectNothing(200);
    }
    try (UdpTestClient c = client(node)) {
      long withheld = stats(node).repliesWithheld();
      c.sendText("{}||");
      c.expectNothing(500);
      assertTrue(stats(node).repliesWithheld() > withheld, "a reply larger than the datagram is withheld");
    }
  }

  @Test
  void aFloodFromOneAddressGetsBoundedRepliesAndOpensAtMostOneSession() {
    try (UdpTestClient c = client(node)) {
      long sentBefore = stats(node).unknownReplies();
      byte[] garbage = "{\"action\":\"move/up\",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}||"
        .getBytes(StandardCharsets.US_ASCII);
      long start = System.currentTimeMillis();
      for (int i = 0; i < 500; i++) {
        c.sendRaw(garbage);
      }
      int replies = c.countFor(1_000);
      long seconds = (System.currentTimeMillis() - start) / 1000 + 1;
      assertTrue(replies >= 1 && replies <= seconds, replies + " replies to 500 datagrams in " + seconds + " s");
      assertTrue(stats(node).unknownReplies() - sentBefore <= seconds);

      // made-up tokens from the same address: one pending session at most, and still bounded replies
      int before = stats(node).addresses();
      for (int i = 0; i < 200; i++) {
        c.send(new JsonObject().put("token", UUID.randomUUID().toString().toUpperCase()).put("action", "api/load"));
      }
      assertTrue(stats(node).addresses() <= before + 1, "one address, at most one session");
      assertTrue(stats(node).pending() <= 1, "pending sessions: " + stats(node).pending());
      int more = c.countFor(1_200);
      assertTrue(more <= 2, more + " replies to 200 datagrams with made-up tokens");
    }
  }

  @Test
  void oversizedDatagramsAreDroppedAndCounted() {
    String token = node.signIn(newPlayer(), newMap());
    try (UdpTestClient c = loggedIn(node, token)) {
      long dropped = stats(node).oversizedDropped();
      byte[] big = new byte[node.config.get(Settings.UDP_MAX_DATAGRAM_BYTES) + 100];
      Arrays.fill(big, (byte) ' ');
      big[0] = '{';
      big[big.length - 1] = '}';
      c.sendRaw(big);
      c.expectNothing(300);
      assertEquals(dropped + 1, stats(node).oversizedDropped());
      c.send(new JsonObject().put("action", "move/left"));
      c.nextContaining("move_left");
    }
  }

  @Test
  void aServerMessageTooLargeForADatagramBecomesAnErrorAndIsCounted() {
    String token = node.signIn(newPlayer(), newMap());
    int limit = node.config.get(Settings.UDP_MAX_OUTBOUND_DATAGRAM_BYTES);
    try (UdpTestClient c = loggedIn(node, token)) {
      long before = stats(node).tooLargeOutbound();
      String fits = "{\"pad\":\"" + "y".repeat(limit - 10) + "\"}";
      assertEquals(limit, fits.length());
      await(node.redis.publish("token:" + token, fits));
      assertEquals(fits, c.nextText(5_000), "a message of exactly the limit arrives byte for byte");

      String big = "{\"pad\":\"" + "x".repeat(limit) + "\"}";
      await(node.redis.publish("token:" + token, big));
      JsonObject notice = c.next();
      assertEquals(UdpTransport.TOO_LARGE_FOR_UDP, notice.getString("error"));
      assertEquals(limit, notice.getInteger("limit"));
      assertEquals(before + 1, stats(node).tooLargeOutbound());

      c.send(new JsonObject().put("action", "move/down"));
      c.nextContaining("move_down");
    }
  }

  @Test
  void anIdleSessionExpiresAndItsAddressIsUnknownAgain() {
    try (TestNode idle = TestNode.start(Map.of("gateway.idleTimeoutSeconds", 1))) {
      String map = newMap();
      String token = idle.signIn(newPlayer(), map);
      try (UdpTestClient c = loggedIn(idle, token)) {
        assertEquals(1, stats(idle).addresses());
        assertEquals("timeout", c.nextContaining("error").getString("error"));
        until(Duration.ofSeconds(5), () -> stats(idle).addresses() == 0);
        until(Duration.ofSeconds(5), () -> await(idle.redis.zscore("map:" + map, token)) == null);
        c.sendText("{\"action\":\"move/up\",\"pingTime\":0.23}||");
        assertEquals(NOT_AUTHENTICATED, c.nextText(5_000));
        assertEquals(0, stats(idle).addresses(), "no session without a token");
      }
    }
  }

  @Test
  void aBadTokenIsRefusedWithinTheDatagramsSizeAndTheAddressForgotten() {
    try (UdpTestClient c = client(node)) {
      c.send(new JsonObject().put("token", UUID.randomUUID().toString().toUpperCase()).put("action", "api/load"));
      assertEquals("invalid token", c.next().getString("error"));
      until(Duration.ofSeconds(5), () -> stats(node).pending() == 0);
    }
  }
}
