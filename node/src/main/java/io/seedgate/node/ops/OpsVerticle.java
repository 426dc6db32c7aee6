package io.seedgate.node.ops;

import io.seedgate.common.Addresses;
import io.seedgate.common.Failures;
import io.seedgate.common.cluster.ClusterInfo;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.common.lifecycle.LocalRoles;
import io.seedgate.gateway.LocalGateways;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The operations port of a node (a singleton per node, deployed by the node when {@code ops.enabled}):
 * {@code /health}, {@code /ready} ({@link HealthHandler}), {@code /metrics} ({@link MetricsHandler}), the admin API
 * under {@code /admin} ({@link AdminApi}) and the {@code /status} page ({@link StatusPage}). It also answers other
 * nodes' admin requests on {@link Addresses#nodeOps} and {@link Addresses#memberOps} ({@link OpsRequests}) and drains
 * the node when asked. It keeps the node's recent history for the status page's charts ({@link OpsHistory}),
 * served with the cluster's by {@code GET /admin/history} ({@link ClusterHistory}).
 *
 * <p>Config: the node config ({@link Settings}), with {@code node.id} set. Its own Redis client (a small pool) and,
 * when the node runs persistence, a one-connection PostgreSQL pool serve the checks and the admin API; both
 * connect on demand, so a node whose Redis is down still starts its operations port and reports it.
 */
