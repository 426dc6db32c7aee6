package io.seedgate.bench;

import picocli.CommandLine.Option;

/** Where the node under test is, or how to start it. */
final class TargetOptions {

  @Option(names = "--url", paramLabel = "ws://HOST:PORT/",
    description = "Target an external node (e.g. java -jar node/target/seed-gateway.jar -conf conf/dev.json, which "
      + "runs the example service). Without it the bench starts a node itself.")
  String url;

  @Option(names = "--tcp-port", description = "TCP port of the external node (default: ${DEFAULT-VALUE}).")
  int tcpPort = 8082;

  @Option(names = "--udp-port", description = "UDP port of the external node (default: ${DEFAULT-VALUE}).")
  int udpPort = 8083;

  @Option(names = "--embedded-node", description = "Start the node in this JVM (the default without --url). "
    + "Heap figures then include the load generator's own objects.")
  boolean embeddedNode;

  @Option(names = "--spawn-node", description = "Start the node as a child JVM from this jar (its own heap, "
    + "file-descriptor limit and RSS).")
  boolean spawnNode;

  @Option(names = "--node-pid", description = "Process id of the external node, to read its heap (attach + JMX) "
    + "and RSS (/proc/<pid>/status).")
  long nodePid = -1;

  @Option(names = "--redis", description = "Redis the node uses (default: ${DEFAULT-VALUE}).")
  String redis = "redis://127.0.0.1:6379";

  @Option(names = "--action-prefix", description = "routing.actionChannelPrefix of the node (default: action: "
    + "with --url; a prefix of this run's own for a node the bench starts).")
  String actionPrefix;

  @Option(names = "--node-roles", description = "Roles of a node the bench starts (default: ${DEFAULT-VALUE}; add "
    + "persistence to save players to PostgreSQL when they leave).")
  String roles = "gateway,router";

  @Option(names = "--node-instances", description = "gateway.instances of a node the bench starts (0: one per "
    + "core, as a real node; default: ${DEFAULT-VALUE}).")
  int nodeInstances = 0;

  @Option(names = "--node-message-rate", description = "gateway.limits.messagesPerSecond and messageBurst of a node "
    + "the bench starts. The node's default (20 a second per connection, as 2021 clients send about 10) would cap a "
    + "closed loop; the bench lifts it to measure the message path, not the limiter (default: ${DEFAULT-VALUE}). "
    + "For an external node set SEED_GATEWAY_LIMITS_MESSAGES_PER_SECOND and SEED_GATEWAY_LIMITS_MESSAGE_BURST.")
  int nodeMessageRate = 100_000;

  @Option(names = "--node-jvm-args", description = "JVM arguments of a spawned node, after the shipped ones (a later "
    + "-XX or -D wins), e.g. '-Xmx2g'.")
  String nodeJvmArgs = "";

  @Option(names = "--no-shipped-jvm-options", description = "Start a spawned node without the JVM options every "
    + "launcher ships (deploy/jvm.options, in the jar): the JVM's defaults and --node-jvm-args only.")
  boolean noShippedJvmOptions;

  @Option(names = "--node-set", paramLabel = "SETTING=VALUE", description = "A setting of a node the bench starts, "
    + "over the bench's own, e.g. gateway.authTimeoutSeconds=10 (repeatable; numbers and true/false are read as "
    + "such).")
  java.util.List<String> nodeSettings = new java.util.ArrayList<>();

  @Option(names = "--nodejs", description = "Target the Node.js ws gateway of bench/nodejs-gateway (the 2021 job in "
    + "ws + ioredis, issue 21's yardstick): started by the bench on free ports (npm ci first when its node_modules is "
    + "missing), with the example service in this JVM on the run's action prefix.")
  boolean nodejs;

  @Option(names = "--nodejs-dir", description = "Where the Node.js gateway is (default: ${DEFAULT-VALUE}, from the "
    + "repository root).")
  String nodejsDir = "bench/nodejs-gateway";

  @Option(names = "--service-in-bench", description = "For a node the bench starts: run the example service in this "
    + "JVM instead of in the node (as for --nodejs), so the node's CPU and memory are the gateway's alone.")
  boolean serviceInBench;
}
