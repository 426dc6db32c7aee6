package io.seedgate.node;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.seedgate.testsupport.RedisClusterServers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node on a Redis Cluster of three masters with a replica each ({@code redis.mode} {@code cluster}), real processes
 * started by the test: when the master holding the players' map (and some of their keys, the node's subscriptions
 * and the example service's publishing connection) is killed (SIGKILL) while
 * they are online, the cluster promotes its replica and the node follows by itself: moves are answered and map
 * deliveries arrive again within seconds, no player is closed, every player is still online and on its map.
 * Skipped, with the reason, where {@code redis-server} or {@code redis-cli} is missing.
 */
class RedisClusterFailoverTest {

  private static final int PLAYERS = 10;

  private static RedisClusterServers cluster;
  private static TestNode node;

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(RedisClusterServers.available(), RedisClusterServers::whyUnavailable);
    cluster = RedisClusterServers.start(3, 1);
    Map<String, Object> settings = new HashMap<>();
    settings.put(Settings.REDIS_MODE.path(), Settings.REDIS_CLUSTER);
    settings.put(Settings.REDIS_ENDPOINTS.path(), new JsonArray(cluster.seeds()));
    settings.put(Settings.ROLES.path(), new JsonArray(List.of("gateway", "router", "persistence")));
    node = TestNode.start(settings);
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theMasterOfTheMapKilledUnderLoadIsReplacedAndTheNodeCarriesOnWithEveryPlayer() {
    // the map on the first seed's master: the node's subscribers and the service's publisher are on that node too,
    // so the kill takes all of them down at once
    int firstSeed = Integer.parseInt(cluster.seeds().get(0).substring(cluster.seeds().get(0).lastIndexOf(':') + 1));
    String map = "m" + UUID.randomUUID().toString().substring(0, 8);
    while (cluster.masterOf(RedisKeys.mapGeoSet(map)) != firstSeed) {
      map = "m" + UUID.randomUUID().toString().substring(0, 8);
    }
    List<String> tokens = new ArrayList<>();
    List<String> players = new ArrayList<>();
    List<TestClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < PLAYERS; i++) {
        players.add(Long.toString(8_000_000_000L + (long) (Math.random() * 1_000_000_000L)));
        tokens.add(node.signIn(players.get(i), map));
        TestClient c = node.client();
        c.sendBinary(new JsonObject().put("token", tokens.get(i)).put("action", "api/load"));
        c.nextContaining("\"load\"");
        clients.add(c);
      }
      clients.get(0).sendBinary(new JsonObject().put("action", "move/up"));
      for (TestClient c : clients) {
        c.nextContaining("move_up");
      }

      int oldMaster = cluster.masterOf(RedisKeys.mapGeoSet(map));
      cluster.kill(oldMaster);
      long killed = System.nanoTime();
      int newMaster = cluster.awaitFailover(oldMaster, Duration.ofSeconds(30));
      assertNotEquals(oldMaster, newMaster);
      long promoted = System.nanoTime();

      // broadcasts and a move, again and again, until both get through
      long deliveredAt = -1;
      long movedAt = -1;
      TestClient probe = clients.get(1);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while ((deliveredAt < 0 || movedAt < 0) && System.nanoTime() < deadline) {
        if (deliveredAt < 0) {
          String marker = UUID.randomUUID().toString();
          boolean published = await(node.redis.publish(RedisKeys.mapChannel(map), "{\"marker\":\"" + marker + "\"}")
            .map(r -> r.toInteger() > 0).otherwise(false));
          if (published && arrives(clients.get(PLAYERS - 1), marker)) {
            deliveredAt = System.nanoTime();
          }
        }
        if (movedAt < 0) {
          probe.sendBinary(new JsonObject().put("action", "move/right"));
          if (arrives(probe, "move_right")) {
            movedAt = System.nanoTime();
          }
        }
      }
      assertTrue(deliveredAt > 0, "map deliveries through the new master");
      assertTrue(movedAt > 0, "actions through the new master");
      System.out.printf("[cluster failover] promoted %.1f s after the kill; deliveries back %.1f s and actions "
          + "%.1f s after the promotion%n", (promoted - killed) / 1e9, Math.max(0, deliveredAt - promoted) / 1e9,
        Math.max(0, movedAt - promoted) / 1e9);
      assertTrue(Math.max(deliveredAt, movedAt) - promoted < Duration.ofSeconds(15).toNanos(),
        "back within seconds of the promotion");

      for (TestClient c : clients) {
        assertFalse(c.isClosed(), "no player closed by the failover");
      }
      Set<String> members = new HashSet<>();
      for (Response r : await(node.redis.zrange(List.of(RedisKeys.mapGeoSet(map), "0", "-1")))) {
        members.add(r.toString());
      }
      assertEquals(new HashSet<>(tokens), members, "every player still on its map");
      for (int i = 0; i < PLAYERS; i++) {
        Response owner = await(node.redis.get(RedisKeys.sessionOwner(players.get(i))));
        assertTrue(owner != null && owner.toString().endsWith("|" + tokens.get(i)), "still online: " + owner);
      }
    } finally {
      clients.forEach(TestClient::close);
    }
  }

  /** Whether a message containing the fragment reaches the client within a second. */
  private static boolean arrives(TestClient c, String fragment) {
    long deadline = System.currentTimeMillis() + 1_000;
    while (System.currentTimeMillis() < deadline) {
      String text = c.nextText(Math.max(1, deadline - System.currentTimeMillis()));
      if (text != null && text.contains(fragment)) {
        return true;
      }
    }
    return false;
  }
}
