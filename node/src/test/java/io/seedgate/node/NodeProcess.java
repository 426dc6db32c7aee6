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
 * same file (same node id, same ports), killed with SIGKILL or stopped with SIGTERM.
 */
final class NodeProcess implements AutoCloseable {

  final String id;
  final int wsPort;
  final int opsPort;
  final String actionPrefix;
  final Path log;
  private final Path confFile;
  private final Path clusterXml;
  private Process process;

  private NodeProcess(String id, int wsPort, int opsPort, String actionPrefix, Path confFile, Path clusterXml,
                      Path log) {
    this.id = id;
    this.clusterXml = clusterXml;
    this.wsPort = wsPort;
    this.opsPort = opsPort;
    this.actionPrefix = actionPrefix;
    this.confFile = confFile;
    this.log = log;
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
    NodeProcess node = new NodeProcess(id, ws, ops, conf.getJsonObject("routing").getString("actionChannelPrefix"),
      confFile, clusterXml, Files.createTempFile("seed-" + id, ".log"));
    node.start();
    return node;
  }

  /** Starts (again) with the same config file; returns once the node logged that it started. */
  void start() throws Exception {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
    if (clusterXml != null) {
      command.add("-Dvertx.hazelcast.config=" + clusterXml);
    }
    command.addAll(List.of("-jar", "target/seed-gateway.jar", "-conf", confFile.toString()));
    if (clusterXml != null) {
      command.addAll(List.of("-cluster", "-cluster-host", "127.0.0.1"));
    }
    ProcessBuilder pb = new ProcessBuilder(command)
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("SEED_"));
    int startsBefore = count("] node started");
    process = pb.start();
    long deadline = System.currentTimeMillis() + 120_000;
    while (count("] node started") == startsBefore) {
      if (!process.isAlive()) {
        throw new AssertionError("node exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      if (System.currentTimeMillis() > deadline) {
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
    process.destroy();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      throw new AssertionError("no exit " + timeoutSeconds + " s after SIGTERM:\n" + Files.readString(log));
    }
    return process.exitValue();
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
