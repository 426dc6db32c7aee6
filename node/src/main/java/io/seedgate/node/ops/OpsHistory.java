package io.seedgate.node.ops;

import io.seedgate.common.Addresses;
import io.seedgate.common.cluster.ClusterInfo;
import io.seedgate.common.config.Settings;
import io.seedgate.common.lifecycle.LocalRoles;
import io.seedgate.common.redis.RedisErrors;
import io.seedgate.gateway.LocalGateways;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The recent history of this node for the status page's charts: every {@value #INTERVAL_SECONDS} s (on the wall
 * clock's 5 s boundaries, so that every node's samples line up), a sample of the {@link #SERIES} kept in a
 * {@link SeriesRing} of {@value #CAPACITY} samples (20 minutes), and the {@link Timeline} of events. Runs on the
 * operations verticle's event loop and only reads counters, so a tick costs microseconds; it also runs the
 * readiness checks (a Redis {@code PING}, a PostgreSQL {@code select 1}) so that {@code seed_node_ready} stays
 * current without a prober.
 *
 * <p>Series (per second or per interval as named): open connections by transport, players, client messages in
 * and out per second, routing latency p50 and p99 (ms, over the interval; none when nothing was routed), the
 * worst event-loop delay (ms), the flush backlog and the last flush's duration (ms; none on a node without
 * persistence), Redis and PostgreSQL errors in the interval.
 */
final class OpsHistory {

  static final int INTERVAL_SECONDS = 5;
  static final int CAPACITY = 240;
  static final List<String> SERIES = List.of("connections.websocket", "connections.tcp", "connections.udp",
    "players", "messagesInPerSecond", "messagesOutPerSecond", "routingP50Ms", "routingP99Ms", "eventLoopDelayMs",
    "flushBacklog", "flushDurationMs", "redisErrors", "postgresErrors");
  private static final long NAME_TIMEOUT_MS = 2_000;

  private final Vertx vertx;
  private final String nodeId;
  private final String memberId;
  private final Checks checks;
  private final FlushFigures flush;
  private final EventLoopProbe probe;
  private final LatencyWindow latency;
  private final SeriesRing ring = new SeriesRing(SERIES, CAPACITY);
  private final Timeline timeline = new Timeline();
  private final Set<String> naming = new HashSet<>();
  private Set<String> members = Set.of();
  private long timer = -1;
  private boolean stopped;
  private long lastNanos;
  private double lastIn;
  private double lastOut;
  private double lastRedisErrors;
  private double lastPostgresErrors;
  private double lastFlushFailures;
  private long[] lastLatency;

  OpsHistory(Vertx vertx, String nodeId, String memberId, Checks checks, FlushFigures flush, EventLoopProbe probe,
             LatencyWindow latency) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.memberId = memberId;
    this.checks = checks;
    this.flush = flush;
    this.probe = probe;
    this.latency = latency;
  }

  Timeline timeline() {
    return timeline;
  }

  /** Starts sampling (on the caller's context): the first sample at the next 5 s boundary. */
  void start() {
    timeline.name(memberId, nodeId);
    timeline.add(Timeline.STARTED, memberId, "node started");
    members = ClusterInfo.members(vertx, nodeId);
    members.forEach(this::askName);
    lastNanos = System.nanoTime();
    lastIn = LocalGateways.messagesIn(vertx);
    lastOut = LocalGateways.messagesOut(vertx);
    lastRedisErrors = RedisErrors.count(vertx);
    lastPostgresErrors = postgresErrors();
    lastFlushFailures = flush.figure("failures");
    lastLatency = latency.snapshot();
    schedule();
  }

  void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }

  /**
   * This node's samples and events after the time (epoch seconds; 0 for all of them):
   * {@code {"node","member","intervalSeconds","capacity","t":[..],"series":{..},"events":[..]}}.
   */
  JsonObject toJson(long sinceEpochSeconds) {
    return new JsonObject().put("node", nodeId).put("member", memberId).put("intervalSeconds", INTERVAL_SECONDS)
      .put("capacity", CAPACITY).mergeIn(ring.toJson(sinceEpochSeconds))
      .put("events", timeline.toJson(sinceEpochSeconds));
  }

  private void schedule() {
    if (stopped) {
      return;
    }
    long periodMs = INTERVAL_SECONDS * 1000L;
    long delay = periodMs - System.currentTimeMillis() % periodMs;
    timer = vertx.setTimer(Math.max(1, delay), t -> {
      tick();
      schedule();
    });
  }

  private void tick() {
    long now = System.nanoTime();
    double seconds = Math.max(0.001, (now - lastNanos) / 1e9);
    lastNanos = now;
    long epoch = Math.round(System.currentTimeMillis() / (INTERVAL_SECONDS * 1000.0)) * INTERVAL_SECONDS;
    double in = LocalGateways.messagesIn(vertx);
    double out = LocalGateways.messagesOut(vertx);
    double redisErrors = RedisErrors.count(vertx);
    double postgresErrors = postgresErrors();
    long[] routed = latency.snapshot();
    boolean persistence = LocalRoles.running(vertx, Settings.ROLE_PERSISTENCE);
    ring.add(epoch, new double[] {
      LocalGateways.connections(vertx, "websocket"), LocalGateways.connections(vertx, "tcp"),
      LocalGateways.connections(vertx, "udp"), LocalGateways.players(vertx),
      (in - lastIn) / seconds, (out - lastOut) / seconds,
      LatencyWindow.quantile(lastLatency, routed, 0.5) * 1000, LatencyWindow.quantile(lastLatency, routed, 0.99) * 1000,
      worstLoopDelayMs(),
      persistence ? flush.figure("backlog") : Double.NaN, persistence ? flush.figure("lastDurationMs") : Double.NaN,
      redisErrors - lastRedisErrors, postgresErrors - lastPostgresErrors});
    lastIn = in;
    lastOut = out;
    lastRedisErrors = redisErrors;
    lastPostgresErrors = postgresErrors;
    lastLatency = routed;
    flushFailures(epoch);
    membership(epoch);
    checks.run();
  }

  private double worstLoopDelayMs() {
    double worst = 0;
    for (int i = 0; i < probe.loops(); i++) {
      worst = Math.max(worst, probe.maxDelaySeconds(i));
    }
    return worst * 1000;
  }

  private double postgresErrors() {
    return flush.figure("failures") + checks.postgresErrors();
  }

  private void flushFailures(long epoch) {
    double failures = flush.figure("failures");
    if (failures > lastFlushFailures) {
      long n = Math.round(failures - lastFlushFailures);
      Object error = flush.latest().getValue("lastError");
      timeline.add(epoch, Timeline.FLUSH_FAILED, memberId, n + (n == 1 ? " flush cycle" : " flush cycles")
        + " failed" + (error == null ? "" : ": " + error));
    }
    lastFlushFailures = failures;
  }

  private void membership(long epoch) {
    Set<String> now = ClusterInfo.members(vertx, nodeId);
    for (String m : now) {
      if (!members.contains(m)) {
        timeline.add(epoch, Timeline.JOINED, m, "joined the cluster");
      }
      if (!timeline.named(m)) {
        askName(m);
      }
    }
    for (String m : members) {
      if (!now.contains(m)) {
        timeline.add(epoch, Timeline.LEFT, m, "left the cluster");
      }
    }
    members = now;
  }

  /** Asks a member for its node id (its answer to a history request for nothing); retried next tick on failure. */
  private void askName(String member) {
    if (member.equals(memberId) || !naming.add(member)) {
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.memberOps(member),
        new JsonObject().put("type", "history").put("since", Long.MAX_VALUE),
        new DeliveryOptions().setSendTimeout(NAME_TIMEOUT_MS))
      .onComplete(ar -> {
        naming.remove(member);
        if (ar.succeeded()) {
          timeline.name(member, ar.result().body().getString("node"));
        }
      });
  }
}
