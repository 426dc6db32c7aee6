package io.seedgate.bench;

import io.seedgate.common.FreePorts;

import io.seedgate.node.NodeVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The node under test: started in this JVM ({@code --embedded-node}, on a Vert.x instance of its own), started
 * as a child process from this jar ({@code --spawn-node}), or already running ({@code --url}). Embedded and
 * spawned nodes run the gateway and router roles and the example service, on an action channel prefix of their
 * own so that nothing else on a shared Redis plays their actions.
 */
final class NodeTarget implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NodeTarget.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  final String host;
  final int port;
  final int tcpPort;
  final int udpPort;
  /** The node's operations port (metrics), or -1 when unknown (an external node). */
  final int opsPort;
  final String actionPrefix;
  /** The node's routing.broadcastChannel: one of its own for a node the bench starts. */
  final String broadcastChannel;
  final String nodeId;
  final String description;
  final MemoryProbe memory;
  /** The node's process id when it is another process and known, else -1. */
  final long pid;
  private final Vertx nodeVertx;
  private final Process process;
  private boolean closed;
  /** What runs beside the node for this run (the example service in this JVM), closed after it; or null. */
  private AutoCloseable alongside;

  NodeTarget(String host, int[] ports, String actionPrefix, String nodeId, String description,
                     MemoryProbe memory, Vertx nodeVertx, Process process) {
    this.host = host;
    this.port = ports[0];
    this.tcpPort = ports[1];
    this.udpPort = ports[2];
    this.opsPort = ports.length > 3 ? ports[3] : -1;
    this.actionPrefix = actionPrefix;
    this.broadcastChannel = nodeVertx == null && process == null ? "broadcast" : broadcastChannel(nodeId);
    this.nodeId = nodeId;
    this.description = description;
    this.memory = memory;
    this.pid = process != null ? process.pid() : nodeVertx == null && memory != null ? memory.pid() : -1;
    this.nodeVertx = nodeVertx;
    this.process = process;
  }

  static NodeTarget start(TargetOptions o) throws Exception {
    if (o.url != null) {
      URI uri = URI.create(o.url);
      int port = uri.getPort() > 0 ? uri.getPort() : 8081;
      String prefix = o.actionPrefix != null ? o.actionPrefix : "action:";
      MemoryProbe probe = o.nodePid > 0 ? MemoryProbe.process(o.nodePid) : null;
      return new NodeTarget(uri.getHost(), new int[]{port, o.tcpPort, o.udpPort}, prefix, "gw-ext",
        "external node at " + o.url + (o.nodePid > 0 ? " (pid " + o.nodePid + ")" : ""), probe, null, null);
    }
    String tag = UUID.randomUUID().toString().substring(0, 6);
    String prefix = o.actionPrefix != null ? o.actionPrefix : "bench-" + tag + ":action:";
    String nodeId = "bench-" + tag;
    if (o.nodejs) {
      return NodeJsGateway.start(o, prefix, nodeId).beside(BenchService.start(o.redis, prefix));
    }
    if (o.serviceInBench && !o.spawnNode) {
      throw new IllegalArgumentException("--service-in-bench needs --spawn-node");
    }
    int[] port = {FreePorts.tcp(), FreePorts.tcp(), FreePorts.udp(), FreePorts.tcp()};
    JsonObject conf = nodeConfig(o, nodeId, port, prefix);
    if (o.spawnNode) {
      NodeTarget node = spawn(o, conf, port, prefix, nodeId);
      return o.serviceInBench ? node.beside(BenchService.start(o.redis, prefix)) : node;
    }
    Vertx vertx = Vertx.vertx();
    try {
      BenchMain.await(vertx.deployVerticle(() -> new NodeVerticle(Map.of()),
        new DeploymentOptions().setConfig(conf)), START_TIMEOUT.toMillis());
    } catch (Exception e) {
      BenchMain.await(vertx.close(), 30_000);
      throw e;
    }
    return new NodeTarget("127.0.0.1", port, prefix, nodeId, "node in this JVM (roles " + o.roles
      + ", gateway instances " + instances(o) + ", separate Vert.x instance)", MemoryProbe.self(), vertx, null);
  }

  /** The broadcast channel of a node the bench starts, {@code bench-<tag>:broadcast}: none but its own sessions'. */
  private static String broadcastChannel(String nodeId) {
    return nodeId + ":broadcast";
  }

  private static String instances(TargetOptions o) {
    return o.nodeInstances > 0 ? Integer.toString(o.nodeInstances) : "one per core";
  }

  private static JsonObject nodeConfig(TargetOptions o, String nodeId, int[] port, String prefix) {
    JsonObject gateway = new JsonObject().put("host", "127.0.0.1").put("instances", o.nodeInstances)
      .put("websocket", new JsonObject().put("enabled", true).put("port", port[0]))
      .put("tcp", new JsonObject().put("enabled", true).put("port", port[1]))
      .put("udp", new JsonObject().put("enabled", true).put("port", port[2]))
      .put("idleTimeoutSeconds", 3600).put("authTimeoutSeconds", 60)
      .put("limits", new JsonObject().put("messagesPerSecond", o.nodeMessageRate).put("messageBurst", o.nodeMessageRate));
    JsonObject conf = new JsonObject()
      .put("profile", "dev")
      .put("node", new JsonObject().put("id", nodeId))
      .put("roles", new JsonArray(List.of(o.roles.split(","))))
      .put("redis", new JsonObject().put("url", o.redis))
      .put("gateway", gateway)
      .put("routing", new JsonObject().put("actionChannelPrefix", prefix)
        .put("broadcastChannel", broadcastChannel(nodeId)))
      .put("auth", new JsonObject().put("modes", new JsonArray().add("redis")))
      .put("examples", new JsonObject().put("javaService", !o.serviceInBench))
      // on a free port: the operations port (metrics) is read between phases, never during one
      .put("ops", new JsonObject().put("port", port[3]).put("host", "127.0.0.1"));
    for (String setting : o.nodeSettings) {
      int eq = setting.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--node-set wants SETTING=VALUE, not " + setting);
      }
      String[] path = setting.substring(0, eq).split("\\.");
      String raw = setting.substring(eq + 1);
      Object value = raw.matches("-?\\d+") ? (Object) Integer.valueOf(raw)
        : raw.equals("true") || raw.equals("false") ? (Object) Boolean.valueOf(raw) : raw;
      JsonObject at = conf;
      for (int i = 0; i < path.length - 1; i++) {
        JsonObject inner = at.getJsonObject(path[i]);
        if (inner == null) {
          inner = new JsonObject();
          at.put(path[i], inner);
        }
        at = inner;
      }
      at.put(path[path.length - 1], value);
    }
    return conf;
  }

  private static NodeTarget spawn(TargetOptions o, JsonObject conf, int[] port, String prefix, String nodeId)
    throws Exception {
    Path confFile = Files.createTempFile("seed-bench-node", ".json");
    Files.writeString(confFile, conf.encodePrettily());
    Path log = Files.createTempFile("seed-bench-node", ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    List<String> shipped = o.noShippedJvmOptions ? List.of() : shippedJvmOptions();
    cmd.addAll(shipped);
    if (!o.nodeJvmArgs.isBlank()) {
      cmd.addAll(List.of(o.nodeJvmArgs.trim().split("\\s+")));
    }
    for (String open : List.of("java.base/java.lang", "java.base/sun.nio.ch", "java.management/sun.management",
      "jdk.management/com.sun.management.internal")) {
      cmd.add("--add-opens");
      cmd.add(open + "=ALL-UNNAMED");
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
      // the launcher of the shaded jar, so the node runs as in production (its metrics, its JVM defaults)
      "io.seedgate.node.SeedGatewayLauncher", NodeVerticle.class.getName(), "-conf", confFile.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("GATEWAY_LOG_LEVEL", "INFO");
    Process p = pb.start();
    // an interrupted bench (Ctrl-C, timeout) must not leave its node running
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "seed-bench-node-stop"));
    LOG.info("[pid: {}, log: {}] node process starting", p.pid(), log);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("node process exited with " + p.exitValue() + ", see " + log);
      }
      String text = Files.readString(log);
      if (text.contains("[node: " + nodeId + ", ") && text.contains("] node started")) {
        return new NodeTarget("127.0.0.1", port, prefix, nodeId, "node in child process " + p.pid() + " (roles "
          + o.roles + ", gateway instances " + instances(o) + ", JVM args "
          + (o.noShippedJvmOptions ? "(not the shipped ones) " : "(shipped: " + String.join(" ", shipped) + ") ")
          + "'" + o.nodeJvmArgs + "', log " + log
          + (o.serviceInBench ? ", example service in the bench's JVM" : "") + ")",
          MemoryProbe.process(p.pid()), null, p);
      }
      Thread.sleep(200);
    }
    p.destroy();
    throw new IllegalStateException("node process did not start within " + START_TIMEOUT + ", see " + log);
  }

  /** Where the node's jar keeps deploy/jvm.options, the JVM options every launcher ships. */
  static final String SHIPPED_JVM_OPTIONS = "META-INF/seed-gateway/jvm.options";

  /** The shipped JVM options (deploy/jvm.options from the class path): one per line, whole-line comments left out. */
  static List<String> shippedJvmOptions() throws IOException {
    try (java.io.InputStream in = NodeTarget.class.getClassLoader().getResourceAsStream(SHIPPED_JVM_OPTIONS)) {
      if (in == null) {
        throw new IllegalStateException("no " + SHIPPED_JVM_OPTIONS + " on the class path (give --no-shipped-jvm-options "
          + "to start the node without it)");
      }
      return parseJvmOptions(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  static List<String> parseJvmOptions(String text) {
    List<String> options = new ArrayList<>();
    for (String line : text.split("\\R")) {
      String t = line.trim();
      if (!t.isEmpty() && !t.startsWith("#")) {
        options.addAll(List.of(t.split("\\s+")));
      }
    }
    return options;
  }

  /** Whether the node's port accepts TCP connections now. */
  boolean reachable() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 2_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Runs {@code service} beside the node for this run: closed after the node. */
  NodeTarget beside(AutoCloseable service) {
    this.alongside = service;
    return this;
  }

  @Override
  public void close() throws Exception {
    if (closed) {
      return;
    }
    closed = true;
    if (memory != null) {
      memory.close();
    }
    if (nodeVertx != null) {
      BenchMain.await(nodeVertx.close(), 60_000);
    }
    if (process != null) {
      process.destroy();
      if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    if (alongside != null) {
      alongside.close();
    }
  }
}
