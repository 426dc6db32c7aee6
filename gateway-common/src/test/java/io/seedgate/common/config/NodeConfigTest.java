package io.seedgate.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeConfigTest {

  @Test
  void defaultsApplyWhenNothingIsGiven() {
    NodeConfig c = NodeConfig.defaults();
    assertEquals(8081, c.get(Settings.WS_PORT));
    assertEquals(300, c.get(Settings.IDLE_TIMEOUT));
    assertEquals(List.of("redis", "jwt"), c.get(Settings.AUTH_MODES));
  }

  @Test
  void theEnvironmentBeatsTheFileWhichBeatsTheDefault() {
    JsonObject file = new JsonObject().put("gateway", new JsonObject()
      .put("websocket", new JsonObject().put("port", 9000)).put("idleTimeoutSeconds", 30));
    NodeConfig c = NodeConfig.load(file, Map.of("SEED_GATEWAY_WEBSOCKET_PORT", "9100",
      "SEED_ROLES", "gateway, router", "SEED_GATEWAY_WEBSOCKET_ENABLED", "false"));
    assertEquals(9100, c.get(Settings.WS_PORT));
    assertEquals(30, c.get(Settings.IDLE_TIMEOUT));
    assertEquals(List.of("gateway", "router"), c.get(Settings.ROLES));
    assertFalse(c.get(Settings.WS_ENABLED));
  }

  @Test
  void anUnknownSettingIsNamed() {
    ConfigException e = assertThrows(ConfigException.class, () -> NodeConfig.load(
      new JsonObject().put("gateway", new JsonObject().put("idleTimeout", 5)), Map.of()));
    assertTrue(e.getMessage().contains("gateway.idleTimeout"), e.getMessage());
    ConfigException env = assertThrows(ConfigException.class, () -> NodeConfig.load(new JsonObject(),
      Map.of("SEED_GATEWAY_PROT", "1")));
    assertTrue(env.getMessage().contains("SEED_GATEWAY_PROT"), env.getMessage());
  }

  @Test
  void aBadValueIsNamedWithWhatWasExpected() {
    ConfigException type = assertThrows(ConfigException.class, () -> NodeConfig.load(
      new JsonObject().put("gateway", new JsonObject().put("idleTimeoutSeconds", "5")), Map.of()));
    assertTrue(type.getMessage().contains("gateway.idleTimeoutSeconds") && type.getMessage().contains("integer"));
    ConfigException range = assertThrows(ConfigException.class, () -> NodeConfig.load(new JsonObject(),
      Map.of("SEED_GATEWAY_WEBSOCKET_PORT", "70000")));
    assertTrue(range.getMessage().contains("gateway.websocket.port") && range.getMessage().contains("0 to 65535"));
    ConfigException choice = assertThrows(ConfigException.class, () -> NodeConfig.load(
      new JsonObject().put("roles", new JsonArray().add("gateway").add("chat")), Map.of()));
    assertTrue(choice.getMessage().contains("roles"));
    ConfigException shortSecret = assertThrows(ConfigException.class, () -> NodeConfig.load(
      new JsonObject().put("auth", new JsonObject().put("jwt", new JsonObject().put("secret", "short"))), Map.of()));
    assertTrue(shortSecret.getMessage().contains("auth.jwt.secret"));
  }

  @Test
  void aBadRedisUrlIsRefusedSayingWhichPartIsWrong() {
    ConfigException e = assertThrows(ConfigException.class, () -> NodeConfig.load(new JsonObject(),
      Map.of("SEED_REDIS_URL", "redis://127.0.0.1:63 79")));
    assertTrue(e.getMessage().contains("setting 'redis.url' (environment variable SEED_REDIS_URL) has invalid value "
      + "\"redis://127.0.0.1:63 79\": expected a redis:// URL, or empty (the Redis URL 'redis://127.0.0.1:63 79' "
      + "has a space that a URL cannot have at character 21"), e.getMessage());
    ConfigException db = assertThrows(ConfigException.class, () -> NodeConfig.load(
      new JsonObject().put("redis", new JsonObject().put("url", "redis://127.0.0.1/sessions")), Map.of()));
    assertTrue(db.getMessage().contains("'sessions' where the database number goes"), db.getMessage());
    assertEquals("rediss://:pw@redis.internal:6380/2", NodeConfig.load(
      new JsonObject().put("redis", new JsonObject().put("url", "rediss://:pw@redis.internal:6380/2")), Map.of())
      .get(Settings.REDIS_URL));
  }

  @Test
  void everyProblemIsNamedAtOnceFileAndEnvironment() {
    ConfigException e = assertThrows(ConfigException.class, () -> NodeConfig.load(new JsonObject()
      .put("gateway", new JsonObject().put("idleTimeoutSeconds", 0).put("tcp", new JsonObject().put("enabled", "on")))
      .put("chat", true), Map.of("SEED_OPS_PORT", "http", "SEED_NOPE", "1")));
    String m = e.getMessage();
    assertTrue(m.startsWith("5 problems: "), m);
    assertTrue(m.contains("unknown setting 'chat' in the config file"), m);
    assertTrue(m.contains("unknown setting in environment variable SEED_NOPE"), m);
    assertTrue(m.contains("setting 'ops.port' (environment variable SEED_OPS_PORT) has invalid value \"http\": "
      + "expected an integer"), m);
    assertTrue(m.contains("setting 'gateway.idleTimeoutSeconds' (config file) has invalid value 0: expected 1 to 86400"),
      m);
    assertTrue(m.contains("setting 'gateway.tcp.enabled' (config file) has invalid value \"on\": expected true or false"),
      m);
  }

  @Test
  void valuesComeTyped() {
    NodeConfig c = NodeConfig.load(new JsonObject().put("gateway", new JsonObject().put("websocket",
      new JsonObject().put("port", 9001L))), Map.of("SEED_ROUTING_ALLOWED_MODELS", "move, api"));
    Integer port = c.get(Settings.WS_PORT);
    String host = c.get(Settings.GATEWAY_HOST);
    Boolean tls = c.get(Settings.TCP_TLS_ENABLED);
    List<String> models = c.get(Settings.ALLOWED_MODELS);
    assertEquals(9001, port);
    assertEquals("0.0.0.0", host);
    assertFalse(tls);
    assertEquals(List.of("move", "api"), models);
    assertThrows(UnsupportedOperationException.class, () -> models.add("chat"), "values are immutable");
  }

  @Test
  void theJsonFormRoundTrips() {
    NodeConfig c = NodeConfig.defaults().with(Map.of("gateway.websocket.port", 7000, "auth.modes",
      new JsonArray().add("jwt")));
    NodeConfig again = NodeConfig.load(c.toJson(), Map.of());
    assertEquals(c.toJson(), again.toJson());
    assertEquals(7000, again.get(Settings.WS_PORT));
  }

  @Test
  void environmentNamesFollowThePath() {
    assertEquals("SEED_GATEWAY_WEBSOCKET_MAX_FRAME_BYTES", Settings.WS_MAX_FRAME_BYTES.envName());
    assertEquals("SEED_AUTH_JWT_PUBLIC_KEY_FILE", Settings.JWT_PUBLIC_KEY_FILE.envName());
  }
}
