package io.seedgate.node;

import io.seedgate.common.config.ConfigException;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.node.demo.DemoVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The browser demo's HTTP side on a dev node: its files, the guest sign-in the gateway accepts, and where it may run. */
class DemoTest {

  private static TestNode node;
  private static int demoPort;
  private static HttpClient http;

  @BeforeAll
  static void start() {
    demoPort = TestSupport.freePort();
    node = TestNode.start(Map.of(Settings.DEMO_ENABLED.path(), true, Settings.DEMO_PORT.path(), demoPort));
    http = node.vertx.createHttpClient();
  }

  @AfterAll
  static void stop() {
    http.close();
    node.close();
  }

  private record Reply(int status, String contentType, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private static Reply request(HttpMethod method, String uri, String body) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(demoPort)
      .setURI(uri);
    return await(http.request(options).compose(req -> (body == null ? req.send() : req.send(body))
      .compose(res -> res.body().map(b -> new Reply(res.statusCode(), res.getHeader("Content-Type"), b.toString())))));
  }

  @Test
  void thePageIsServed() {
    Reply page = request(HttpMethod.GET, "/", null);
    assertEquals(200, page.status());
    assertTrue(page.contentType().startsWith("text/html"), page.contentType());
    assertTrue(page.body().contains("<canvas") && page.body().contains("demo.js"), page.body());
    Reply script = request(HttpMethod.GET, "/demo.js", null);
    assertEquals(200, script.status());
    assertTrue(script.body().contains("window.demoState"));
    assertEquals(200, request(HttpMethod.GET, "/demo.css", null).status());
    assertEquals(404, request(HttpMethod.GET, "/nothing-here.js", null).status());
  }

  @Test
  void aGuestGetsAJwtForAFreshPlayerThatTheGatewayAccepts() {
    String map = "demo-" + UUID.randomUUID().toString().substring(0, 8);
    JsonObject guest = request(HttpMethod.POST, "/dev/guest", new JsonObject().put("map", map).encode()).json();
    String player = guest.getString("player");
    assertTrue(player.matches("g[0-9]+"), guest.encode());
    assertEquals(map, guest.getString("map"));
    assertEquals("ws://127.0.0.1:" + node.port + "/", guest.getString("ws"));
    String token = guest.getString("token");
    JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0])));
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1])));
    assertEquals("HS256", header.getString("alg"));
    assertEquals(player, claims.getString("sub"));
    assertEquals(map, claims.getString("map"));
    assertTrue(claims.getLong("exp") > System.currentTimeMillis() / 1000);

    JsonObject other = request(HttpMethod.POST, "/dev/guest", "").json();
    assertNotEquals(player, other.getString("player"), "every guest is a fresh player");
    assertEquals("1", other.getString("map"), "no map asked for: auth.defaultMap");

    try (TestClient c = TestClient.connect(node.vertx, node.port, "/?token=" + token,
      MultiMap.caseInsensitiveMultiMap())) {
      c.sendText("{\"action\":\"api/load\"}");
      JsonArray players = c.nextContaining("\"load\"").getJsonArray("players");
      assertEquals(player, players.getJsonObject(0).getString("id"), players.encode());
    }
  }

  @Test
  void aBadGuestRequestIsRefused() {
    Reply badMap = request(HttpMethod.POST, "/dev/guest", "{\"map\":\"../etc\"}");
    assertEquals(400, badMap.status());
    assertTrue(badMap.json().getString("error").contains("map"), badMap.body());
    assertEquals(400, request(HttpMethod.POST, "/dev/guest", "{\"map\":7}").status());
    assertEquals(400, request(HttpMethod.POST, "/dev/guest", "not json").status());
    assertEquals(413, request(HttpMethod.POST, "/dev/guest", "{\"map\":\"" + "x".repeat(2000) + "\"}").status());
  }

  @Test
  void theProdProfileRefusesToStartWithTheDemoOn() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = new JsonObject().put("profile", "prod").put("demo", new JsonObject().put("enabled", true));
      Throwable failure = vertx.deployVerticle(new NodeVerticle(Map.of()), new DeploymentOptions().setConfig(config))
        .toCompletionStage().toCompletableFuture().handle((id, e) -> e).get(10, TimeUnit.SECONDS);
      assertTrue(failure instanceof ConfigException, String.valueOf(failure));
      assertTrue(failure.getMessage().contains("'demo.enabled'") && failure.getMessage().contains("prod"),
        failure.getMessage());
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void theDemoNeedsAWebSocketPortAndHs256Jwts() {
    NodeConfig dev = NodeConfig.defaults().with(Map.of(Settings.DEMO_ENABLED.path(), true,
      Settings.JWT_SECRET.path(), TestNode.JWT_SECRET));
    DemoVerticle.checkConfig(dev);
    for (Map<String, Object> broken : List.<Map<String, Object>>of(
      Map.of(Settings.ROLES.path(), new JsonArray().add("router")),
      Map.of(Settings.WS_ENABLED.path(), false),
      Map.of(Settings.WS_PORT.path(), 0),
      Map.of(Settings.AUTH_MODES.path(), new JsonArray().add("redis")),
      Map.of(Settings.JWT_ALGORITHM.path(), "RS256"),
      Map.of(Settings.JWT_SECRET.path(), ""))) {
      ConfigException e = assertThrows(ConfigException.class, () -> DemoVerticle.checkConfig(dev.with(broken)),
        broken.toString());
      assertTrue(e.getMessage().contains("'demo.enabled'"), e.getMessage());
    }
    DemoVerticle.checkConfig(dev.with(Map.of(Settings.DEMO_ENABLED.path(), false, Settings.PROFILE.path(), "prod")));
  }

  @Test
  void theDevConfigRunsTheDemoAndTheProdConfigDoesNot() throws Exception {
    NodeConfig dev = NodeConfig.load(new JsonObject(Files.readString(Path.of("../conf/dev.json"))), Map.of());
    assertTrue(dev.get(Settings.DEMO_ENABLED));
    DemoVerticle.checkConfig(dev);
    NodeConfig prod = NodeConfig.load(new JsonObject(Files.readString(Path.of("../conf/prod.json"))), Map.of());
    assertEquals(false, prod.get(Settings.DEMO_ENABLED));
  }
}
