package io.seedgate.router;

import io.seedgate.common.BurstLog;
import io.seedgate.common.Failures;
import io.seedgate.common.LogContext;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.cluster.ClusterInfo;
import io.seedgate.common.lifecycle.Incarnation;
import io.seedgate.common.redis.RedisLink;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Ends the sessions of gateway incarnations that died (a crash or {@code kill -9} included), as if each session
 * had closed (saved, offline, off its map), with or without a surviving cluster member:
 * <ul>
 *   <li>at start and every sweep interval, every incarnation listed in {@link RedisKeys#INCARNATIONS} whose lease
 *   ({@link RedisKeys#lease}) has lapsed is dead, unless it runs in this Vert.x instance
 *   ({@link Incarnation#local}) or its cluster member is still in the cluster (a member Hazelcast still sees is
 *   alive, whatever its lease says: it will renew it, or Hazelcast will drop it);</li>
 *   <li>the fast path: when Hazelcast reports a member gone, its incarnations are dead at once.</li>
 * </ul>
 * A clean-up that fails (Redis or PostgreSQL away) leaves the incarnation listed; the next sweep tries again. One
 * Redis (database) per cluster.
 */
final class IncarnationSweeper {

  private static final Logger LOG = LoggerFactory.getLogger(IncarnationSweeper.class);
  /** One WARN a minute for clean-ups that failed: while PostgreSQL or Redis is away each sweep (2 s) fails. */
  private final BurstLog cleanupFailures = new BurstLog(LOG, 60_000);

  private final Vertx vertx;
  private final RedisLink redis;
  private final SessionDirectory directory;
  private final String nodeId;
  private final long intervalMs;
  private final Set<String> cleaning = new HashSet<>();
  private UUID registration;
  private long timer = -1;
  private boolean sweeping;

  /**
   * @param intervalMs how often the leases are checked
   */
  IncarnationSweeper(Vertx vertx, RedisLink redis, SessionDirectory directory, String nodeId, long intervalMs) {
    this.vertx = vertx;
    this.redis = redis;
    this.directory = directory;
    this.nodeId = nodeId;
    this.intervalMs = intervalMs;
  }

  /**
   * The first sweep runs at once but is not waited for: a router starting after a large node's crash must not
   * hold its node's start (and its own stop) for the thousands of sessions it then ends.
   */
  Future<Void> start(Context context) {
    registration = ClusterInfo.onMemberLeft(vertx, context, this::memberLeft);
    sweep();
    timer = vertx.setPeriodic(intervalMs, t -> sweep());
    return Future.succeededFuture();
  }

  void stop() {
    vertx.cancelTimer(timer);
    ClusterInfo.removeListener(vertx, registration);
  }

  /** One pass over the incarnations; completes when the dead ones found were cleaned up (or failed to be). */
  Future<Void> sweep() {
    if (sweeping) {
      return Future.succeededFuture();
    }
    sweeping = true;
    return redis.send(Request.cmd(Command.HGETALL).arg(RedisKeys.INCARNATIONS))
      .compose(all -> {
        Set<String> local = Incarnation.local(vertx).keySet();
        Set<String> members = ClusterInfo.clustered(vertx) ? ClusterInfo.members(vertx, nodeId) : Set.of();
        List<String[]> candidates = new ArrayList<>();
        for (String incarnation : all.getKeys()) {
          String[] nodeAndMember = nodeAndMember(all.get(incarnation));
          if (!local.contains(incarnation) && !cleaning.contains(incarnation)
            && !members.contains(nodeAndMember[1])) {
            candidates.add(new String[]{incarnation, nodeAndMember[0]});
          }
        }
        if (candidates.isEmpty()) {
          return Future.succeededFuture();
        }
        List<Request> leases = candidates.stream()
          .map(c -> Request.cmd(Command.EXISTS).arg(RedisKeys.lease(c[0]))).toList();
        return redis.batch(leases).compose(alive -> {
          List<Future<?>> cleanups = new ArrayList<>();
          for (int i = 0; i < candidates.size(); i++) {
            if (alive.get(i).toInteger() == 0) {
              cleanups.add(cleanUp(candidates.get(i)[0], candidates.get(i)[1], "its lease lapsed"));
            }
          }
          return Future.join(cleanups).mapEmpty();
        });
      })
      .recover(e -> {
        // Redis away: the next sweep tries again, a DEBUG line is enough; a bug would repeat at every sweep
        Failures.log(LOG, Failures.expected(e) ? Level.DEBUG : Level.WARN, "lease sweep not done, next in {} ms: {}",
          intervalMs, e);
        return Future.succeededFuture();
      })
      .onComplete(ar -> sweeping = false)
      .mapEmpty();
  }

  private void memberLeft(String memberId) {
    LOG.info("[member: {}] cluster member left", memberId);
    redis.send(Request.cmd(Command.HGETALL).arg(RedisKeys.INCARNATIONS)).onSuccess(all -> {
      for (String incarnation : all.getKeys()) {
        String[] nodeAndMember = nodeAndMember(all.get(incarnation));
        if (nodeAndMember[1].equals(memberId) && !cleaning.contains(incarnation)) {
          cleanUp(incarnation, nodeAndMember[0], "its cluster member left");
        }
      }
    }).onFailure(e -> Failures.warn(LOG, "[member: {}] sessions of the departed member not looked up, left to the "
      + "lease sweep: {}", memberId, e));
  }

  private Future<Integer> cleanUp(String incarnation, String node, String why) {
    cleaning.add(incarnation);
    return directory.endSessionsOf(incarnation, node, nodeId)
      .onSuccess(n -> {
        if (n >= 0) {
          cleanupFailures.recovered("dead incarnations are cleaned up again");
          try (LogContext ignored = LogContext.of(LogContext.NODE, node, LogContext.INCARNATION, incarnation)) {
            LOG.info("[node: {}, incarnation: {}] ended {} sessions of the dead incarnation ({})", node, incarnation,
              n, why);
          }
        }
      })
      .onFailure(e -> {
        try (LogContext ignored = LogContext.of(LogContext.NODE, node, LogContext.INCARNATION, incarnation)) {
          cleanupFailures.failed("[node: {}, incarnation: {}] sessions of the dead incarnation not all ended, retried "
            + "at the next sweep: {}", node, incarnation, e);
        }
      })
      .onComplete(ar -> cleaning.remove(incarnation));
  }

  private static String[] nodeAndMember(Response value) {
    String[] parts = value == null ? new String[0] : value.toString().split("\\|", 2);
    return new String[]{parts.length > 0 ? parts[0] : "", parts.length > 1 ? parts[1] : ""};
  }
}
