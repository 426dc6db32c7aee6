package io.seedgate.gateway.lease;

import io.seedgate.common.Failures;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.lifecycle.Incarnation;
import io.seedgate.common.redis.RedisLink;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The liveness lease of one gateway incarnation in Redis ({@link RedisKeys#lease}), and its entry in
 * {@link RedisKeys#INCARNATIONS}: while the lease lives, no router ends this incarnation's sessions; once it
 * lapses (the process crashed, was killed, or lost Redis for longer than the lease), any router does, whether or
 * not a cluster peer survived. Renewed every quarter of its length, on the gateway instance's own context and
 * Redis connection.
 *
 * <p>A renewal that finds the lease gone means Redis lost what this incarnation wrote (it restarted without
 * persistence, or was flushed), or a router took the incarnation for dead: the entry and lease are written
 * again and {@link #onLost} runs, so the gateway can put its live sessions back.
 *
 * <p>While it holds the lease the incarnation is also listed in {@link Incarnation#local}, so a router of the same
 * node never takes it for dead, whatever Redis says.
 */
public final class IncarnationLease {

  private static final Logger LOG = LoggerFactory.getLogger(IncarnationLease.class);

  private final Vertx vertx;
  private final RedisLink redis;
  private final Incarnation incarnation;
  private final String memberId;
  private final long ttlMs;
  private Runnable lostHandler = () -> { };
  private long timer = -1;
  private boolean failing;
  private boolean renewing;

  /**
   * @param redis    the gateway instance's command connection
   * @param memberId this node's cluster member id, or {@code null} when not clustered
   * @param ttlMs    how long the lease lives unless renewed
   */
  public IncarnationLease(Vertx vertx, RedisLink redis, Incarnation incarnation, String memberId, long ttlMs) {
    this.vertx = vertx;
    this.redis = redis;
    this.incarnation = incarnation;
    this.memberId = memberId;
    this.ttlMs = ttlMs;
  }

  /** Runs when a renewal found the lease gone (after it was written again). */
  public IncarnationLease onLost(Runnable handler) {
    this.lostHandler = handler;
    return this;
  }

  /** Registers the incarnation and takes its lease; then renews it until {@link #release()}. */
  public Future<Void> start() {
    local().put(incarnation.id(), incarnation.nodeId());
    return register().onSuccess(v -> timer = vertx.setPeriodic(Math.max(250, ttlMs / 4), t -> renew()));
  }

  private Future<Void> register() {
    return redis.batch(List.of(
      Request.cmd(Command.HSET).arg(RedisKeys.INCARNATIONS).arg(incarnation.id())
        .arg(RedisKeys.incarnationValue(incarnation.nodeId(), memberId)),
      Request.cmd(Command.SET).arg(RedisKeys.lease(incarnation.id())).arg(incarnation.nodeId())
        .arg("PX").arg(ttlMs))).mapEmpty();
  }

  private void renew() {
    if (renewing) {
      return;
    }
    renewing = true;
    redis.send(Request.cmd(Command.SET).arg(RedisKeys.lease(incarnation.id())).arg(incarnation.nodeId())
        .arg("XX").arg("PX").arg(ttlMs))
      .compose(kept -> {
        if (kept != null) {
          return Future.succeededFuture();
        }
        LOG.warn("[incarnation: {}] lease found gone (Redis lost its data, or the incarnation was taken for "
          + "dead): registering again and putting the live sessions back", incarnation);
        return register().onSuccess(v -> lostHandler.run());
      })
      .onComplete(ar -> {
        renewing = false;
        if (ar.failed() && !failing) {
          failing = true;
          Failures.warn(LOG, "[incarnation: {}] lease not renewed, retrying every {} ms: {}", incarnation,
            Math.max(250, ttlMs / 4), ar.cause());
        } else if (ar.succeeded() && failing) {
          failing = false;
          LOG.info("[incarnation: {}] lease renewed again", incarnation);
        }
      });
  }

  /**
   * Stops renewing and gives the lease up. When no session of the incarnation is left in its index, its entry
   * goes too; otherwise the entry stays, so that a router ends the sessions left (the lease being gone, at once).
   */
  public Future<Void> release() {
    vertx.cancelTimer(timer);
    local().remove(incarnation.id());
    String index = RedisKeys.nodeSessions(incarnation.id());
    return redis.send(Request.cmd(Command.HLEN).arg(index)).compose(left -> {
      Request dropLease = Request.cmd(Command.DEL).arg(RedisKeys.lease(incarnation.id()));
      if (left != null && left.toLong() > 0) {
        LOG.warn("[incarnation: {}] {} session ends not recorded at stop: left for a router to end", incarnation,
          left.toLong());
        return redis.send(dropLease).mapEmpty();
      }
      return redis.batch(List.of(dropLease,
        Request.cmd(Command.HDEL).arg(RedisKeys.INCARNATIONS).arg(incarnation.id()))).mapEmpty();
    });
  }

  private LocalMap<String, String> local() {
    return Incarnation.local(vertx);
  }
}
