package io.seedgate.node;

import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.examples.ExampleGameService;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.seedgate.testsupport.Await.await;

/** A whole node (all roles) plus the example game service, on a free port, against real Redis and PostgreSQL. */
final class TestNode implements AutoCloseable {

  static final String JWT_SECRET = "test-secret-0123456789-0123456789-abcdef";
  static final String ADMIN_TOKEN = "test-admin-token-0123456789";

  final Vertx vertx;
  final NodeConfig config;
  final int port;
  /** The operations port (health, metrics, admin API, status page). */
  final int opsPort;
  final RedisAPI redis;
  private final String nodeDeployment;
  private final Redis redisClient;
  private final NodeVerticle node;

  private TestNode(Vertx vertx, NodeConfig config, String nodeDeployment, Redis redisClient, NodeVerticle node) {
    this.vertx = vertx;
    this.node = node;
    this.config = config;
    this.port = config.get(Settings.WS_PORT);
    this.opsPort = config.get(Settings.OPS_PORT);
    this.nodeDeployment = nodeDeployment;
    this.redisClient = redisClient;
    this.redis = RedisAPI.api(redisClient);
  }

  /** Starts a node with the given settings (dotted paths) over test defaults, and the example service. */
  static TestNode start(Map<String, Object> settings) {
    return start(Vertx.vertx(), true, settings);
  }

  /** Starts a node like {@link #start(Map)} but without the example service: the test runs a service itself. */
  static TestNode startWithoutService(Map<String, Object> settings) {
    return start(Vertx.vertx(), false, settings);
  }

