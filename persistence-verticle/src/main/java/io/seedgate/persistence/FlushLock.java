package io.seedgate.persistence;

import io.seedgate.common.RedisKeys;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The cluster-wide lock {@link io.seedgate.common.RedisKeys#FLUSH_LOCK} that lets one node at a time flush: taken with
 * {@code SET NX PX}, extended and released only by its owner (compare-and-set scripts), and expiring by itself
 * when its owner dies.
 */
final class FlushLock {

  private static final String EXTEND = "if redis.call('get', KEYS[1]) == ARGV[1] then "
    + "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
  private static final String RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then "
    + "return redis.call('del', KEYS[1]) else return 0 end";

  private final RedisCommands redis;
  private final String owner;
  private final long ttlMs;

  /**
   * @param owner this holder's unique value ({@code <nodeId>-<random>})
   * @param ttlMs how long the lock lives without being extended
   */
  FlushLock(RedisCommands redis, String owner, long ttlMs) {
    this.redis = redis;
    this.owner = owner;
    this.ttlMs = ttlMs;
  }

  String owner() {
    return owner;
  }

  long ttlMs() {
    return ttlMs;
  }

  /** Takes the lock if nobody holds it: {@code true} when taken; fails when Redis cannot be reached. */
  Future<Boolean> tryAcquire() {
    return redis.send(Request.cmd(Command.SET).arg(RedisKeys.FLUSH_LOCK).arg(owner).arg("NX").arg("PX")
      .arg(ttlMs)).map(r -> r != null && "OK".equals(r.toString()));
  }

  /** Restarts the lock's TTL: {@code true} when still held by us, {@code false} when it was lost. */
  Future<Boolean> extend() {
    return redis.send(Request.cmd(Command.EVAL).arg(EXTEND).arg(1).arg(RedisKeys.FLUSH_LOCK).arg(owner)
      .arg(ttlMs)).map(FlushLock::isOne);
  }

  /** Releases the lock if we still hold it: {@code true} when it was ours. */
  Future<Boolean> release() {
    return redis.send(Request.cmd(Command.EVAL).arg(RELEASE).arg(1).arg(RedisKeys.FLUSH_LOCK).arg(owner))
      .map(FlushLock::isOne);
  }

  private static boolean isOne(Response r) {
    return r != null && r.toLong() == 1L;
  }
}
