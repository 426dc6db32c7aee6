package io.seedgate.common.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.seedgate.testsupport.Await.await;
import static io.seedgate.testsupport.Await.failureOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vertx-config path (file store, SEED_* store, validation) is as strict as {@link NodeConfig#load}. */
class ConfigSourcesTest {

  @TempDir
  Path dir;
  private Vertx vertx;

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void theFileAndTheEnvironmentAreReadTypedTheEnvironmentWinning() throws Exception {
    Path file = write(new JsonObject().put("gateway", new JsonObject().put("idleTimeoutSeconds", 30)
      .put("websocket", new JsonObject().put("port", 9000))).put("roles", new JsonArray().add("gateway")));
    NodeConfig c = read(file, null, Map.of("SEED_GATEWAY_WEBSOCKET_PORT", "9100", "SEED_AUTH_MODES", "jwt",
      "PATH", "/usr/bin"));
    Integer port = c.get(Settings.WS_PORT);
    List<String> modes = c.get(Settings.AUTH_MODES);
    assertEquals(9100, port);
    assertEquals(30, c.get(Settings.IDLE_TIMEOUT));
    assertEquals(List.of("gateway"), c.get(Settings.ROLES));
    assertEquals(List.of("jwt"), modes);
    assertTrue(c.get(Settings.WS_ENABLED));
    assertEquals(NodeConfig.load(new JsonObject(Files.readString(file)), Map.of("SEED_GATEWAY_WEBSOCKET_PORT", "9100",
      "SEED_AUTH_MODES", "jwt")).toJson(), c.toJson());
  }

  @Test
  void withoutAFileTheInlineConfigIsRead() throws Exception {
    NodeConfig c = read(null, new JsonObject().put("ops", new JsonObject().put("port", 9999)), Map.of());
    assertEquals(9999, c.get(Settings.OPS_PORT));
  }

  @Test
  void anUnknownKeyInTheFileIsRefusedNamingIt() throws Exception {
    Path file = write(new JsonObject().put("gateway", new JsonObject().put("idleTimeout", 5)));
    ConfigException e = refused(file, Map.of());
    assertTrue(e.getMessage().contains("unknown setting 'gateway.idleTimeout' in the config file"), e.getMessage());
  }

  @Test
  void anUnknownSeedVariableIsRefusedNamingIt() throws Exception {
    ConfigException e = refused(write(new JsonObject()), Map.of("SEED_GATEWAY_PROT", "1", "HOME", "/root"));
    assertTrue(e.getMessage().contains("SEED_GATEWAY_PROT"), e.getMessage());
  }

  @Test
  void everyBadValueIsNamedWithItsSourceAndWhatWasExpected() throws Exception {
    Path file = write(new JsonObject().put("gateway", new JsonObject().put("idleTimeoutSeconds", "5")
      .put("limits", new JsonObject().put("messagesPerSecond", 0))));
    ConfigException e = refused(file, Map.of());
    assertTrue(e.getMessage().contains("setting 'gateway.idleTimeoutSeconds' (config file) has invalid value \"5\": "
      + "expected an integer"), e.getMessage());
    assertTrue(e.getMessage().contains("setting 'gateway.limits.messagesPerSecond' (config file) has invalid value 0: "
      + "expected 1 to 100000"), e.getMessage());
    ConfigException env = refused(write(new JsonObject()), Map.of("SEED_GATEWAY_WEBSOCKET_PORT", "70000",
      "SEED_OPS_ENABLED", "yes"));
    assertTrue(env.getMessage().contains("setting 'gateway.websocket.port' (environment variable "
      + "SEED_GATEWAY_WEBSOCKET_PORT) has invalid value 70000: expected 0 to 65535"), env.getMessage());
    assertTrue(env.getMessage().contains("SEED_OPS_ENABLED") && env.getMessage().contains("\"yes\""),
      env.getMessage());
  }

  @Test
  void aFileThatIsNotAJsonObjectIsRefusedAsABadConfig() throws Exception {
    Path file = dir.resolve("broken.json");
    Files.writeString(file, "{\"gateway\": ");
    assertTrue(refused(file, Map.of()).getMessage().contains("the config file is not a JSON object"));
    Files.writeString(file, "[1, 2]");
    assertTrue(refused(file, Map.of()).getMessage().contains("the config file is not a JSON object"));
  }

  @Test
  void aFileThatCannotBeReadFailsTheRead() {
    Throwable e = readFailure(dir.resolve("none.json"), Map.of());
    assertFalse(e instanceof ConfigException, String.valueOf(e));
  }

  @Test
  void aScanningRetrieverSeesTheFileChange() throws Exception {
    Path file = write(new JsonObject().put("gateway", new JsonObject().put("limits",
      new JsonObject().put("messagesPerSecond", 20))));
    ConfigRetriever retriever = ConfigSources.retriever(vertx, file, null, Map.of(), 100);
    java.util.concurrent.CompletableFuture<JsonObject> changed = new java.util.concurrent.CompletableFuture<>();
    retriever.listen(change -> {
      if (ConfigSources.validate(change.getNewConfiguration()).get(Settings.MESSAGES_PER_SECOND) == 7) {
        changed.complete(change.getNewConfiguration());
      }
    });
    Files.writeString(file, new JsonObject().put("gateway", new JsonObject().put("limits",
      new JsonObject().put("messagesPerSecond", 7))).encode());
    assertEquals(7, ConfigSources.validate(changed.get(10, TimeUnit.SECONDS)).get(Settings.MESSAGES_PER_SECOND));
    await(retriever.close());
  }

  private NodeConfig read(Path file, JsonObject inline, Map<String, String> env) throws Exception {
    ConfigRetriever retriever = ConfigSources.retriever(vertx, file, inline, env, 0);
    try {
      return await(ConfigSources.read(retriever));
    } finally {
      await(retriever.close());
    }
  }

  private ConfigException refused(Path file, Map<String, String> env) {
    return assertInstanceOf(ConfigException.class, readFailure(file, env));
  }

  /** The failure of a read that must fail. */
  private Throwable readFailure(Path file, Map<String, String> env) {
    ConfigRetriever retriever = ConfigSources.retriever(vertx, file, null, env, 0);
    try {
      return failureOf(ConfigSources.read(retriever));
    } finally {
      await(retriever.close());
    }
  }

  private Path write(JsonObject content) throws Exception {
    Path file = Files.createTempFile(dir, "node", ".json");
    Files.writeString(file, content.encodePrettily());
    return file;
  }

}
