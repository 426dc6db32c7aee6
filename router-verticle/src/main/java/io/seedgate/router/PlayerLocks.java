package io.seedgate.router;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.redis.RedisLink;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

import java.util.UUID;
import java.util.function.Supplier;

/**
 * One login or session end of a player at a time, across the cluster ({@link RedisKeys#playerLock}): a client told
 * to reconnect by a drain logs in on another node while the drained node still ends its old session, and without
 * this the end could remove the hash and map entry the new session had just taken over (or the login could load
 * the saved state before the end wrote it). Taken with {@code SET NX PX}, waited for in short steps, released by
 * compare-and-delete; it expires by itself after {@value #TTL_MS} ms should its holder die.
 */
final class PlayerLocks {

  static final long TTL_MS = 20_000;
  private static final long RETRY_MS = 10;
  private static final String RELEASE =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

  private final Vertx vertx;
  private final RedisLink redis;
  private final String owner = UUID.randomUUID().toString();
  private long taken;

  PlayerLocks(Vertx vertx, RedisLink redis) {
    this.vertx = vertx;
    this.redis = redis;
  }

  /**
   * Runs the work while holding the player's lock; fails with {@link ErrorCode#UNAVAILABLE} when the lock could
   * not be had within {@value #TTL_MS} ms (its holder is stuck; it expires by then) or Redis is away.
   */
  <T> Future<T> withLock(String player, Supplier<Future<T>> work) {
    String key = RedisKeys.playerLock(player);
    String value = owner + ":" + (++taken);
    Promise<Void> held = Promise.promise();
    acquire(key, value, System.currentTimeMillis() + TTL_MS, held);
    return held.future().compose(v -> work.get()
      .eventually(() -> redis.send(Request.cmd(Command.EVAL).arg(RELEASE).arg(1).arg(key).arg(value))));
  }

  private void acquire(String key, String value, long deadline, Promise<Void> held) {
    redis.send(Request.cmd(Command.SET).arg(key).arg(value).arg("NX").arg("PX").arg(TTL_MS)).onComplete(ar -> {
      if (ar.failed()) {
        held.fail(ar.cause());
      } else if (ar.result() != null) {
        held.complete();
      } else if (System.currentTimeMillis() > deadline) {
        held.fail(new GatewayException(ErrorCode.UNAVAILABLE, "player busy: " + key));
      } else {
        vertx.setTimer(RETRY_MS, t -> acquire(key, value, deadline, held));
      }
    });
  }
}