public class OpsVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OpsVerticle.class);
  private static final long STOP_BOUND_MS = 20_000;
  /**
   * How long a stopping node still finishes the operations requests in flight: the answer to the drain that stops
   * it, when that drain was asked of this node, is written while the node already stops.
   */
  private static final long HTTP_GRACE_MS = 2_000;
  private static final long CLOSE_BOUND_MS = 5_000;
  static final String DRAINING = "draining";
  static final String STOPPING = "stopping";

  private final Runnable stopNode;
  private final Supplier<NodeConfig> liveConfig;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private volatile String state = Checks.OK;
  private NodeConfig config;
  private String nodeId;
  private Redis redis;
  private Pool postgres;
  private FlushFigures flush;
  private EventLoopProbe probe;
  private OpsHistory history;
  private String memberId;
  private NodeMetrics metrics;
  private HttpServer server;

  /** An operations port whose drain ends without stopping anything (tests, tools). */
  public OpsVerticle() {
    this(() -> LOG.info("drained; nothing set to stop the node"), null);
  }

  /**
   * @param stopNode   stops the node after a drain (called once, on this verticle's context)
   * @param liveConfig the node's config with its live changes (read from any thread), or {@code null}: this
   *                   verticle's config
   */
  public OpsVerticle(Runnable stopNode, Supplier<NodeConfig> liveConfig) {
    this.stopNode = stopNode;
    this.liveConfig = liveConfig;
  }

  @Override
  public Future<?> start() {
    config = NodeConfig.load(config(), Map.of());
    nodeId = config.get(Settings.NODE_ID);
    memberId = ClusterInfo.memberId(vertx, nodeId);
    RecentErrors.install();
    redis = Redis.createClient(vertx, config.redis().commandOptions()
      .setMaxPoolSize(2).setMaxPoolWaiting(64).setPoolRecycleTimeout(60_000));
    if (config.get(Settings.ROLES).contains(Settings.ROLE_PERSISTENCE)) {
      postgres = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setMaxWaitQueueSize(16)
          .setConnectionTimeout((int) Checks.TIMEOUT_MS).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
        .connectingTo(PgConnectOptions.fromUri(config.get(Settings.POSTGRES_URL))
          .addProperty("application_name", "seed-ops"))
        .using(vertx).build();
    }
    Checks checks = new Checks(vertx, redis, postgres, nodeId, () -> state);
    flush = new FlushFigures(vertx);
    probe = new EventLoopProbe(vertx);
    LatencyWindow latency = new LatencyWindow();
    history = new OpsHistory(vertx, nodeId, memberId, checks, flush, probe, latency);
    metrics = new NodeMetrics(vertx);
    Supplier<NodeConfig> live = liveConfig == null ? () -> config : liveConfig;
    metrics.register(nodeId, checks, flush, probe, () -> !Checks.OK.equals(state), latency,
      config.get(Settings.ROLES).contains(Settings.ROLE_GATEWAY) ? () -> live.get().get(Settings.MAX_CONNECTIONS)
        : null);
    OpsRequests requests = new OpsRequests(vertx, nodeId, memberId, config.get(Settings.ROLES), checks, flush,
      history, this::drain, this::actualPort);
    StatusPage page = new StatusPage();

    Router router = Router.router(vertx);
    HealthHandler health = new HealthHandler(nodeId, checks);
    router.get("/health").handler(health::health);
    router.get("/ready").handler(health::ready);
    router.get("/metrics").handler(new MetricsHandler(metrics));
    page.mount(router);
    new AdminApi(vertx, redis, nodeId, config.get(Settings.BROADCAST_CHANNEL),
      config.get(Settings.OPS_ADMIN_TOKEN), new ClusterHistory(vertx, nodeId, history.timeline())).mount(router);
    router.route().last().handler(ctx -> OpsResponses.error(ctx, 404, "no such endpoint"));
    router.errorHandler(500, ctx -> {
      // a handler threw: a bug, logged with its stack trace
      LOG.error("[request: {} {}] ops request failed: {}", ctx.request().method(), ctx.request().path(),
        Failures.describe(ctx.failure()), ctx.failure());
      OpsResponses.error(ctx, 500, "internal error: " + (ctx.failure() == null ? "unknown" : ctx.failure().getMessage()));
    });

    consumers.add(vertx.eventBus().consumer(Addresses.nodeOps(nodeId), requests::handle));
    consumers.add(vertx.eventBus().consumer(Addresses.memberOps(memberId), requests::handle));
    return page.load(vertx)
      .compose(v -> Future.all(consumers.stream().map(MessageConsumer::completion).toList()))
      .compose(v -> vertx.createHttpServer(new HttpServerOptions().setHost(config.get(Settings.OPS_HOST))
        .setPort(config.get(Settings.OPS_PORT))).requestHandler(router).listen())
      .<Void>map(s -> {
        server = s;
        flush.start();
        probe.start();
        history.start();
        LOG.info("[node: {}, admin API: {}, vert.x metrics: {}] operations port {} open", nodeId,
          config.get(Settings.OPS_ADMIN_TOKEN).isEmpty() ? "off (ops.adminToken is empty)" : "on",
          metrics.withVertxMetrics() ? "on" : "off", s.actualPort());
        return null;
      })
      .recover(e -> {
        Failures.error(LOG, "[node: {}] operations port {} cannot open: {}", nodeId, config.get(Settings.OPS_PORT), e);
        return closeAll().transform(ignored -> Future.failedFuture(e));
      });
  }

  /** The port listened on (useful when configured as 0), or -1 before start. */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  /**
   * Starts draining, once: new clients are refused, every client gets {@code {"error":"server stopped",
   * "reconnect":true}} and is closed; when their ends are recorded (at most {@code ops.shutdownTimeoutSeconds}),
   * the node stops. Returns at once with {@code {"node","draining":true,"sessions":n}}.
   */
  JsonObject drain() {
    int sessions = LocalGateways.sessions(vertx);
    JsonObject reply = new JsonObject().put("node", nodeId).put("draining", true).put("sessions", sessions);
    if (!Checks.OK.equals(state)) {
      return reply.put("already", true);
    }
    state = DRAINING;
    history.timeline().add(Timeline.DRAIN, memberId, "draining: " + sessions + " sessions told to reconnect elsewhere");
    long boundMs = config.get(Settings.OPS_SHUTDOWN_TIMEOUT) * 1000L;
    LOG.info("[node: {}] draining: {} sessions told to reconnect elsewhere", nodeId, sessions);
    LocalGateways.drain(vertx).timeout(boundMs, TimeUnit.MILLISECONDS).onComplete(ar -> {
      if (ar.failed()) {
        Failures.warn(LOG, "[node: {}] sessions still ending after {} ms of draining, stopping anyway: {}", nodeId,
          boundMs, ar.cause());
      } else {
        LOG.info("[node: {}] drained, stopping", nodeId);
      }
      stopNode.run();
    });
    return reply;
  }

  /**
   * Reports not ready from now on, stays up while this node's gateways close their sessions (so probes see the
   * node going), then closes.
   */
  @Override
  public Future<?> stop() {
    state = STOPPING;
    return LocalRoles.whenStopped(vertx, Settings.ROLE_GATEWAY, STOP_BOUND_MS).eventually(this::closeAll);
  }

  private Future<Void> closeAll() {
    if (history != null) {
      history.stop();
    }
    if (probe != null) {
      probe.stop();
    }
    if (flush != null) {
      flush.stop();
    }
    if (metrics != null) {
      metrics.close();
    }
    Map<String, Future<?>> closing = new LinkedHashMap<>();
    for (int i = 0; i < consumers.size(); i++) {
      closing.put("consumer " + consumers.get(i).address(), consumers.get(i).unregister());
    }
    if (server != null) {
      // idle connections close at once; a request in flight gets its answer first (at most HTTP_GRACE_MS)
      closing.put("operations port", server.shutdown(HTTP_GRACE_MS, TimeUnit.MILLISECONDS));
    }
    if (postgres != null) {
      closing.put("PostgreSQL client", postgres.close());
    }
    if (redis != null) {
      redis.close();
    }
    // bounded: a clustered consumer's unregistration waits on Hazelcast, which may be busy with a member that just
    // left; the node's stop must not wait for it (the Vert.x instance's close takes what is left)
    return Future.join(new ArrayList<>(closing.values())).mapEmpty()
      .timeout(CLOSE_BOUND_MS, TimeUnit.MILLISECONDS)
      .recover(e -> {
        List<String> pending = closing.entrySet().stream().filter(c -> !c.getValue().isComplete())
          .map(Map.Entry::getKey).toList();
        if (e instanceof java.util.concurrent.TimeoutException) {
          LOG.warn("[node: {}] operations stop: still closing after {} ms, going on: {}", nodeId, CLOSE_BOUND_MS,
            pending);
        } else {
          Failures.warn(LOG, "[node: {}] operations stop: closing failed, going on: {}", nodeId, e);
        }
        return Future.succeededFuture();
      }).mapEmpty();
  }
}
