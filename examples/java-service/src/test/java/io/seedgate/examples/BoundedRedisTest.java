package io.seedgate.examples;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BoundedRedis} on a real Redis: at most the limit in flight, the rest waiting, every one sent once and
 * answered (two in flight on two pooled connections may be answered in either order).
 */
class BoundedRedisTest {

  @Test
  void noMoreThanTheLimitIsInFlightAndEveryCommandIsSentOnceAndAnswered() {
    Vertx vertx = Vertx.vertx();
    try {
      String key = "seed:test:bounded:" + System.nanoTime();
      List<Integer> seen = new ArrayList<>();
      Future<Void> all = vertx.<Void>executeBlocking(() -> null).compose(v -> {
        // on a context of its own, as the service uses it
        Promise p = new Promise();
        vertx.runOnContext(x -> p.run(vertx, key, seen));
        return p.done;
      });
      await(all);
      assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), seen.stream().sorted().toList(),
        "each INCR sent once and answered: " + seen);
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void aQueueOfCommandsFailingAtOnceDrainsWithoutRecursion() {
    Vertx vertx = Vertx.vertx();
    try {
      Redis closed = Redis.createClient(vertx, new RedisOptions().setConnectionString(TestRedis.url()));
      await(closed.close());
      io.vertx.core.Promise<Integer> failedCount = io.vertx.core.Promise.promise();
      io.vertx.core.Promise<Response> first = io.vertx.core.Promise.promise();
      vertx.runOnContext(x -> {
        BoundedRedis redis = new BoundedRedis(new Redis() {
          @Override
          public Future<io.vertx.redis.client.RedisConnection> connect() {
            return closed.connect();
          }

          @Override
          public Future<Void> close() {
            return Future.succeededFuture();
          }

          @Override
          public Future<Response> send(Request command) {
            // the first one under way, every later one refused at once, as a closed client's send is
            return first.future().isComplete() ? Future.failedFuture("refused at once") : first.future();
          }

          @Override
          public Future<List<Response>> batch(List<Request> commands) {
            return Future.failedFuture("refused at once");
          }
        }, 1);
        List<Future<Response>> sent = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
          sent.add(redis.send(Request.cmd(Command.PING)));
        }
        assertEquals(99_999, redis.waiting(), "one under way, the rest waiting");
        first.fail("the first refused too"); // the rest now each complete as soon as started
        failedCount.complete((int) sent.stream().filter(Future::failed).count());
      });
      assertEquals(100_000, await(failedCount.future()), "every command failed, none lost, no stack overflow");
    } finally {
      await(vertx.close());
    }
  }

  /** Sends ten INCRs through a limit of two from the context it runs on. */
  private static final class Promise {
    final io.vertx.core.Promise<Void> promise = io.vertx.core.Promise.promise();
    final Future<Void> done = promise.future();

    void run(Vertx vertx, String key, List<Integer> seen) {
      BoundedRedis redis = new BoundedRedis(Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(TestRedis.url())), 2);
      List<Future<Response>> sent = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        sent.add(redis.send(Request.cmd(Command.INCR).arg(key)).onSuccess(r -> seen.add(r.toInteger())));
      }
      assertTrue(redis.waiting() == 8, "two in flight, eight waiting: " + redis.waiting());
      Future.all(sent).compose(v -> redis.send(Request.cmd(Command.DEL).arg(key)))
        .eventually(redis::close).<Void>mapEmpty().onComplete(promise);
    }
  }
}
