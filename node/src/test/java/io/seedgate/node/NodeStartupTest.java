package io.seedgate.node;

import io.seedgate.common.config.Settings;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Starting a node as a user does, through the Vert.x launcher in its own process: a bad config stops it with a
 * message naming the setting and a non-zero exit code; a prod profile refuses what it cannot reach.
 */
class NodeStartupTest {

  @Test
  void anUnknownSettingStopsStartUpNamingIt() throws Exception {
    Result r = launch("{\"gateway\":{\"websocket\":{\"prot\":8081}}}", Map.of());
    assertNotEquals(0, r.exitCode);
    assertTrue(r.output.contains("gateway.websocket.prot"), r.output);
  }

  @Test
  void aBadValueStopsStartUpNamingIt() throws Exception {
    Result r = launch("{\"gateway\":{\"websocket\":{\"port\":\"eighty\"}}}", Map.of());
    assertNotEquals(0, r.exitCode);
    assertTrue(r.output.contains("gateway.websocket.port"), r.output);
  }

  @Test
  void aBadEnvironmentVariableStopsStartUpNamingIt() throws Exception {
    Result r = launch("{}", Map.of("SEED_GATEWAY_IDLE_TIMEOUT_SECONDS", "-5"));
    assertNotEquals(0, r.exitCode);
    assertTrue(r.output.contains("SEED_GATEWAY_IDLE_TIMEOUT_SECONDS") && r.output.contains("gateway.idleTimeoutSeconds"),
      r.output);
  }

  @Test
  void theLaunchersConfFileIsReadThroughVertxConfigAsStrictly() throws Exception {
    Result file = launch(SeedGatewayLauncher.class.getName(), "{\"gateway\":{\"idleTimeout\":5,"
      + "\"limits\":{\"messagesPerSecond\":0}}}", Map.of());
    assertNotEquals(0, file.exitCode, file.output);
    assertTrue(file.output.contains("unknown setting 'gateway.idleTimeout' in the config file")
      && file.output.contains("setting 'gateway.limits.messagesPerSecond' (config file) has invalid value 0"),
      file.output);
    Result env = launch(SeedGatewayLauncher.class.getName(), "{}", Map.of("SEED_GATEWAY_PROT", "8081"));
    assertNotEquals(0, env.exitCode, env.output);
    assertTrue(env.output.contains("unknown setting in environment variable SEED_GATEWAY_PROT"), env.output);
  }

  @Test
  void theProdProfileRefusesToStartWithoutReachableRedis() throws Exception {
    int closed = TestSupport.freePort();
    Result r = launch("{\"profile\":\"prod\",\"redis\":{\"url\":\"redis://127.0.0.1:" + closed + "\"},"
      + "\"auth\":{\"modes\":[\"redis\"]}}", Map.of());
    assertNotEquals(0, r.exitCode);
    assertTrue(r.output.contains("cannot reach Redis") && r.output.contains(Settings.REDIS_URL.path()), r.output);
  }

  @Test
  void theProdProfileRefusesAPostgresUrlWhereSomethingElseListens() throws Exception {
    // the test Redis accepts connections on that port, but does not answer as PostgreSQL: a pool would wait for ever
    java.net.URI redis = java.net.URI.create(TestSupport.backingServices().get(Settings.REDIS_URL));
    Result r = launch("{\"profile\":\"prod\",\"redis\":{\"url\":\"" + redis + "\"},\"postgres\":{\"url\":"
      + "\"postgresql://postgres@" + redis.getHost() + ":" + redis.getPort() + "/postgres\"},"
      + "\"auth\":{\"modes\":[\"redis\"]}}", Map.of());
    assertNotEquals(0, r.exitCode);
    assertTrue(r.output.contains("cannot reach PostgreSQL") && r.output.contains(Settings.POSTGRES_URL.path()),
      r.output);
  }

  @Test
  void aConfPathThatIsNoFileStopsTheLauncherInsteadOfStartingOnDefaults() throws Exception {
    Result missing = launch(SeedGatewayLauncher.class.getName(), null, Map.of(), "-conf", "/no/such/node.json");
    assertEquals(2, missing.exitCode, missing.output);
    assertTrue(missing.output.contains("/no/such/node.json") && missing.output.contains("no such readable file"),
      missing.output);
    Result broken = launch(SeedGatewayLauncher.class.getName(), "{\"profile\":", Map.of());
    assertEquals(2, broken.exitCode, broken.output);
    assertTrue(broken.output.contains("not a JSON object"), broken.output);
  }

  private record Result(int exitCode, String output) {
  }

  private static Result launch(String config, Map<String, String> env) throws IOException, InterruptedException {
    return launch("io.vertx.launcher.application.VertxApplication", config, env);
  }

  /** Runs the main class with the config in a file (or, when {@code config} is null, the given arguments). */
  private static Result launch(String mainClass, String config, Map<String, String> env, String... args)
    throws IOException, InterruptedException {
    Path conf = Files.createTempFile("seed-conf", ".json");
    if (config != null) {
      Files.writeString(conf, config);
    }
    Path out = Files.createTempFile("seed-out", ".log");
    List<String> cmd = new ArrayList<>(List.of(
      ProcessHandle.current().info().command().orElse("java"),
      "-cp", System.getProperty("java.class.path"), mainClass, NodeVerticle.class.getName()));
    cmd.addAll(config != null ? List.of("-conf", conf.toString()) : List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("SEED_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    boolean done = p.waitFor(60, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
      throw new AssertionError("node did not exit: " + Files.readString(out, StandardCharsets.UTF_8));
    }
    String output = Files.readString(out, StandardCharsets.UTF_8);
    new File(conf.toString()).delete();
    return new Result(p.exitValue(), output);
  }
}
