package io.seedgate.node;

import io.seedgate.common.config.Settings;
import io.seedgate.examples.ExampleGameService;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Node.js example service (examples/node-service) in place of the Java one, as a child process against a
 * node that runs no service itself: a 2021 client and a JWT client play through it, then the Node.js and the
 * Java services take turns while the clients stay connected, and the game goes on from the same Redis state.
 * Skipped only when {@code node} is not on the PATH; runs {@code npm ci} there when node_modules is missing.
 */
class NodeServiceIT {

  private static final Path SERVICE_DIR = Path.of("../examples/node-service");

  private final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void install() throws Exception {
    NodeJs.assumeOnPath();
    NodeJs.install(SERVICE_DIR);
  }

  @AfterEach
  void stopProcesses() throws InterruptedException {
    for (Process p : processes) {
      if (p.isAlive()) {
        NodeJs.stop(p);
      }
    }
  }

  @Test
  void theNodeServiceUnitTestsPass() throws Exception {
    Path log = Files.createTempFile("node-service-test", ".log");
    Process p = NodeJs.start(SERVICE_DIR, List.of("--test"), Map.of(), log);
    processes.add(p);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "node --test did not finish");
    assertEquals(0, p.exitValue(), Files.readString(log));
  }

  @Test
  void clientsPlayThroughTheNodeServiceAndTheServicesTakeTurnsWhileTheyPlay() throws Exception {
    try (TestNode node = TestNode.startWithoutService(Map.of())) {
      String map = "m" + UUID.randomUUID().toString().substring(0, 8);
      String playerA = Long.toString(2_000_000 + (long) (Math.random() * 1_000_000_000L));
      String playerB = "b" + UUID.randomUUID().toString().substring(0, 8);
      String tokenA = node.signIn(playerA, map);

      try (TestClient a = node.client()) {
        a.sendBinary(new JsonObject().put("token", tokenA).put("action", "api/load"));
        a.expectNothing(500);

        Process service = startNodeService(node);
        a.sendBinary(new JsonObject().put("action", "api/load"));
        JsonObject load = a.nextContaining("\"load\"");
        assertEquals(new JsonArray().add(new JsonObject().put("id", Long.parseLong(playerA))
          .put("action", "api/load").put("position", new JsonArray().add(0).add(0))), load.getJsonArray("players"));
        assertEquals(new JsonObject().put("action", "load").put("players", load.getJsonArray("players"))
          .put("enemys", new JsonArray()).put("objects", new JsonArray())
          .put("map", new JsonObject().put("data", "")), load, "the 2021 load reply, as the Java service sends it");
        assertPlayer(a.nextContaining("\"players\""), playerA, "idle", 0, 0);

        a.sendBinary(new JsonObject().put("action", "move/up").put("pingTime", 0.05));
        assertPlayer(a.nextContaining("move_up"), playerA, "move_up", 0, 0.5);
        assertEquals("0.05", await(node.redis.hget(tokenA, "ping")).toString());

        MultiMap noHeaders = MultiMap.caseInsensitiveMultiMap();
        try (TestClient b = TestClient.connect(node.vertx, node.port, "/?token=" + node.jwt(playerB, map, 60),
          noHeaders)) {
          b.sendText("{\"action\":\"api/load\"}");
          JsonArray players = b.nextContaining("\"load\"").getJsonArray("players");
          assertEquals(2, players.size(), players.encode());
          assertPlayer(a.nextContaining(playerB), playerB, "idle", 0, 0);

          a.sendBinary(new JsonObject().put("action", "move/right").put("pingTime", 0.01));
          assertPlayer(b.nextContaining("move_right"), playerA, "move_right", 0.5, 0.5);
          b.sendText("{\"action\":\"api/save\"}");
          assertEquals(new JsonObject().put("action", "save").put("ok", true), b.nextContaining("\"save\""));
          b.sendText("{\"action\":\"move/jump\"}");
          assertEquals(new JsonObject().put("error", "unknown action move/jump"), b.nextContaining("error"));

          b.sendText("{\"action\":\"api/load\"}");
          JsonObject loadByNode = b.nextContaining("\"load\"");

          assertEquals(0, NodeJs.stop(service), "the Node.js service stops cleanly on SIGTERM");
          String java = await(node.vertx.deployVerticle(ExampleGameService::new, new DeploymentOptions()
            .setConfig(new JsonObject().put("redisUrl", node.config.get(Settings.REDIS_URL))
              .put("actionChannelPrefix", node.config.get(Settings.ACTION_CHANNEL_PREFIX)))));
          b.sendText("{\"action\":\"api/load\"}");
          JsonObject loadByJava = b.nextContaining("\"load\"");
          assertEquals(normalized(loadByJava), normalized(loadByNode), "same state, same load reply");

          a.sendBinary(new JsonObject().put("action", "move/up"));
          assertPlayer(b.nextContaining("move_up"), playerA, "move_up", 0.5, 1.0);

          await(node.vertx.undeploy(java));
          startNodeService(node);
          a.sendBinary(new JsonObject().put("action", "move/left"));
          assertPlayer(b.nextContaining("move_left"), playerA, "move_left", 0, 1.0);
          b.sendText("{\"action\":\"move/down\"}");
          assertPlayer(a.nextContaining("move_down"), playerB, "move_down", 0, -0.5);
        }
      }
    }
  }

  private Process startNodeService(TestNode node) throws IOException, InterruptedException {
    Path log = Files.createTempFile("node-service", ".log");
    Process p = NodeJs.start(SERVICE_DIR, List.of("index.js"), Map.of(
      "REDIS_URL", node.config.get(Settings.REDIS_URL),
      "ACTION_CHANNEL_PREFIX", node.config.get(Settings.ACTION_CHANNEL_PREFIX),
      "STEP", "0.5"), log);
    processes.add(p);
    NodeJs.awaitLog(p, log, "subscribed to", 20_000);
    return p;
  }

  /** Asserts a {@code {"players":[...]}} broadcast about one player. */
  private static void assertPlayer(JsonObject update, String player, String action, double x, double y) {
    JsonObject p = update.getJsonArray("players").getJsonObject(0);
    assertEquals(player, p.getValue("id").toString(), update.encode());
    assertEquals(action, p.getString("action"), update.encode());
    assertEquals(x, p.getJsonArray("position").getDouble(0), 1e-9, update.encode());
    assertEquals(y, p.getJsonArray("position").getDouble(1), 1e-9, update.encode());
  }

  /** The JSON value with every number as a double: Java writes 2.0 where JavaScript writes 2, the same value. */
  private static Object normalized(Object v) {
    if (v instanceof JsonObject o) {
      JsonObject out = new JsonObject();
      o.forEach(e -> out.put(e.getKey(), normalized(e.getValue())));
      return out;
    }
    if (v instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      a.forEach(x -> out.add(normalized(x)));
      return out;
    }
    return v instanceof Number n ? n.doubleValue() : v;
  }
}
