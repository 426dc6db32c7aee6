package io.seedgate.node;

import io.seedgate.common.config.Settings;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.seedgate.testsupport.Eventually.until;
import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node as a real process from the shaded jar ({@link NodeProcess}: all roles, here with JSON logs; Micrometer
 * from the launcher): SIGTERM tells the client, saves the player to PostgreSQL and ends the process within
 * {@code ops.shutdownTimeoutSeconds}; a drain through the admin API ends it with exit code 0; when stopping hangs,
 * the launcher's watchdog halts the process after the bound.
 */
class ShutdownIT {

  private static final int SHUTDOWN_TIMEOUT_SECONDS = 20;
  /** How the JVM ends after SIGTERM once its shutdown hooks are done (128 + 15). */
  private static final int SIGTERM_EXIT = 143;

  private final List<NodeProcess> nodes = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    for (NodeProcess node : nodes) {
      node.close();
    }
    await(vertx.close());
  }

  @Test
  void sigtermTellsTheClientSavesThePlayerAndEndsTheProcessInTime() throws Exception {
    NodeProcess node = start();
    String player = "61" + (int) (Math.random() * 10_000_000);
    try (TestClient client = loggedIn(node, player);
         OpsHttp http = new OpsHttp(vertx, node.opsPort, TestNode.ADMIN_TOKEN)) {
      client.sendBinary(new JsonObject().put("action", "move/up").put("pingTime", 0.125));
      until(Duration.ofMillis(10_000),
        () -> "move/up".equals(http.get("/admin/players/" + player).json().getString("lastAction")));

      String metrics = http.get("/metrics").body();
      assertTrue(OpsTest.value(metrics, "seed_connections\\{transport=\"websocket\"}") >= 1, metrics);
      assertTrue(metrics.contains("vertx_http_server_") && metrics.contains("jvm_memory_used_bytes"),
        "the launcher creates Vert.x with Micrometer metrics: Vert.x's and the JVM's meters are served too");

      long start = System.nanoTime();
      node.terminate();
      JsonObject told = client.nextContaining("error");
      assertEquals("server stopped", told.getString("error"));
      client.awaitClose();
      int exit = node.awaitExit(SHUTDOWN_TIMEOUT_SECONDS + 5);
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(Set.of(0, SIGTERM_EXIT).contains(exit),
        "a clean stop, not the watchdog's halt: exit code " + exit + "\n" + Files.readString(node.log));
      // the exit code above says the stop finished before the shutdown timeout's watchdog (which exits with 1)
      System.out.println("SIGTERM to exit: " + tookMs + " ms");
    }
    Row row = savedPlayer(player);
    assertEquals("offline", row.getString("action"), "saved as it left (the 2021 'offline' marker)");
    assertEquals(0.125, row.getDouble("ping"), 1e-9, "with the ping of its last action");
    assertJsonLogs(node.log);
  }

  @Test
  void aDrainEndsTheProcessWithExitCodeZero() throws Exception {
    NodeProcess node = start();
    try (TestClient client = loggedIn(node, "62" + (int) (Math.random() * 10_000_000));
         OpsHttp http = new OpsHttp(vertx, node.opsPort, TestNode.ADMIN_TOKEN)) {
      OpsHttp.Reply r = http.post("/admin/nodes/" + node.id + "/drain", null);
      assertEquals(202, r.status(), r.body());
      JsonObject told = client.nextContaining("error");
      assertEquals("server stopped", told.getString("error"));
      assertEquals(true, told.getBoolean("reconnect"));
      assertEquals(0, node.awaitExit(SHUTDOWN_TIMEOUT_SECONDS + 5), Files.readString(node.log));
    }
  }

  @Test
  void whenStoppingHangsTheProcessIsHaltedAfterTheBound() throws Exception {
    NodeProcess stuck = NodeProcess.startVerticle("stuck", StuckOnStopVerticle.class,
      new JsonObject().put("ops", new JsonObject().put("shutdownTimeoutSeconds", 2)), "stuck verticle started");
    nodes.add(stuck);
    long start = System.nanoTime();
    stuck.terminate();
    int exit = stuck.awaitExit(30);
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals(1, exit, Files.readString(stuck.log));
    // the watchdog halted it (exit code 1 and its line naming the setting), and not before the 2 s bound
    assertTrue(tookMs >= 1_500, "halted before the bound, after " + tookMs + " ms");
    assertTrue(Files.readString(stuck.log).contains("ops.shutdownTimeoutSeconds"), Files.readString(stuck.log));
    System.out.println("shutdown bound of 2 s: halted after " + tookMs + " ms");
  }

  /**
   * A node of the shaded jar, with JSON logs and the shutdown bound of this test, and otherwise as this test ran it
   * before it used {@link NodeProcess}: Redis tokens only, no example service.
   */
  private NodeProcess start() throws Exception {
    NodeProcess node = NodeProcess.start("sd", new JsonObject()
      .put("auth", new JsonObject().put("modes", new JsonArray().add("redis")))
      .put("examples", new JsonObject().put("javaService", false))
      .put("ops", new JsonObject().put("shutdownTimeoutSeconds", SHUTDOWN_TIMEOUT_SECONDS))
      .put("logging", new JsonObject().put("json", true)));
    nodes.add(node);
    return node;
  }

  private TestClient loggedIn(NodeProcess node, String player) {
    String token = UUID.randomUUID().toString().toUpperCase();
    var redis = io.vertx.redis.client.RedisAPI.api(io.vertx.redis.client.Redis.createClient(vertx,
      TestSupport.backingServices().get(Settings.REDIS_URL)));
    await(redis.hset(List.of(token, "id", player, "map_id", "m" + UUID.randomUUID())));
    redis.close();
    TestClient client = TestClient.connect(vertx, node.wsPort, "/", MultiMap.caseInsensitiveMultiMap());
    client.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
    try (OpsHttp http = new OpsHttp(vertx, node.opsPort, TestNode.ADMIN_TOKEN)) {
      until(Duration.ofMillis(10_000), () -> http.get("/admin/players/" + player).status() == 200);
    }
    return client;
  }

  private Row savedPlayer(String player) {
    SqlClient pg = PgBuilder.client()
      .connectingTo(PgConnectOptions.fromUri(TestSupport.backingServices().get(Settings.POSTGRES_URL)))
      .using(vertx).build();
    try {
      RowSet<Row> rows = await(pg.preparedQuery("select action, ping from players where id = $1")
        .execute(Tuple.of(player)));
      assertEquals(1, rows.size(), "player " + player + " not saved in PostgreSQL");
      return rows.iterator().next();
    } finally {
      pg.close();
    }
  }

  private static void assertJsonLogs(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log).stream().filter(l -> l.contains("] node started")).toList();
    assertEquals(1, lines.size(), "one start line");
    JsonObject line = new JsonObject(lines.get(0));
    assertEquals("INFO", line.getString("level"));
    assertTrue(line.getString("formattedMessage").contains("] node started"), lines.get(0));
  }
}
