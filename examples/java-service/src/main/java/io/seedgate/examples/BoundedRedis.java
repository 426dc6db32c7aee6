package io.seedgate.examples;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Supplier;

/**
 * A pooled Redis client that has at most {@code limit} commands (or batches) in flight, the others waiting their
 * turn in order. For Vert.x's cluster client: each {@code send} takes a connection from the pool of every master
 * at once, one after the other, and with more sends in flight than a pool has connections they can each hold some
 * masters' connections while waiting for the others' and never finish (seen: a service's load that never
 * completed, its 18 key reads in flight over pools of 8). With at most the pool's size in flight, every one gets
 * all it needs. Use it from one context (a verticle's), as the futures complete there. (The gateway's own
 * {@code Limiter} does the same; this example service depends on nothing of the gateway's.)
 */
final class BoundedRedis implements Redis {

  private final Redis redis;
  private final int limit;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int inFlight;
  /** Whether {@link #next} is starting commands: one completing at once must not start the next by recursion. */
  private boolean starting;

  BoundedRedis(Redis redis, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("at least one command in flight, not " + limit);
    }
    this.redis = redis;
    this.limit = limit;
  }

  @Override
  public Future<RedisConnection> connect() {
    return redis.connect();
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  @Override
  public Future<Response> send(Request command) {
    return inTurn(() -> redis.send(command));
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return inTurn(() -> redis.batch(commands));
  }

  /** Commands waiting for their turn; for tests. */
  int waiting() {
    return waiting.size();
  }

  private <T> Future<T> inTurn(Supplier<Future<T>> command) {
    Promise<T> done = Promise.promise();
    waiting.add(() -> {
      Future<T> sent;
      try {
        sent = command.get();
      } catch (RuntimeException e) {
        sent = Future.failedFuture(e);
      }
      sent.onComplete(ar -> {
        inFlight--;
        next();
        done.handle(ar);
      });
    });
    next();
    return done.future();
  }

  private void next() {
    if (starting) {
      return; // a command completed at once (its client closed, say), inside the loop below: the loop goes on
    }
    starting = true;
    try {
      while (inFlight < limit && !waiting.isEmpty()) {
        inFlight++;
        waiting.poll().run();
      }
    } finally {
      starting = false;
    }
  }
}
