package io.seedgate.node;

import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.seedgate.testsupport.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API across a two-node cluster in one JVM: node A serves the charts' history of both members and of the
 * cluster, lists both nodes with their connections, finds and kicks a player held by node B, and drains node B, whose
 * clients are told to reconnect elsewhere.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
  @Order(1)
  void oneNodeServesTheHistoryOfEveryMemberAndTheClusterSummedFromThem() {
    String idA = "OA-" + CLUSTER.substring(9, 15);
    String idB = "OB-" + CLUSTER.substring(9, 15);
    String p1 = Long.toString(9_000_000 + (long) (Math.random() * 1_000_000_000L));
    String p2 = Long.toString(9_000_000 + (long) (Math.random() * 1_000_000_000L));
    String p3 = Long.toString(9_000_000 + (long) (Math.random() * 1_000_000_000L));
    try (TestClient onA = loggedIn(a, p1); TestClient onB = loggedIn(b, p2); TestClient alsoOnB = loggedIn(b, p3)) {
      // samples are taken every 5 s on the wall clock: wait for one on each node with the three clients on
      JsonObject[] last = new JsonObject[1];
      until(Duration.ofSeconds(15), () -> {
        last[0] = viaA.get("/admin/history").json();
        Map<String, JsonObject> byNode = byNode(last[0]);
        return byNode.size() == 2 && lastSample(byNode.get(idA), "connections.websocket") == 1.0
          && lastSample(byNode.get(idB), "connections.websocket") == 2.0;
      });
      JsonObject history = last[0];
      Map<String, JsonObject> byNode = byNode(history);
      assertTrue(byNode.get(idA).getBoolean("answered") && byNode.get(idB).getBoolean("answered"), history.encode());
      JsonObject cluster = history.getJsonObject("cluster");
      JsonArray t = cluster.getJsonArray("t");
      long at = t.getLong(t.size() - 1);
      double sum = sampleAt(byNode.get(idA), "connections.websocket", at)
        + sampleAt(byNode.get(idB), "connections.websocket", at);
      assertEquals(3.0, sum, "both nodes sampled at " + at + ": " + history.encode());
      assertEquals(sum, cluster.getJsonObject("series").getJsonArray("connections.websocket")
        .getDouble(t.size() - 1), "the cluster's series is the members' summed at each time");
      assertTrue(byNode.get(idA).getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("kind"))
        .anyMatch("joined"::equals), "node A saw node B join: " + byNode.get(idA).getJsonArray("events"));
      assertTrue(cluster.getJsonArray("events").size() >= 2, "the cluster's time line holds both starts: "
        + cluster.getJsonArray("events"));
    }
  }

  private static Map<String, JsonObject> byNode(JsonObject history) {
    return history.getJsonArray("nodes").stream().map(o -> (JsonObject) o).filter(n -> n.containsKey("node"))
      .collect(Collectors.toMap(n -> n.getString("node"), n -> n));
  }

  private static double lastSample(JsonObject node, String series) {
    JsonArray values = node == null ? null : node.getJsonObject("series").getJsonArray(series);
    return values == null || values.isEmpty() || values.getValue(values.size() - 1) == null ? -1
      : values.getDouble(values.size() - 1);
  }

  private static double sampleAt(JsonObject node, String series, long t) {
    JsonArray times = node.getJsonArray("t");
    for (int i = times.size() - 1; i >= 0; i--) {
      if (times.getLong(i) == t) {
        return node.getJsonObject("series").getJsonArray(series).getDouble(i);
      }
    }
    throw new AssertionError(node.getString("node") + " has no sample at " + t + ": " + times);
  }

  @Test
  @Order(2)
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
