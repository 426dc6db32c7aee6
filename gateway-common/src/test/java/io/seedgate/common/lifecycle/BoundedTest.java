package io.seedgate.common.lifecycle;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BoundedTest {

  @Test
  void neverRunsMoreThanTheLimitAndCountsEveryOutcome() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      int[] running = {0, 0}; // now, most
      List<Integer> items = IntStream.range(0, 1000).boxed().toList();
      Promise<Bounded.Outcome> result = Promise.promise();
      vertx.runOnContext(x -> Bounded.forEach(items, 7, i -> {
            running[0]++;
            running[1] = Math.max(running[1], running[0]);
            Promise<Void> step = Promise.promise();
            vertx.setTimer(1 + i % 3, t -> {
              running[0]--;
              if (i % 10 == 0) {
                step.fail("failed on purpose");
              } else {
                step.complete();
              }
            });
            return step.future();
          }).onComplete(result));
      Bounded.Outcome outcome = result.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(new Bounded.Outcome(900, 100), outcome);
      assertEquals(7, running[1], "at most the limit at once, and the limit reached");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void stepsThatCompleteAtOnceDoNotRecursePerItem() {
    List<Integer> items = new ArrayList<>(IntStream.range(0, 200_000).boxed().toList());
    Bounded.Outcome outcome = Bounded.forEach(items, 64, i -> Future.succeededFuture())
      .toCompletionStage().toCompletableFuture().join();
    assertEquals(new Bounded.Outcome(200_000, 0), outcome);
    assertTrue(Bounded.forEach(List.<Integer>of(), 3, i -> Future.succeededFuture()).succeeded());
  }
}
