package io.seedgate.node;

import io.seedgate.common.RedisKeys;

import io.seedgate.gateway.LocalGateways;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.seedgate.testsupport.Eventually.until;
import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Two gateway nodes clustered over the Vert.x event bus (Hazelcast, TCP-IP join on loopback) in one JVM, one
 * Redis: a client may connect to either and is delivered to wherever it is.
 */
class ClusterTest {

  private static final String CLUSTER = "seed-test-" + UUID.randomUUID();
  private static final String PREFIX = "action:" + UUID.randomUUID().toString().substring(0, 8) + ":";
  private static TestNode a;
  private static TestNode b;

  @BeforeAll
  static void start() {
    a = TestNode.startClustered(CLUSTER, true, Map.of("node.id", "A-" + CLUSTER.substring(11, 17),
      "routing.actionChannelPrefix", PREFIX));
    b = TestNode.startClustered(CLUSTER, false, Map.of("node.id", "B-" + CLUSTER.substring(11, 17),
      "routing.actionChannelPrefix", PREFIX));
    until(Duration.ofSeconds(5),
      () -> ((HazelcastClusterManager) ((VertxInternal) a.vertx).clusterManager()).getNodes().size() == 2);
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  @Test
  void playersOnTwoNodesSeeEachOthersMovesExactlyOnce() {
    String map = "m" + UUID.randomUUID();
    try (TestClient onA = loggedIn(a, a.signIn(player(), map)); TestClient onB = loggedIn(b, b.signIn(player(), map))) {
      onA.nextContaining("\"idle\"");
      onB.sendBinary(new JsonObject().put("action", "move/up"));
      JsonObject seenOnA = onA.nextContaining("move_up");
      JsonObject seenOnB = onB.nextContaining("move_up");
      assertEquals(seenOnA, seenOnB);
      onA.expectNothing(300);
      onB.expectNothing(50);
    }
  }

  @Test
  void aMessageForOnePlayerIsReceivedOnlyByTheNodeHoldingIt() {
    String map = "m" + UUID.randomUUID();
    String token = b.signIn(player(), map);
    try (TestClient onB = loggedIn(b, token)) {
      long aBefore = LocalGateways.receivedFromRedis(a.vertx);
      long bBefore = LocalGateways.receivedFromRedis(b.vertx);
      for (int i = 0; i < 20; i++) {
        await(a.redis.publish("token:" + token, "{\"n\":" + i + "}"));
        await(a.redis.publish("map:" + map, "{\"m\":" + i + "}"));
      }
      for (int i = 0; i < 20; i++) {
        onB.nextContaining("\"m\":" + i);
      }
      until(Duration.ofSeconds(5), () -> LocalGateways.receivedFromRedis(b.vertx) - bBefore >= 40);
      assertEquals(0, LocalGateways.receivedFromRedis(a.vertx) - aBefore,
        "node A has no player on that map and not that player: Redis sends it nothing");
    }
  }

  @Test
  void aSecondLoginOnAnotherNodeClosesTheFirst() {
    String token = a.signIn(player(), "m" + UUID.randomUUID());
    try (TestClient onA = loggedIn(a, token); TestClient onB = loggedIn(b, token)) {
      assertEquals("logged in elsewhere", onA.nextContaining("error").getString("error"));
      onA.awaitClose();
      onB.sendBinary(new JsonObject().put("action", "move/left"));
      onB.nextContaining("move_left");
    }
  }

  @Test
  void whenANodeDiesTheOthersEndItsSessions() {
    TestNode c = TestNode.startClustered(CLUSTER, false, Map.of("node.id", "C-" + CLUSTER.substring(11, 17),
      "routing.actionChannelPrefix", PREFIX));
    String map = "m" + UUID.randomUUID();
    String player = player();
    String token = c.signIn(player, map);
    TestClient onC = loggedIn(c, token);
    assertEquals(token, await(c.redis.zrange(List.of("map:" + map, "0", "-1"))).get(0).toString());
    HazelcastClusterManager hz = (HazelcastClusterManager) ((VertxInternal) c.vertx).clusterManager();
    long start = System.currentTimeMillis();
    hz.getHazelcastInstance().getLifecycleService().terminate();
    until(Duration.ofMillis(15_000), () -> await(a.redis.zscore("map:" + map, token)) == null);
    until(Duration.ofMillis(5_000), () -> await(a.redis.get("seed:session:" + player)) == null);
    long tookMs = System.currentTimeMillis() - start;
    assertNull(await(a.redis.hget(RedisKeys.onlineShard(token), token)));
    System.out.println("sessions of the dead node ended after " + tookMs + " ms");
    onC.close();
    c.vertx.close();
  }

  private static TestClient loggedIn(TestNode node, String token) {
    TestClient c = node.client();
    c.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
    c.nextContaining("\"load\"");
    return c;
  }

  private static String player() {
    return Long.toString(5_000_000 + (long) (Math.random() * 1_000_000_000L));
  }
}
