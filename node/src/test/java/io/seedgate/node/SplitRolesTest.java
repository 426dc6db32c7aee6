package io.seedgate.node;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
 * Roles split by config, same code: a gateway-only edge node and a router+persistence node in one cluster. The
 * edge node has no router or persistence of its own; logins, logouts and saves cross the event bus.
 */
class SplitRolesTest {

  @Test
  void aGatewayOnlyNodeServesPlayersThroughARouterOnAnotherNode() {
    String cluster = "seed-split-" + UUID.randomUUID();
    String prefix = "action:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    TestNode core = TestNode.startClustered(cluster, true, Map.of("routing.actionChannelPrefix", prefix,
      "roles", new JsonArray(List.of("router", "persistence")), "gateway.websocket.enabled", false));
    TestNode edge = TestNode.startClustered(cluster, false, Map.of("routing.actionChannelPrefix", prefix,
      "roles", new JsonArray(List.of("gateway"))));
    try {
      String map = "m" + UUID.randomUUID();
      String token = edge.signIn("91" + (int) (Math.random() * 1_000_000), map);
      try (TestClient c = edge.client()) {
        c.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
        c.nextContaining("\"load\"");
        c.sendBinary(new JsonObject().put("action", "move/up"));
        c.nextContaining("move_up");
      }
      until(Duration.ofSeconds(5), () -> await(edge.redis.zscore("map:" + map, token)) == null);
      assertNull(await(edge.redis.hget(token, "id")), "saved through the other node, then removed");
      assertEquals(0, await(edge.redis.sismember("seed:unsaved", token)).toInteger());
    } finally {
      edge.close();
      core.close();
    }
  }
}
