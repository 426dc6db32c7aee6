package io.seedgate.node;

import io.seedgate.common.Failures;
import io.seedgate.common.config.ConfigException;
import io.seedgate.common.config.ConfigSources;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Setting;
import io.seedgate.common.config.Settings;
import io.seedgate.common.embedded.BackingServices;
import io.seedgate.examples.ExampleGameService;
import io.seedgate.gateway.GatewayVerticle;
import io.seedgate.node.demo.DemoVerticle;
import io.seedgate.node.ops.OpsVerticle;
import io.seedgate.router.RouterVerticle;
import io.vertx.config.ConfigRetriever;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A node: validates its config, finds Redis and PostgreSQL (embedded ones in the dev profile when none is
 * reachable), then deploys the roles the config names: persistence, router, and the gateway once per event
 * loop. Vert.x stops them together when the node stops; {@link io.seedgate.common.lifecycle.LocalRoles} makes
 * each role wait for the ones it serves, so sessions are saved before persistence goes.
 *
 * <p>Last, when {@code ops.enabled}, the operations port ({@link OpsVerticle}: health, readiness, metrics, admin
 * API, status page). A drain asked through it stops this node: the whole process when run by
 * {@link SeedGatewayLauncher}, else this verticle's deployment.
 *
 * <p>The config is the {@code -conf} JSON file of the launcher (or the deployment config when there is no file),
 * overridden by {@code SEED_*} environment variables, read through vertx-config ({@link ConfigSources}). While the
 * node runs it reads the file again every {@code node.configScanSeconds}: a change to a setting that applies live
 * ({@link Setting#live()}, the gateway's limits) takes effect on the running gateway instances; a change to any other
 * setting is logged as needing a restart; a file with an unknown setting or a bad value is refused with an ERROR
 * naming it, and the values in use stay.
 */
public class NodeVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(NodeVerticle.class);

  private final Map<String, String> environment;
  private final Path confFile;
  /** The config as read from the file and environment, with the live changes applied since (no resolution). */
  private NodeConfig sourced;
  /** The config in use; volatile: the operations port reads it (its metrics) from its own event loop. */
  private volatile NodeConfig config;
  private ConfigRetriever watcher;
  private OpsVerticle ops;

  /**
   * A node configured by the process environment and, when {@link SeedGatewayLauncher} runs it with
   * {@code -conf <file>}, that file (else its deployment config).
   */
  public NodeVerticle() {
    this(System.getenv(), SeedGatewayLauncher.confFile());
  }

  /** A node configured by its deployment config and the given environment (tests). */
  public NodeVerticle(Map<String, String> environment) {
    this(environment, null);
  }

  /**
   * A node configured by the given environment and config file; without a file ({@code null}), by its deployment
   * config. Only a file is read again while the node runs ({@code node.configScanSeconds}).
   */
  public NodeVerticle(Map<String, String> environment, Path confFile) {
    this.environment = environment;
    this.confFile = confFile;
  }

  @Override
  public Future<?> start() {
    return readConfig()
      .compose(loaded -> {
        if (loaded.get(Settings.LOGGING_JSON)) {
          JsonLogging.enable();
        }
        sourced = loaded;
        return vertx.executeBlocking(() -> BackingServices.resolve(withNodeId(loaded)))
          .onFailure(e -> Failures.error(LOG, "cannot start: {}", e));
      })
      .compose(resolved -> {
        config = resolved;
        return deployRoles();
      })
      .compose(v -> deployOps(new DeploymentOptions().setConfig(config.toJson())))
      .map(v -> {
        watchConfigFile();
        return v;
      })
      .onSuccess(v -> LOG.info(
        "[node: {}, profile: {}, roles: {}, websocket: {}, tcp: {}, udp: {}, demo: {}, config: {}] node started",
        config.get(Settings.NODE_ID), config.get(Settings.PROFILE), config.get(Settings.ROLES),
        port(Settings.WS_ENABLED, Settings.WS_PORT), port(Settings.TCP_ENABLED, Settings.TCP_PORT),
        port(Settings.UDP_ENABLED, Settings.UDP_PORT),
        config.get(Settings.DEMO_ENABLED) ? config.get(Settings.DEMO_PORT) : "off",
        watcher == null ? (confFile == null ? "deployment config" : confFile + ", not read again")
          : confFile + ", read every " + config.get(Settings.CONFIG_SCAN_SECONDS) + " s"));
  }

  /** Stops reading the config file again (the roles are undeployed by Vert.x, as this verticle's children). */
  @Override
  public Future<?> stop() {
    return watcher == null ? Future.succeededFuture() : watcher.close();
  }

  /** The file (or deployment config) and the environment, read once through vertx-config and validated. */
  private Future<NodeConfig> readConfig() {
    ConfigRetriever once = ConfigSources.retriever(vertx, confFile, config(), environment, 0);
    return ConfigSources.read(once)
      .andThen(ar -> once.close())
      .map(loaded -> {
        DemoVerticle.checkConfig(loaded);
        return loaded;
      })
      .onFailure(e -> Failures.error(LOG, "invalid configuration: {}", e));
  }

  /**
   * With a config file and {@code node.configScanSeconds} above 0: reads the file (and environment) again that
   * often; see {@link #reload}.
   */
  private void watchConfigFile() {
    int seconds = config.get(Settings.CONFIG_SCAN_SECONDS);
    if (confFile == null || seconds == 0) {
      return;
    }
    watcher = ConfigSources.retriever(vertx, confFile, null, environment, seconds * 1000L);
    watcher.listen(change -> reload(change.getNewConfiguration()));
  }

  /**
   * The config file changed (on this verticle's event loop). Validated as at start-up: when refused, an ERROR names
   * every bad setting and nothing changes. Otherwise the changed settings that apply live ({@link Setting#live()})
   * are applied to the running gateway instances, and a WARN names the changed ones that need a restart (their
   * values in use stay).
   */
  private void reload(JsonObject retrieved) {
    NodeConfig next;
    try {
      next = ConfigSources.validate(retrieved);
      DemoVerticle.checkConfig(next);
    } catch (ConfigException e) {
      LOG.error("[config file: {}] changed but is refused, the settings in use stay: {}", confFile, e.getMessage());
      return;
    }
    List<Setting<?>> changed = sourced.differences(next);
    List<Setting<?>> live = changed.stream().filter(Setting::live).toList();
    List<String> restart = changed.stream().filter(s -> !s.live()).map(Setting::path).toList();
    if (!restart.isEmpty()) {
      LOG.warn("[config file: {}] {} changed, which applies only after a restart (the values in use stay)",
        confFile, restart);
    }
    if (live.isEmpty()) {
      return;
    }
    NodeConfig applied = config.with(next, live);
    String what = live.stream().map(s -> s.path() + " " + config.get(s) + " -> " + next.get(s)).toList().toString();
    sourced = sourced.with(next, live);
    Future<Void> applying = config.get(Settings.ROLES).contains(Settings.ROLE_GATEWAY)
      ? GatewayVerticle.applyLive(vertx, applied) : Future.succeededFuture();
    applying
      .onSuccess(v -> LOG.info("[config file: {}] applied {}", confFile, what))
      .onFailure(e -> Failures.error(LOG, "[config file: {}] {} not applied to every gateway instance: {}", confFile,
        what, e));
    config = applied;
  }

  private Object port(Setting<Boolean> enabled, Setting<Integer> port) {
    return config.get(Settings.ROLES).contains(Settings.ROLE_GATEWAY) && config.get(enabled)
      ? config.get(port) : "off";
  }

  private Future<Void> deployRoles() {
    List<String> roles = config.get(Settings.ROLES);
    DeploymentOptions single = new DeploymentOptions().setConfig(config.toJson());
    Future<Void> chain = Future.succeededFuture();
    if (roles.contains(Settings.ROLE_PERSISTENCE)) {
      chain = chain.compose(v -> deploy("io.seedgate.persistence.PersistenceVerticle", single));
    }
    if (roles.contains(Settings.ROLE_ROUTER)) {
      chain = chain.compose(v -> vertx.deployVerticle(RouterVerticle::new, single).mapEmpty());
    }
    if (roles.contains(Settings.ROLE_GATEWAY)) {
      int instances = config.get(Settings.GATEWAY_INSTANCES);
      // one per core by default, not one per event loop (two per core): every instance has its own Redis connections
      // and subscriptions, and more instances than cores only share the same cores (measured in BENCHMARKS.md)
      int n = instances > 0 ? instances : Runtime.getRuntime().availableProcessors();
      chain = chain.compose(v -> vertx.deployVerticle(GatewayVerticle::new,
        new DeploymentOptions(single).setInstances(n)).mapEmpty());
    }
    if (config.get(Settings.EXAMPLE_SERVICE)) {
      JsonObject service = exampleServiceConfig(config);
      chain = chain.compose(v -> vertx.deployVerticle(ExampleGameService::new,
        new DeploymentOptions().setConfig(service)).mapEmpty());
    }
    if (config.get(Settings.DEMO_ENABLED)) {
      chain = chain.compose(v -> vertx.deployVerticle(DemoVerticle::new, single).mapEmpty());
    }
    return chain;
  }

  /**
   * The example game service's config for this node's Redis and action channels: the one server, the cluster's
   * seeds or the Sentinels, as the node reaches them, and the sharded action and delivery channels when the node
   * uses them.
   */
  static JsonObject exampleServiceConfig(NodeConfig config) {
    JsonObject service = new JsonObject().put("redisUrl", config.get(Settings.REDIS_URL))
      .put("actionChannelPrefix", config.get(Settings.ACTION_CHANNEL_PREFIX));
    String mode = config.get(Settings.REDIS_MODE);
    if (Settings.REDIS_CLUSTER.equals(mode)) {
      service.put("redisCluster", new JsonArray(config.get(Settings.REDIS_ENDPOINTS)));
    } else if (Settings.REDIS_SENTINEL.equals(mode)) {
      service.put("redisSentinels", new JsonArray(config.get(Settings.REDIS_ENDPOINTS)))
        .put("redisMasterName", config.get(Settings.REDIS_MASTER_NAME));
    }
    if (Settings.PUBSUB_SHARDED.equals(config.get(Settings.PUBSUB))) {
      service.put("shardedPubSub", true);
    }
    if (config.get(Settings.ACTION_CHANNELS) > 0) {
      service.put("actionChannels", config.get(Settings.ACTION_CHANNELS));
    }
    return service;
  }

  /** Deploys the operations port, last, when {@code ops.enabled}. */
  private Future<Void> deployOps(DeploymentOptions options) {
    if (!config.get(Settings.OPS_ENABLED)) {
      return Future.succeededFuture();
    }
    ops = new OpsVerticle(this::stopAfterDrain, this::nodeConfig);
    return vertx.deployVerticle(ops, options).mapEmpty();
  }

  /** After a drain: ends the process when the launcher runs it, else undeploys this node. */
  private void stopAfterDrain() {
    if (SeedGatewayLauncher.running()) {
      SeedGatewayLauncher.exit();
    } else {
      vertx.undeploy(context.deploymentID())
        .onFailure(e -> Failures.error(LOG, "node not stopped after its drain: {}", e));
    }
  }

  /** The operations verticle, or {@code null} when {@code ops.enabled} is false. */
  public OpsVerticle ops() {
    return ops;
  }

  private Future<Void> deploy(String className, DeploymentOptions options) {
    return vertx.deployVerticle(className, options).mapEmpty();
  }

  /** The config in use (after defaults, environment, node id and backing services were resolved). */
  public NodeConfig nodeConfig() {
    return config;
  }

  private static NodeConfig withNodeId(NodeConfig config) {
    if (!config.get(Settings.NODE_ID).isEmpty()) {
      return config;
    }
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_-]", "");
    } catch (Exception e) {
      host = "node";
    }
    String id = (host.isEmpty() ? "node" : host.substring(0, Math.min(40, host.length()))) + "-"
      + UUID.randomUUID().toString().substring(0, 6);
    return config.with(Map.of(Settings.NODE_ID.path(), id));
  }
}
