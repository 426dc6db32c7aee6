package io.seedgate.node;

import io.seedgate.common.RedisKeys;

import io.seedgate.common.config.Settings;
import io.seedgate.node.ops.OpsVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.seedgate.testsupport.Eventually.until;
import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operations port of one node (gateway and router roles): health, readiness, metrics after traffic, the admin
 * API (refusals, nodes, player lookup, kick, send, drain), and readiness with a dead Redis.
 */
class OpsTest {

  private static TestNode node;
  private static OpsHttp http;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of());
    http = new OpsHttp(node.vertx, node.opsPort, TestNode.ADMIN_TOKEN);
  }

  @AfterAll
  static void stop() {
    http.close();
    node.close();
  }

  @Test
  void healthAndReadiness() {
    OpsHttp.Reply health = http.request(HttpMethod.GET, "/health", null, null);
    assertEquals(200, health.status());
    assertEquals("up", health.json().getString("status"));
    OpsHttp.Reply ready = http.request(HttpMethod.GET, "/ready", null, null);
    assertEquals(200, ready.status(), ready.body());
    JsonObject checks = ready.json().getJsonObject("checks");
    assertEquals("ok", checks.getString("redis"));
    assertEquals("not run here", checks.getString("postgres"), "this node does not run persistence");
    assertEquals("not clustered", checks.getString("cluster"));
  }

  @Test
  void metricsShowTheTrafficInPrometheusFormat() {
    String player = player();
    try (TestClient c = loggedIn(player, "m" + UUID.randomUUID()); TestClient bad = node.client()) {
      c.sendBinary(new JsonObject().put("action", "move/up"));
      c.nextContaining("move_up");
      bad.sendBinary(new JsonObject().put("token", "no-such-token").put("action", "api/load"));
      assertEquals("invalid token", bad.nextContaining("error").getString("error"));
      bad.awaitClose();
      until(Duration.ofSeconds(5), () -> value(scrape(), "seed_auth_failures_total\\{reason=\"INVALID_TOKEN\"}") >= 1);
      String text = scrape();
      assertTrue(value(text, "seed_connections\\{transport=\"websocket\"}") >= 1, text);
      assertTrue(value(text, "seed_messages_in_total") >= 2, text);
      // one player logged in (sessions of earlier tests on this shared node may take a moment to end)
      until(Duration.ofSeconds(5), () -> value(scrape(), "seed_players") == 1);
      // its token:, player: and map: channels and the broadcast channel of each gateway instance
      assertTrue(value(text, "seed_delivery_channels") >= 4, text);
      assertTrue(value(text, "seed_messages_out_total") >= 2, text);
      assertTrue(value(text, "seed_routing_latency_seconds_count") >= 2, "api/load and move/up were routed");
      assertTrue(text.contains("seed_routing_latency_seconds_bucket{le=\"0.001\"}"), "a histogram with buckets");
      assertTrue(value(text, "seed_login_latency_seconds_count") >= 1, "the login was timed");
      assertTrue(text.contains("seed_login_latency_seconds_bucket{le=\"10.0\"}"), "up to seconds: " + text);
      for (String name : List.of("seed_redis_errors_total", "seed_postgres_errors_total",
        "seed_eventloop_delay_seconds{loop=\"0\"}", "seed_persistence_rows_written_total", "seed_actions_failed_total",
        "seed_slow_clients_total", "seed_logins_queued",
        "seed_node_draining", "seed_node_info{node=\"" + node.config.get(Settings.NODE_ID) + "\"}",
        "seed_persistence_flush_failures_total")) {
        assertTrue(text.contains(name), "metrics lack " + name);
      }
      assertEquals(node.config.get(Settings.MAX_CONNECTIONS), (int) value(text, "seed_limits_max_connections"),
        "gateway.limits.maxConnections is exported");
      assertEquals(200, http.request(HttpMethod.GET, "/ready", null, null).status());
      assertEquals(1, value(scrape(), "seed_node_ready"), "ready after a passing check");
    }
  }

  @Test
  void theHistoryOfTheChartsIsServedByTheAdminApi() {
    String id = node.config.get(Settings.NODE_ID);
    try (TestClient c = loggedIn(player(), "m" + UUID.randomUUID())) {
      c.sendBinary(new JsonObject().put("action", "move/up"));
      c.nextContaining("move_up");
      // two samples (every 5 s on the clock) since the login
      long loggedInAt = System.currentTimeMillis() / 1000;
      until(Duration.ofSeconds(15), () -> samplesAfter(http.get("/admin/history").json(), loggedInAt) >= 2);
      JsonObject history = http.get("/admin/history").json();
      assertEquals(id, history.getString("answeredBy"));
      JsonObject mine = history.getJsonArray("nodes").getJsonObject(0);
      assertEquals(id, mine.getString("node"));
      assertTrue(mine.getBoolean("answered"));
      JsonArray t = mine.getJsonArray("t");
      assertEquals(0, t.getLong(t.size() - 1) % 5, "samples on the 5 s grid: " + t);
      JsonObject series = mine.getJsonObject("series");
      assertEquals(history.getJsonArray("series").size(), series.size(), "every series");
      for (String name : List.of("connections.websocket", "players")) {
        JsonArray column = series.getJsonArray(name);
        assertEquals(t.size(), column.size(), name);
        assertTrue(column.getDouble(column.size() - 1) >= 1, name + ": " + column);
      }
      assertTrue(series.getJsonArray("messagesInPerSecond").stream().anyMatch(v -> ((Number) v).doubleValue() > 0),
        "messages came in: " + series.getJsonArray("messagesInPerSecond"));
      assertTrue(series.getJsonArray("routingP99Ms").stream()
          .anyMatch(v -> v != null && ((Number) v).doubleValue() > 0),
        "routed messages have a latency: " + series.getJsonArray("routingP99Ms"));
      assertTrue(series.getJsonArray("flushBacklog").stream().allMatch(v -> v == null), "no persistence here");
      assertTrue(mine.getJsonArray("events").stream().anyMatch(e -> "started".equals(((JsonObject) e).getString("kind"))
        && id.equals(((JsonObject) e).getString("node"))), mine.getJsonArray("events").encode());
      JsonObject cluster = history.getJsonObject("cluster");
      assertEquals(t, cluster.getJsonArray("t"), "one node: the cluster is that node");
      assertEquals(series.getJsonArray("connections.websocket"),
        cluster.getJsonObject("series").getJsonArray("connections.websocket"));
    }
    assertEquals(401, http.request(HttpMethod.GET, "/admin/history", null, "wrong-token-0123456789").status());
  }

  private static long samplesAfter(JsonObject history, long epochSeconds) {
    return history.getJsonArray("nodes").getJsonObject(0).getJsonArray("t").stream()
      .filter(v -> ((Number) v).longValue() > epochSeconds).count();
  }

  @Test
  void theAdminApiRefusesRequestsWithoutTheRightToken() {
    for (String uri : List.of("/admin/nodes", "/admin/players/5", "/admin/errors")) {
      assertEquals(401, http.request(HttpMethod.GET, uri, null, null).status(), uri);
      assertEquals(401, http.request(HttpMethod.GET, uri, null, "wrong-token-0123456789").status(), uri);
      assertEquals(401, http.request(HttpMethod.GET, uri, null, TestNode.ADMIN_TOKEN + "x").status(), uri);
    }
    OpsHttp.Reply send = http.request(HttpMethod.POST, "/admin/send",
      new JsonObject().put("all", true).put("payload", new JsonObject()), "nope-nope-nope-nope");
    assertEquals(401, send.status());
    assertTrue(send.json().containsKey("error"));
  }

  @Test
  void anEmptyAdminTokenRefusesEverything() {
    try (TestNode other = TestNode.start(Map.of(Settings.OPS_ADMIN_TOKEN.path(), ""));
         OpsHttp client = new OpsHttp(other.vertx, other.opsPort, "")) {
      OpsHttp.Reply r = client.request(HttpMethod.GET, "/admin/nodes", null, "");
      assertEquals(401, r.status());
      assertTrue(r.json().getString("error").contains("ops.adminToken"), r.body());
      assertEquals(200, client.request(HttpMethod.GET, "/health", null, null).status());
    }
  }

  @Test
  void nodesListThisNodeWithItsConnections() {
    try (TestClient c = loggedIn(player(), "m" + UUID.randomUUID())) {
      OpsHttp.Reply r = http.get("/admin/nodes");
      assertEquals(200, r.status(), r.body());
      JsonArray nodes = r.json().getJsonArray("nodes");
      assertEquals(1, nodes.size(), r.body());
      JsonObject me = nodes.getJsonObject(0);
      assertEquals(node.config.get(Settings.NODE_ID), me.getString("node"));
      assertTrue(me.getBoolean("answered"));
      assertTrue(me.getJsonObject("connections").getLong("websocket") >= 1, r.body());
      assertEquals("ok", me.getJsonObject("checks").getString("redis"));
      assertNotNull(me.getJsonArray("recentErrors"));
    }
  }

  @Test
  void aPlayerIsFoundKickedAndMessaged() {
    String player = player();
    String map = "m" + UUID.randomUUID();
    try (TestClient c = loggedIn(player, map)) {
      OpsHttp.Reply found = http.get("/admin/players/" + player);
      assertEquals(200, found.status(), found.body());
      JsonObject p = found.json();
      assertEquals(node.config.get(Settings.NODE_ID), p.getString("node"));
      assertEquals("websocket", p.getString("transport"));
      assertEquals(map, p.getString("map"));
      assertTrue(p.getDouble("idleSeconds") >= 0);
      assertFalse(p.containsKey("token"), "the token is a credential and stays out of the API");

      assertEquals(202, http.post("/admin/send", new JsonObject().put("player", player)
        .put("payload", new JsonObject().put("notice", "to-player"))).status());
      assertEquals("to-player", c.nextContaining("notice").getString("notice"));
      assertEquals(202, http.post("/admin/send", new JsonObject().put("map", map)
        .put("payload", new JsonObject().put("notice", "to-map"))).status());
      assertEquals("to-map", c.nextContaining("notice").getString("notice"));
      OpsHttp.Reply all = http.post("/admin/send", new JsonObject().put("all", true)
        .put("payload", new JsonObject().put("notice", "to-all")));
      assertEquals(202, all.status());
      assertTrue(all.json().getLong("receivers") >= 1);
      assertEquals("to-all", c.nextContaining("notice").getString("notice"));
      assertEquals(400, http.post("/admin/send", new JsonObject().put("player", player).put("map", map)
        .put("payload", new JsonObject())).status());
      assertEquals(400, http.post("/admin/send", new JsonObject().put("all", true).put("payload", "text")).status());

      OpsHttp.Reply kicked = http.post("/admin/players/" + player + "/kick", null);
      assertEquals(202, kicked.status(), kicked.body());
      assertEquals("kicked", c.nextContaining("error").getString("error"));
      c.awaitClose();
    }
    until(Duration.ofSeconds(5), () -> http.get("/admin/players/" + player).status() == 404);
    assertEquals(404, http.post("/admin/players/" + player + "/kick", null).status());
  }

  @Test
  void aDrainedNodeTellsItsClientsToReconnectAndStops() {
    try (TestNode drained = TestNode.start(Map.of());
         OpsHttp client = new OpsHttp(drained.vertx, drained.opsPort, TestNode.ADMIN_TOKEN)) {
      String token = drained.signIn(player(), "m" + UUID.randomUUID());
      TestClient c = drained.client();
      c.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
      c.nextContaining("\"load\"");
      String id = drained.config.get(Settings.NODE_ID);
      OpsHttp.Reply r = client.post("/admin/nodes/" + id + "/drain", null);
      assertEquals(202, r.status(), r.body());
      assertTrue(r.json().getBoolean("draining"));
      assertEquals(1, r.json().getInteger("sessions"));
      JsonObject stopped = c.nextContaining("error");
      assertEquals("server stopped", stopped.getString("error"));
      assertEquals(true, stopped.getBoolean("reconnect"));
      c.awaitClose();
      until(Duration.ofMillis(15_000), () -> !drained.nodeDeployed());
      until(Duration.ofSeconds(5), () -> await(drained.redis.hget(RedisKeys.onlineShard(token), token)) == null);
      assertEquals(404, http.post("/admin/nodes/no-such-node/drain", null).status());
    }
  }

  @Test
  void readinessNamesADeadRedis() {
    Vertx vertx = Vertx.vertx();
    try {
      int port = TestSupport.freePort();
      JsonObject config = TestSupport.backingServices().with(Map.of(
        Settings.NODE_ID.path(), "dead-redis-" + UUID.randomUUID().toString().substring(0, 6),
        Settings.ROLES.path(), new JsonArray(List.of("gateway")),
        Settings.REDIS_URL.path(), "redis://127.0.0.1:" + TestSupport.freePort(),
        Settings.OPS_PORT.path(), port)).toJson();
      await(vertx.deployVerticle(new OpsVerticle(), new DeploymentOptions().setConfig(config)));
      try (OpsHttp client = new OpsHttp(vertx, port, null)) {
        assertEquals(200, client.get("/health").status(), "alive even without Redis");
        OpsHttp.Reply ready = client.get("/ready");
        assertEquals(503, ready.status(), ready.body());
        assertEquals(new JsonArray().add("redis"), ready.json().getJsonArray("failing"));
        assertTrue(ready.json().getJsonObject("checks").getString("redis").startsWith("unreachable"), ready.body());
        assertTrue(value(client.get("/metrics").body(), "seed_redis_errors_total") >= 1);
      }
    } finally {
      await(vertx.close());
    }
  }

  private static String scrape() {
    OpsHttp.Reply r = http.request(HttpMethod.GET, "/metrics", null, null);
    assertEquals(200, r.status());
    return r.body();
  }

  /** The value of the first sample whose name (and labels) match the regex, or -1. */
  static double value(String metrics, String sample) {
    Matcher m = Pattern.compile("(?m)^" + sample + " ([0-9.eE+-]+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  private static TestClient loggedIn(String player, String map) {
    String token = node.signIn(player, map);
    TestClient c = node.client();
    c.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
    c.nextContaining("\"load\"");
    return c;
  }

  private static String player() {
    return Long.toString(7_000_000 + (long) (Math.random() * 1_000_000_000L));
  }
}
