package io.seedgate.node;

import io.seedgate.common.config.Settings;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two nodes as real processes from the shaded jar, clustered over loopback: a client on each, delivery both
 * ways; then one process is killed with SIGKILL, its client reconnects to the other node and keeps its state.
 */
class ClusterProcessesIT {

  private final List<Process> processes = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void connectAnywhereAndSurviveANodesDeath() throws Exception {
    String cluster = "seed-it-" + UUID.randomUUID().toString().substring(0, 8);
    String prefix = "action:" + cluster + ":";
    Path clusterXml = Files.createTempFile("cluster", ".xml");
    Files.writeString(clusterXml, Files.readString(Path.of("../conf/cluster.xml"))
      .replace("<cluster-name>seed-gateway</cluster-name>", "<cluster-name>" + cluster + "</cluster-name>"));
    int port1 = TestSupport.freePort();
    int port2 = TestSupport.freePort();
    Path log1 = Files.createTempFile("node1", ".log");
    Path log2 = Files.createTempFile("node2", ".log");
    Process node1 = startNode("n1-" + cluster, port1, prefix, true, clusterXml, log1);
    awaitLog(log1, "] node started");
    Process node2 = startNode("n2-" + cluster, port2, prefix, false, clusterXml, log2);
    awaitLog(log2, "] node started");

    String map = "m" + UUID.randomUUID();
    String p1 = "81" + (int) (Math.random() * 1_000_000);
    String p2 = "82" + (int) (Math.random() * 1_000_000);
    String jwt1 = jwt(p1, map);
    String jwt2 = jwt(p2, map);
    try (TestClient one = connect(port1, jwt1); TestClient two = connect(port2, jwt2)) {
      one.sendBinary(new JsonObject().put("action", "api/load"));
      one.nextContaining("\"load\"");
      two.sendBinary(new JsonObject().put("action", "api/load"));
      two.nextContaining("\"load\"");
      one.sendBinary(new JsonObject().put("action", "move/up"));
      assertEquals(p1, id(two.nextContaining("move_up")), "node 2's client sees node 1's move");
      two.sendBinary(new JsonObject().put("action", "move/right"));
      assertEquals(p2, id(one.nextContaining("move_right")), "node 1's client sees node 2's move");
      two.nextContaining("move_right");
      two.sendBinary(new JsonObject().put("action", "move/right"));
      // the second move is applied (x = 1.0) before the node dies
      two.nextContaining("\"position\":[1.0,");

      node2.destroyForcibly();
      assertTrue(node2.waitFor(10, TimeUnit.SECONDS));
      two.awaitClose();
    }
    try (TestClient again = connect(port1, jwt2)) {
      again.sendBinary(new JsonObject().put("action", "move/right"));
      JsonObject move = again.nextContaining("move_right");
      JsonObject me = move.getJsonArray("players").getJsonObject(0);
      assertEquals(p2, String.valueOf(me.getValue("id")));
      assertEquals(1.5, me.getJsonArray("position").getDouble(0), 0.001,
        "the player continues from where it was on the dead node");
    }
  }

  private static String id(JsonObject move) {
    return String.valueOf(move.getJsonArray("players").getJsonObject(0).getValue("id"));
  }

  private TestClient connect(int port, String jwt) {
    return TestClient.connect(vertx, port, "/?token=" + jwt, MultiMap.caseInsensitiveMultiMap());
  }

  private String jwt(String sub, String map) {
    io.vertx.ext.auth.jwt.JWTAuth auth = io.vertx.ext.auth.jwt.JWTAuth.create(vertx,
      new io.vertx.ext.auth.jwt.JWTAuthOptions().addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions()
        .setAlgorithm("HS256").setBuffer(TestNode.JWT_SECRET)));
    return auth.generateToken(new JsonObject().put("sub", sub).put("map", map),
      new io.vertx.ext.auth.JWTOptions().setExpiresInSeconds(600));
  }

  private Process startNode(String id, int port, String prefix, boolean service, Path clusterXml, Path log)
    throws IOException {
    var backing = TestSupport.backingServices();
    ProcessBuilder pb = new ProcessBuilder(
      ProcessHandle.current().info().command().orElse("java"),
      "-Dvertx.hazelcast.config=" + clusterXml, "-jar", "target/seed-gateway.jar",
      "-cluster", "-cluster-host", "127.0.0.1", "-conf", "../conf/dev.json")
      .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("SEED_"));
    pb.environment().put("SEED_NODE_ID", id);
    pb.environment().put("SEED_GATEWAY_WEBSOCKET_PORT", Integer.toString(port));
    pb.environment().put("SEED_GATEWAY_INSTANCES", "2");
    pb.environment().put("SEED_OPS_PORT", Integer.toString(TestSupport.freePort()));
    pb.environment().put("SEED_ROUTING_ACTION_CHANNEL_PREFIX", prefix);
    pb.environment().put("SEED_EXAMPLES_JAVA_SERVICE", Boolean.toString(service));
    pb.environment().put("SEED_DEMO_ENABLED", "false");
    pb.environment().put("SEED_AUTH_JWT_SECRET", TestNode.JWT_SECRET);
    pb.environment().put("SEED_REDIS_URL", backing.get(Settings.REDIS_URL));
    pb.environment().put("SEED_POSTGRES_URL", backing.get(Settings.POSTGRES_URL));
    for (String extra : List.of("SEED_GATEWAY_TCP_PORT", "SEED_GATEWAY_UDP_PORT")) {
      if (Settings.all().values().stream().anyMatch(s -> s.envName().equals(extra))) {
        pb.environment().put(extra, Integer.toString(extra.contains("UDP") ? TestSupport.freeUdpPort()
          : TestSupport.freePort()));
      }
    }
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private static void awaitLog(Path log, String fragment) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      String text = Files.readString(log);
      if (text.contains(fragment)) {
        return;
      }
      if (text.contains("Failed in deploying") || text.contains("cannot start")) {
        throw new AssertionError("node failed to start:\n" + text);
      }
      Thread.sleep(200);
    }
    throw new AssertionError("node did not start in 60 s:\n" + Files.readString(log));
  }
}