  /**
   * Starts a clustered node (Hazelcast with conf/cluster.xml, under the given cluster name). Only one node of a
   * cluster should run the example service, or every action is played twice.
   */
  static TestNode startClustered(String clusterName, boolean withService, Map<String, Object> settings) {
    try {
      com.hazelcast.config.Config hz = new com.hazelcast.config.FileSystemXmlConfig("../conf/cluster.xml");
      hz.setClusterName(clusterName);
      Vertx vertx = await(Vertx.builder()
        .with(new io.vertx.core.VertxOptions().setEventBusOptions(
          new io.vertx.core.eventbus.EventBusOptions().setHost("127.0.0.1")))
        .withClusterManager(new io.vertx.spi.cluster.hazelcast.HazelcastClusterManager(hz))
        .buildClustered());
      return start(vertx, withService, settings);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Starts a node like {@link #start(Map)}, but from a config file, as {@code -conf} does: the test settings are
   * written to {@code file}, which the node reads through vertx-config and reads again while it runs.
   */
  static TestNode startFromFile(Path file, Map<String, Object> settings) {
    return start(Vertx.vertx(), true, settings, file);
  }

  private static TestNode start(Vertx vertx, boolean withService, Map<String, Object> settings) {
    return start(vertx, withService, settings, null);
  }

  private static TestNode start(Vertx vertx, boolean withService, Map<String, Object> settings,
                                Path file) {
    Map<String, Object> all = new HashMap<>();
    all.put(Settings.WS_PORT.path(), TestSupport.freePort());
    all.put(Settings.TCP_PORT.path(), TestSupport.freePort());
    all.put(Settings.UDP_PORT.path(), TestSupport.freeUdpPort());
    all.put(Settings.NODE_ID.path(), "test-" + java.util.UUID.randomUUID().toString().substring(0, 8));
    all.put(Settings.OPS_PORT.path(), TestSupport.freePort());
    all.put(Settings.OPS_ADMIN_TOKEN.path(), ADMIN_TOKEN);
    all.put(Settings.GATEWAY_INSTANCES.path(), 2);
    all.put(Settings.JWT_SECRET.path(), JWT_SECRET);
    all.put(Settings.ACTION_CHANNEL_PREFIX.path(), "action:" + java.util.UUID.randomUUID().toString().substring(0, 8) + ":");
    all.put(Settings.ROLES.path(), new io.vertx.core.json.JsonArray(List.of("gateway", "router")));
    all.putAll(settings);
    NodeConfig config = TestSupport.backingServices().with(all);
    NodeVerticle node = new NodeVerticle(Map.of(), file);
    DeploymentOptions options = new DeploymentOptions();
    if (file == null) {
      options.setConfig(config.toJson());
    } else {
      try {
        Files.writeString(file, config.toJson().encodePrettily());
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
    String id = await(vertx.deployVerticle(node, options));
    if (withService) {
      JsonObject service = NodeVerticle.exampleServiceConfig(config);
      await(vertx.deployVerticle(ExampleGameService::new, new DeploymentOptions().setConfig(service)));
    }
    // the test's own client reaches the node's Redis as the node does: one server, a cluster or Sentinel's master
    return new TestNode(vertx, config, id, Redis.createClient(vertx, config.redis().commandOptions()), node);
  }

  static TestNode start() {
    return start(Map.of());
  }

  TestClient client() {
    return TestClient.connect(vertx, port);
  }

  /** Writes a 2021 token hash as the sign-in app did: fields id and map_id. */
  String signIn(String playerId, String mapId) {
    String token = java.util.UUID.randomUUID().toString().toUpperCase();
    await(redis.hset(List.of(token, "id", playerId, "map_id", mapId)));
    return token;
  }

  String jwt(String sub, String map, int expiresInSeconds) {
    return jwt(JWT_SECRET, sub, map, expiresInSeconds);
  }

  String jwt(String secret, String sub, String map, int expiresInSeconds) {
    JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    JsonObject claims = new JsonObject().put("sub", sub);
    if (map != null) {
      claims.put("map", map);
    }
    if (expiresInSeconds < 0) {
      claims.put("exp", System.currentTimeMillis() / 1000 + expiresInSeconds);
      return auth.generateToken(claims, new JWTOptions().setNoTimestamp(true));
    }
    return auth.generateToken(claims, new JWTOptions().setExpiresInSeconds(expiresInSeconds));
  }

  /** The config the node runs with now (live changes from its file included). */
  NodeConfig nodeConfig() {
    return node.nodeConfig();
  }

  /** Whether the node (not the example service beside it) is still deployed. */
  boolean nodeDeployed() {
    return vertx.deploymentIDs().contains(nodeDeployment);
  }

  /** Undeploys the node (as on shutdown) without closing Vert.x. */
  void stopNode() {
    await(vertx.undeploy(nodeDeployment));
  }

  /**
   * Closes Vert.x, which stops the node as a SIGTERM does. Waits as long as the node's own stop may take (its
   * gateways wait up to 20 s for their sessions' ends, its router up to 30 s for the gateways), not the 10 s of
   * {@link TestSupport#await}: on a loaded machine a stop once took longer than that. A stop over 5 s is printed.
   */
  @Override
  public void close() {
    redisClient.close();
    long start = System.nanoTime();
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(40, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      StringBuilder threads = new StringBuilder("node not stopped within 40 s; roles still running: "
        + io.seedgate.common.lifecycle.LocalRoles.describe(vertx) + "; deployments: " + deployments() + "; threads:\n");
      Thread.getAllStackTraces().forEach((t, stack) -> {
        threads.append(t.getName()).append(" (").append(t.getState()).append(")\n");
        for (StackTraceElement frame : stack) {
          threads.append("    at ").append(frame).append('\n');
        }
      });
      System.out.println(threads);
      throw new AssertionError("node not stopped within 40 s", e);
    }
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    if (tookMs > 5_000) {
      System.out.println("node " + config.get(Settings.NODE_ID) + " took " + tookMs + " ms to stop");
    }
  }

  /** The verticles still deployed, by identifier (what a hanging stop has not undeployed yet). */
  private String deployments() {
    io.vertx.core.internal.VertxInternal internal = (io.vertx.core.internal.VertxInternal) vertx;
    return vertx.deploymentIDs().stream().map(id -> {
      var deployment = internal.deploymentManager().deployment(id);
      return deployment == null ? id : deployment.deployment().identifier();
    }).toList().toString();
  }
}
