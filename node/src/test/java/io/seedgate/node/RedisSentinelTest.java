package io.seedgate.node;

import io.seedgate.common.config.Settings;
import io.seedgate.testsupport.RedisSentinelServers;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node on a Redis master watched by three Sentinels, with a replica ({@code redis.mode} {@code sentinel}), all
 * real processes started by each test, under load ({@link FailoverUnderLoad}: players moving in a closed loop,
 * broadcasts on their map): when the master is killed (SIGKILL), and when an operator fails it over by hand (the old
 * master stays up and is demoted, its clients' connections closed by the sentinels), the node follows the promoted
 * replica by itself: moves are answered and deliveries arrive again within seconds, no acknowledged move is lost but
 * what Redis's asynchronous replication may lose, no player is closed, and every player is still online and on its
 * map. Skipped, with the reason, where {@code redis-server} is missing.
 */
class RedisSentinelTest {

  private static final int PLAYERS = 20;

  private RedisSentinelServers sentinels;
  private TestNode node;

  @BeforeEach
  void start() {
    Assumptions.assumeTrue(RedisSentinelServers.available(), RedisSentinelServers::whyUnavailable);
    sentinels = RedisSentinelServers.start();
    Map<String, Object> settings = new HashMap<>();
    settings.put(Settings.REDIS_MODE.path(), Settings.REDIS_SENTINEL);
    settings.put(Settings.REDIS_ENDPOINTS.path(), new JsonArray(sentinels.sentinels()));
    settings.put(Settings.REDIS_MASTER_NAME.path(), sentinels.masterName());
    settings.put(Settings.ROLES.path(), new JsonArray(List.of("gateway", "router", "persistence")));
    node = TestNode.start(settings);
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    if (sentinels != null) {
      sentinels.close();
    }
  }

  @Test
  void theMasterKilledUnderLoadIsReplacedAndTheNodeCarriesOnWithEveryPlayer() throws Exception {
    FailoverUnderLoad load = new FailoverUnderLoad(node, FailoverUnderLoad.freshMap(), PLAYERS);
    try {
      FailoverUnderLoad.Report report = load.run(sentinels::killMaster,
        () -> sentinels.awaitFailover(Duration.ofSeconds(30)));
      assertBackWithinSeconds(report);
    } finally {
      load.closeClients();
    }
  }

  @Test
  void aFailoverByHandUnderLoadDemotesTheMasterAndTheNodeFollowsTheNewOne() throws Exception {
    FailoverUnderLoad load = new FailoverUnderLoad(node, FailoverUnderLoad.freshMap(), PLAYERS);
    try {
      FailoverUnderLoad.Report report = load.run(() -> {
        try {
          sentinels.failoverByHand();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }, () -> sentinels.awaitFailover(Duration.ofSeconds(30)));
      assertBackWithinSeconds(report);
    } finally {
      load.closeClients();
    }
  }

  private static void assertBackWithinSeconds(FailoverUnderLoad.Report report) {
    assertTrue(Math.max(report.actionsBackSeconds(), report.deliveriesBackSeconds()) < 15,
      "back within seconds of the promotion: " + report);
  }
}
