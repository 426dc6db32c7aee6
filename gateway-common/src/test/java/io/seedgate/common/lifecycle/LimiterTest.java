package io.seedgate.common.lifecycle;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LimiterTest {

  @Test
  void runsAtMostTheLimitAtOnceInTheOrderSubmittedAndPassesResultsAndFailuresOn() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      int[] running = {0, 0};
      List<Integer> started = new CopyOnWriteArrayList<>();
      Promise<List<Future<Integer>>> all = Promise.promise();
      vertx.runOnContext(v -> {
        Limiter limiter = new Limiter(5);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          int n = i;
          results.add(limiter.submit(() -> {
            started.add(n);
            running[1] = Math.max(running[1], ++running[0]);
            Promise<Integer> p = Promise.promise();
            vertx.setTimer(1 + n % 4, t -> {
              running[0]--;
              if (n == 42) {
                p.fail("failed on purpose");
              } else {
                p.complete(n * 2);
              }
            });
            return p.future();
          }));
        }
        assertEquals(95, limiter.waiting());
        all.complete(results);
      });
      List<Future<Integer>> results = all.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      Future.join(results).toCompletionStage().toCompletableFuture().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
      assertEquals(5, running[1], "the limit reached and never passed");
      for (int i = 0; i < 100; i++) {
        assertEquals(i, started.get(i), "first come first served");
        if (i == 42) {
          assertTrue(results.get(i).failed());
        } else {
          assertEquals(i * 2, results.get(i).result());
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void operationsThatCompleteAtOnceDoNotRecursePerWaitingOperation() {
    Limiter limiter = new Limiter(1);
    Promise<Integer> first = Promise.promise();
    Future<Integer> held = limiter.submit(first::future);
    List<Future<Integer>> queued = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      int n = i;
      queued.add(limiter.submit(() -> n % 2 == 0 ? Future.succeededFuture(n) : Future.failedFuture("odd")));
    }
    assertEquals(200_000, limiter.waiting());
    first.complete(-1); // the 200,000 waiting ones then run one after the other, each completing at once
    assertEquals(-1, held.result());
    assertEquals(0, limiter.waiting());
    assertEquals(199_998, queued.get(199_998).result());
    assertTrue(queued.get(199_999).failed());
  }
}
