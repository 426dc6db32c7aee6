package io.seedgate.node;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.seedgate.testsupport.RedisClusterServers;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node on a Redis Cluster of three masters with a replica each ({@code redis.mode} {@code cluster}), real processes
 * started by the test: when the master holding the players' map (and some of their keys, the node's subscriptions
 * and the example service's publishing connection) is killed (SIGKILL) under load ({@link FailoverUnderLoad}: the
 * players moving in a closed loop, broadcasts on their map), the cluster promotes its replica and the node follows
 * by itself: moves are answered and map deliveries arrive again within seconds, no acknowledged move is lost but
 * what Redis's asynchronous replication may lose, no player is closed, every player is still online and on its map.
 * Skipped, with the reason, where {@code redis-server} or {@code redis-cli} is missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisClusterFailoverTest {

  private static final int PLAYERS = 20;

  private RedisClusterServers cluster;
  private TestNode node;

  /** Settings on top of the cluster's, for a subclass's mode. */
  protected Map<String, Object> moreSettings() {
    return Map.of();
  }

  @BeforeAll
  void start() {
    Assumptions.assumeTrue(RedisClusterServers.available(), RedisClusterServers::whyUnavailable);
    cluster = RedisClusterServers.start(3, 1);
    Map<String, Object> settings = new HashMap<>();
    settings.put(Settings.REDIS_MODE.path(), Settings.REDIS_CLUSTER);
    settings.put(Settings.REDIS_ENDPOINTS.path(), new JsonArray(cluster.seeds()));
    settings.put(Settings.ROLES.path(), new JsonArray(List.of("gateway", "router", "persistence")));
    settings.putAll(moreSettings());
    node = TestNode.start(settings);
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theMasterOfTheMapKilledUnderLoadIsReplacedAndTheNodeCarriesOnWithEveryPlayer() throws Exception {
    // the map on the first seed's master: the node's subscribers and the service's publishing connection are on
    // that node too, so the kill takes all of them down at once
    int firstSeed = Integer.parseInt(cluster.seeds().get(0).substring(cluster.seeds().get(0).lastIndexOf(':') + 1));
    String map = FailoverUnderLoad.freshMap();
    while (cluster.masterOf(RedisKeys.mapGeoSet(map)) != firstSeed) {
      map = FailoverUnderLoad.freshMap();
    }
    FailoverUnderLoad load = new FailoverUnderLoad(node, map, PLAYERS,
      Settings.PUBSUB_SHARDED.equals(node.config.get(Settings.PUBSUB)));
    try {
      int oldMaster = cluster.masterOf(RedisKeys.mapGeoSet(map));
      int[] newMaster = new int[1];
      FailoverUnderLoad.Report report = load.run(() -> cluster.kill(oldMaster),
        () -> newMaster[0] = cluster.awaitFailover(oldMaster, Duration.ofSeconds(30)));
      assertNotEquals(oldMaster, newMaster[0]);
      assertTrue(Math.max(report.actionsBackSeconds(), report.deliveriesBackSeconds()) < 15,
        "back within seconds of the promotion: " + report);
    } finally {
      load.closeClients();
    }
  }
}
