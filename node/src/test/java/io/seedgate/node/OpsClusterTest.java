package io.seedgate.node;

import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.seedgate.testsupport.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API across a two-node cluster in one JVM: node A lists both nodes with their connections, finds and
 * kicks a player held by node B, and drains node B, whose clients are told to reconnect elsewhere.
 */
class OpsClusterTest {

  private static final String CLUSTER = "seed-ops-" + UUID.randomUUID();
  private static final String PREFIX = "action:" + UUID.randomUUID().toString().substring(0, 8) + ":";
  private static TestNode a;
  private static TestNode b;
  private static OpsHttp viaA;

  @BeforeAll
  static void start() {
    a = TestNode.startClustered(CLUSTER, true, Map.of("node.id", "OA-" + CLUSTER.substring(9, 15),
      "routing.actionChannelPrefix", PREFIX));
    b = TestNode.startClustered(CLUSTER, false, Map.of("node.id", "OB-" + CLUSTER.substring(9, 15),
      "routing.actionChannelPrefix", PREFIX));
    until(Duration.ofSeconds(5),
      () -> ((HazelcastClusterManager) ((VertxInternal) a.vertx).clusterManager()).getNodes().size() == 2);
    viaA = new OpsHttp(a.vertx, a.opsPort, TestNode.ADMIN_TOKEN);
  }

  @AfterAll
  static void stop() {
    viaA.close();
    b.close();
    a.close();
  }

  @Test
  void oneNodeListsTheClusterFindsAndKicksPlayersAnywhereAndDrainsAnother() {
    String idA = "OA-" + CLUSTER.substring(9, 15);
    String idB = "OB-" + CLUSTER.substring(9, 15);
    String player = Long.toString(9_000_000 + (long) (Math.random() * 1_000_000_000L));
    String other = Long.toString(9_000_000 + (long) (Math.random() * 1_000_000_000L));
    try (TestClient onB = loggedIn(b, player); TestClient alsoOnB = loggedIn(b, other)) {
      OpsHttp.Reply nodes = viaA.get("/admin/nodes");
      assertEquals(200, nodes.status(), nodes.body());
      assertTrue(nodes.json().getBoolean("clustered"));
      Map<String, JsonObject> byNode = nodes.json().getJsonArray("nodes").stream().map(o -> (JsonObject) o)
        .collect(Collectors.toMap(n -> n.getString("node"), n -> n));
      assertEquals(2, byNode.size(), nodes.body());
      assertEquals(2, byNode.get(idB).getJsonObject("connections").getLong("websocket"), nodes.body());
      assertEquals(0, byNode.get(idA).getJsonObject("connections").getLong("websocket"), nodes.body());
      assertEquals("ok", byNode.get(idB).getJsonObject("checks").getString("cluster"));

      OpsHttp.Reply found = viaA.get("/admin/players/" + player);
      assertEquals(200, found.status(), found.body());
      assertEquals(idB, found.json().getString("node"));
      assertEquals("websocket", found.json().getString("transport"), found.body());

      assertEquals(202, viaA.post("/admin/players/" + player + "/kick", null).status());
      assertEquals("kicked", onB.nextContaining("error").getString("error"));
      onB.awaitClose();

      OpsHttp.Reply drained = viaA.post("/admin/nodes/" + idB + "/drain", null);
      assertEquals(202, drained.status(), drained.body());
      assertEquals(idB, drained.json().getString("node"));
      JsonObject told = alsoOnB.nextContaining("error");
      assertEquals("server stopped", told.getString("error"));
      assertEquals(true, told.getBoolean("reconnect"));
      alsoOnB.awaitClose();
      until(Duration.ofMillis(15_000), () -> !b.nodeDeployed());

      OpsHttp.Reply after = viaA.get("/admin/nodes");
      JsonArray list = after.json().getJsonArray("nodes");
      JsonObject silent = list.stream().map(o -> (JsonObject) o).filter(n -> !n.getBoolean("answered"))
        .findFirst().orElseThrow(() -> new AssertionError("the drained member should not answer: " + after.body()));
      assertFalse(silent.getBoolean("answered"));
    }
  }

  private static TestClient loggedIn(TestNode node, String player) {
    TestClient c = node.client();
    c.sendBinary(new JsonObject().put("token", node.signIn(player, "m" + UUID.randomUUID())).put("action", "api/load"));
    c.nextContaining("\"load\"");
    return c;
  }
}
