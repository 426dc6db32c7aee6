package io.seedgate.node.ops;

import io.seedgate.common.cluster.ClusterInfo;
import io.seedgate.common.redis.RedisErrors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * What a node depends on, checked now: Redis answers {@code PING}, PostgreSQL answers {@code select 1} (when this
 * node runs persistence), the node is a member of its cluster (when clustered), and it is not draining or stopping.
 * Each check is a short text: {@value #OK}, {@value #NOT_RUN}, {@value #NOT_CLUSTERED}, or what is wrong.
 */
final class Checks {

  static final String OK = "ok";
  static final String NOT_RUN = "not run here";
  static final String NOT_CLUSTERED = "not clustered";
  static final long TIMEOUT_MS = 2_000;

  private final Vertx vertx;
  private final Redis redis;
  private final Pool postgres;
  private final String nodeId;
  private final Supplier<String> nodeState;
  private final LongAdder postgresErrors = new LongAdder();
  private volatile boolean ready;

  /**
   * @param postgres  the pool to check, or {@code null} when this node does not run persistence
   * @param nodeState {@value #OK}, or why the node takes no new clients (draining, stopping)
   */
  Checks(Vertx vertx, Redis redis, Pool postgres, String nodeId, Supplier<String> nodeState) {
    this.vertx = vertx;
    this.redis = redis;
    this.postgres = postgres;
    this.nodeId = nodeId;
    this.nodeState = nodeState;
  }

  /** Whether a check's text means fine. */
  static boolean fine(String value) {
    return OK.equals(value) || NOT_RUN.equals(value) || NOT_CLUSTERED.equals(value);
  }

  /** Runs every check: {@code {"redis":..,"postgres":..,"cluster":..,"node":..}}; never fails. */
  Future<JsonObject> run() {
    Future<String> r = redis();
    Future<String> p = postgres();
    return Future.join(r, p).transform(ignored -> {
      JsonObject result = new JsonObject()
        .put("redis", r.result())
        .put("postgres", p.result())
        .put("cluster", cluster())
        .put("node", nodeState.get());
      ready = failing(result).isEmpty();
      return Future.succeededFuture(result);
    });
  }

  /** Whether the last {@link #run} found everything fine ({@code /ready} would answer 200); false before one. */
  boolean lastReady() {
    return ready;
  }

  /** The names of the checks in the result that are not fine. */
  static List<String> failing(JsonObject checks) {
    return checks.fieldNames().stream().filter(k -> !fine(checks.getString(k))).sorted().toList();
  }

  /** PostgreSQL errors seen by the readiness check since start. */
  long postgresErrors() {
    return postgresErrors.sum();
  }

  private Future<String> redis() {
    return redis.send(Request.cmd(Command.PING)).timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .transform(ar -> {
        if (ar.succeeded()) {
          return Future.succeededFuture(OK);
        }
        RedisErrors.of(vertx).increment();
        return Future.succeededFuture("unreachable: " + ar.cause().getMessage());
      });
  }

  private Future<String> postgres() {
    if (postgres == null) {
      return Future.succeededFuture(NOT_RUN);
    }
    return postgres.query("select 1").execute().timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .transform(ar -> {
        if (ar.succeeded()) {
          return Future.succeededFuture(OK);
        }
        postgresErrors.increment();
        return Future.succeededFuture("unreachable: " + ar.cause().getMessage());
      });
  }

  private String cluster() {
    if (!vertx.isClustered()) {
      return NOT_CLUSTERED;
    }
    if (!ClusterInfo.clustered(vertx)) {
      return "clustered without a cluster manager";
    }
    String me = ClusterInfo.memberId(vertx, nodeId);
    return ClusterInfo.members(vertx, nodeId).contains(me) ? OK : "not a member of the cluster";
  }
}
