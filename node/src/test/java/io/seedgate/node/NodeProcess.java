package io.seedgate.node;

import io.seedgate.common.config.Settings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A node as a real process of the shaded jar ({@code target/seed-gateway.jar}, the production jar: no embedded
 * servers in it), all roles, on this machine's Redis and PostgreSQL or embedded ones this test JVM started (its
 * class path has dev-services) and passes by URL, with a config file of its own; it can be started again with the
 * same file (same node id, same ports), killed with SIGKILL or stopped with SIGTERM. {@link #startVerticle} runs
 * the same launcher with the same config on another main verticle, from the test class path.
 */
final class NodeProcess implements AutoCloseable {

  final String id;
  final int wsPort;
  final int opsPort;
  final int tcpPort;
  final int udpPort;
  final String actionPrefix;
  final Path log;
  private final Path confFile;
  private final Path clusterXml;
  /** What the JVM runs: the jar, or the launcher and a main verticle on the test class path. */
  private final List<String> launch;
  /** The log line that says it started. */
  private final String startedLine;
  private Process process;

  private NodeProcess(String id, JsonObject conf, Path confFile, Path clusterXml, Path log, List<String> launch,
                      String startedLine) {
    JsonObject gateway = conf.getJsonObject("gateway");
    this.id = id;
    this.wsPort = gateway.getJsonObject("websocket").getInteger("port");
    this.tcpPort = gateway.getJsonObject("tcp").getInteger("port");
    this.udpPort = gateway.getJsonObject("udp").getInteger("port");
    this.opsPort = conf.getJsonObject("ops").getInteger("port");
    this.actionPrefix = conf.getJsonObject("routing").getString("actionChannelPrefix");
    this.clusterXml = clusterXml;
    this.confFile = confFile;
    this.log = log;
    this.launch = launch;
    this.startedLine = startedLine;
  }

  /**
   * Starts a node with the example service, Redis tokens and JWTs, and the given settings over the defaults of
   * the test ({@code {"ops":{"shutdownTimeoutSeconds":20}}} and the like, merged deeply).
   */
  static NodeProcess start(String idPrefix, JsonObject overrides) throws Exception {
    return start(idPrefix, overrides, null);
  }

  /**
   * Like {@link #start(String, JsonObject)}, clustered over loopback with the given Hazelcast config
   * ({@link #clusterXml(String)}) when not {@code null}.
   */
  static NodeProcess start(String idPrefix, JsonObject overrides, Path clusterXml) throws Exception {
    return start(idPrefix, overrides, clusterXml, List.of("-jar", "target/seed-gateway.jar"), "] node started");
  }

  /**
   * The node's launcher ({@link SeedGatewayLauncher}) with the config of {@link #start(String, JsonObject)}, on the
   * test class path, running {@code mainVerticle} instead of the node; returns once the log has {@code startedLine}.
   */
  static NodeProcess startVerticle(String idPrefix, Class<?> mainVerticle, JsonObject overrides, String startedLine)
    throws Exception {
    return start(idPrefix, overrides, null, List.of("-cp", System.getProperty("java.class.path"),
      SeedGatewayLauncher.class.getName(), mainVerticle.getName()), startedLine);
  }

  private static NodeProcess start(String idPrefix, JsonObject overrides, Path clusterXml, List<String> launch,
                                   String startedLine) throws Exception {
    var backing = TestSupport.backingServices();
    String id = idPrefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    int ws = TestSupport.freePort();
    int ops = TestSupport.freePort();
    String prefix = "action:" + id + ":";
    JsonObject conf = new JsonObject()
      .put("profile", "dev")
      .put("node", new JsonObject().put("id", id))
      .put("roles", new JsonArray(List.of("gateway", "router", "persistence")))
      .put("redis", new JsonObject().put("url", backing.get(Settings.REDIS_URL)))
      .put("postgres", new JsonObject().put("url", backing.get(Settings.POSTGRES_URL)))
      .put("gateway", new JsonObject().put("instances", 2)
        .put("websocket", new JsonObject().put("port", ws))
        .put("tcp", new JsonObject().put("port", TestSupport.freePort()))
        .put("udp", new JsonObject().put("port", TestSupport.freeUdpPort())))
      .put("routing", new JsonObject().put("actionChannelPrefix", prefix))
      .put("examples", new JsonObject().put("javaService", true))
      .put("auth", new JsonObject().put("modes", new JsonArray().add("redis").add("jwt"))
        .put("jwt", new JsonObject().put("algorithm", "HS256").put("secret", TestNode.JWT_SECRET)))
      .put("ops", new JsonObject().put("port", ops).put("adminToken", TestNode.ADMIN_TOKEN));
    conf.mergeIn(overrides, true);
    Path confFile = Files.createTempFile("seed-" + id, ".json");
    Files.writeString(confFile, conf.encodePrettily());
    NodeProcess node = new NodeProcess(id, conf, confFile, clusterXml, Files.createTempFile("seed-" + id, ".log"),
      launch, startedLine);
    node.start();
    return node;
  }

  /** Starts (again) with the same config file; returns once the process logged that it started. */
  void start() throws Exception {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
    if (clusterXml != null) {
      command.add("-Dvertx.hazelcast.config=" + clusterXml);
    }
    command.addAll(launch);
    command.addAll(List.of("-conf", confFile.toString()));
    if (clusterXml != null) {
      command.addAll(List.of("-cluster", "-cluster-host", "127.0.0.1"));
    }
    ProcessBuilder pb = new ProcessBuilder(command)
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("SEED_"));
    int startsBefore = count(startedLine);
    process = pb.start();
    long deadline = System.currentTimeMillis() + 120_000;
    while (count(startedLine) == startsBefore) {
      if (!process.isAlive()) {
        throw new AssertionError("node exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      if (System.currentTimeMillis() > deadline) {
        close(); // not left running: the caller gets no NodeProcess to close
        throw new AssertionError("node did not start in 120 s:\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
  }

  /** A Hazelcast config of conf/cluster.xml (TCP-IP join on loopback) for a cluster of the given name. */
  static Path clusterXml(String clusterName) throws IOException {
    Path xml = Files.createTempFile("cluster-" + clusterName, ".xml");
    Files.writeString(xml, Files.readString(Path.of("../conf/cluster.xml"))
      .replace("<cluster-name>seed-gateway</cluster-name>", "<cluster-name>" + clusterName + "</cluster-name>"));
    return xml;
  }

  /** Waits for the process to end by itself (after a drain); its exit code. */
  int awaitExit(long timeoutSeconds) throws Exception {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      throw new AssertionError("still running " + timeoutSeconds + " s later:\n" + Files.readString(log));
    }
    return process.exitValue();
  }

  /** SIGKILL: nothing of the node's stop runs. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new AssertionError("not killed");
    }
  }

  /** SIGTERM, then waits for the exit. */
  int sigterm(long timeoutSeconds) throws Exception {
    terminate();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      throw new AssertionError("no exit " + timeoutSeconds + " s after SIGTERM:\n" + Files.readString(log));
    }
    return process.exitValue();
  }

  /** SIGTERM, without waiting: for a test that watches what the stop does ({@link #awaitExit} then). */
  void terminate() {
    process.destroy();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** Lines of the log holding the fragment. */
  int count(String fragment) throws IOException {
    return (int) Files.readAllLines(log).stream().filter(l -> l.contains(fragment)).count();
  }

  @Override
  public void close() throws Exception {
    if (alive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
