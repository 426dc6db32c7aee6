package io.seedgate.node.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.redis.RedisErrors;
import io.seedgate.gateway.LocalGateways;
import io.seedgate.gateway.resume.ResumeReason;
import io.vertx.core.Vertx;
import io.vertx.micrometer.backends.BackendRegistries;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The node's meters, in Prometheus form. When Vert.x was created with Micrometer metrics (the launcher does it),
 * they join its Prometheus registry, beside Vert.x's and the JVM's own meters; otherwise (a Vert.x created without
 * metrics, as in tests) they live in a registry of their own. Meters are read at scrape time from counters the
 * gateway keeps anyway; only the routing latency is recorded as it happens.
 *
 * <p>Names as Prometheus shows them: {@code seed_connections{transport}}, {@code seed_messages_in_total},
 * {@code seed_logins_queued}, {@code seed_messages_out_total}, {@code seed_actions_failed_total},
 * {@code seed_slow_clients_total},
 * {@code seed_auth_failures_total{reason}}, {@code seed_resumes_total{outcome,reason}},
 * {@code seed_sessions_detached}, {@code seed_resume_buffered_bytes},
 * {@code seed_routing_latency_seconds} (histogram), {@code seed_login_latency_seconds} (histogram), {@code seed_redis_errors_total},
 * {@code seed_postgres_errors_total}, {@code seed_persistence_*}, {@code seed_eventloop_delay_seconds{loop}},
 * {@code seed_node_draining}, {@code seed_node_ready}, {@code seed_node_info{node}},
 * {@code seed_limits_max_connections} (nodes running the gateway).
 */
final class NodeMetrics {

  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1)};
  private static final Duration[] LOGIN_BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
    Duration.ofMillis(750), Duration.ofSeconds(1), Duration.ofMillis(1500), Duration.ofSeconds(2),
    Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofMillis(7500),
    Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(40)};

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final boolean ownRegistry;
  private final List<Meter> meters = new ArrayList<>();

  NodeMetrics(Vertx vertx) {
    this.vertx = vertx;
    PrometheusMeterRegistry shared = vertx.isMetricsEnabled()
      && BackendRegistries.getDefaultNow() instanceof PrometheusMeterRegistry p ? p : null;
    this.ownRegistry = shared == null;
    this.registry = shared != null ? shared : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Whether Vert.x's own metrics are in the registry too. */
  boolean withVertxMetrics() {
    return !ownRegistry;
  }

  /**
   * Registers the node's meters.
   *
   * @param latency        also gets every routing latency (for the status page's charts)
   * @param maxConnections {@code gateway.limits.maxConnections} as in use now (it applies live), or {@code null}
   *                       when the node does not run the gateway
   */
  void register(String nodeId, Checks checks, FlushFigures flush, EventLoopProbe probe, BooleanSupplier draining,
                LatencyWindow latency, Supplier<Integer> maxConnections) {
    meters.add(Gauge.builder("seed.node.info", () -> 1).tag("node", nodeId)
      .description("this node (value 1), labelled with its id").register(registry));
    meters.add(Gauge.builder("seed.node.draining", () -> draining.getAsBoolean() ? 1 : 0)
      .description("1 while the node drains or stops").register(registry));
    meters.add(Gauge.builder("seed.node.ready", () -> checks.lastReady() ? 1 : 0)
      .description("1 when the last readiness check passed (what /ready answers; checked every 5 s)")
      .register(registry));
    if (maxConnections != null) {
      gauge("seed.limits.max.connections", maxConnections::get,
        "gateway.limits.maxConnections: client connections this node accepts (all transports)");
    }
    for (String transport : List.of("websocket", "tcp", "udp")) {
      meters.add(Gauge.builder("seed.connections", () -> LocalGateways.connections(vertx, transport))
        .tag("transport", transport).description("open client connections").register(registry));
    }
    gauge("seed.players", () -> LocalGateways.players(vertx), "authenticated sessions: players online on this node");
    gauge("seed.logins.queued", () -> LocalGateways.loginsQueued(vertx),
      "logins waiting for their token check (gateway.limits.loginsInFlight are at the router)");
    gauge("seed.delivery.channels", () -> LocalGateways.deliveryChannels(vertx),
      "Redis Pub/Sub channels this node subscribes for its players (token:, player:, map:, broadcast)");
    counter("seed.messages.in", v -> LocalGateways.messagesIn(vertx), "client messages received");
    counter("seed.messages.out", v -> LocalGateways.messagesOut(vertx), "messages sent to clients (deliveries and errors)");
    counter("seed.actions.failed", v -> LocalGateways.actionsFailed(vertx), "client actions Redis did not take");
    counter("seed.slow.clients", v -> LocalGateways.slowClients(vertx),
      "clients disconnected as too slow to receive (more than gateway.maxQueuedBytes unwritten)");
    counter("seed.deliveries.received", v -> LocalGateways.receivedFromRedis(vertx),
      "Pub/Sub messages received from Redis for this node's clients");
    for (ErrorCode reason : List.of(ErrorCode.INVALID_TOKEN, ErrorCode.TOKEN_EXPIRED, ErrorCode.AUTH_TIMEOUT,
      ErrorCode.UNAVAILABLE)) {
      meters.add(FunctionCounter.builder("seed.auth.failures", vertx, v -> LocalGateways.authFailures(v, reason))
        .tag("reason", reason.name()).description("connections refused at authentication").register(registry));
    }
    meters.add(FunctionCounter.builder("seed.resumes", vertx, LocalGateways::resumesAttempted)
      .tag("outcome", "attempted").tag("reason", "none").description("resumes of sessions").register(registry));
    meters.add(FunctionCounter.builder("seed.resumes", vertx, LocalGateways::resumesSucceeded)
      .tag("outcome", "succeeded").tag("reason", "none").description("resumes of sessions").register(registry));
    for (ResumeReason reason : ResumeReason.values()) {
      meters.add(FunctionCounter.builder("seed.resumes", vertx, v -> LocalGateways.resumesFailed(v, reason))
        .tag("outcome", "failed").tag("reason", reason.wire()).description("resumes of sessions")
        .register(registry));
    }
    gauge("seed.sessions.detached", () -> LocalGateways.detached(vertx),
      "resumable sessions whose connection is gone, online and buffering within gateway.resume.windowSeconds");
    gauge("seed.resume.buffered.bytes", () -> LocalGateways.bufferedBytes(vertx),
      "payload bytes held by the replay buffers of resumable sessions (a payload shared by many counts in each)");
    Timer routing = Timer.builder("seed.routing.latency")
      .description("from a parsed client message to Redis accepting its PUBLISH")
      .serviceLevelObjectives(LATENCY_BUCKETS)
      .register(registry);
    meters.add(routing);
    LocalGateways.routingLatency(vertx).recordTo(nanos -> {
      routing.record(nanos, TimeUnit.NANOSECONDS);
      latency.record(nanos);
    });
    Timer login = Timer.builder("seed.login.latency")
      .description("from a client's token to its session being active (token checked, delivery channels subscribed)")
      .serviceLevelObjectives(LOGIN_BUCKETS)
      .register(registry);
    meters.add(login);
    LocalGateways.loginLatency(vertx).recordTo(nanos -> login.record(nanos, TimeUnit.NANOSECONDS));
    counter("seed.redis.errors", v -> RedisErrors.count(vertx),
      "Redis connection errors, lost connections, failed reconnects, commands refused while down");
    counter("seed.postgres.errors", v -> flush.figure("failures") + checks.postgresErrors(),
      "failed flush cycles and failed readiness checks of PostgreSQL");
    counter("seed.persistence.rows.written", v -> flush.figure("rowsWritten"), "player rows written to PostgreSQL");
    counter("seed.persistence.flush.cycles", v -> flush.figure("cycles"), "flush cycles run by this node");
    counter("seed.persistence.flush.failures", v -> flush.figure("failures"), "flush cycles that failed");
    counter("seed.persistence.flush.skipped", v -> flush.figure("skipped"),
      "flush cycles skipped because another node held the flush lock");
    gauge("seed.persistence.flush.backlog", () -> flush.figure("backlog"),
      "changed players the last flush left for the next one");
    gauge("seed.persistence.last.flush.rows", () -> flush.figure("lastRowsWritten"), "rows the last flush wrote");
    meters.add(Gauge.builder("seed.persistence.last.flush.duration", () -> flush.figure("lastDurationMs") / 1000.0)
      .baseUnit("seconds").description("duration of the last flush").register(registry));
    for (int i = 0; i < probe.loops(); i++) {
      int loop = i;
      meters.add(Gauge.builder("seed.eventloop.delay", () -> probe.maxDelaySeconds(loop)).baseUnit("seconds")
        .tag("loop", Integer.toString(loop))
        .description("worst lateness of a 100 ms timer on the event loop in the last 5 s").register(registry));
    }
  }

  private void counter(String name, ToDoubleFunction<Vertx> value, String description) {
    meters.add(FunctionCounter.builder(name, vertx, value).description(description).register(registry));
  }

  private void gauge(String name, Supplier<Number> value, String description) {
    meters.add(Gauge.builder(name, value).description(description).register(registry));
  }

  /** Removes this node's meters (from a shared registry) or closes its own registry. */
  void close() {
    LocalGateways.routingLatency(vertx).recordTo(null);
    LocalGateways.loginLatency(vertx).recordTo(null);
    if (ownRegistry) {
      registry.close();
    } else {
      meters.forEach(registry::remove);
    }
    meters.clear();
  }
}
