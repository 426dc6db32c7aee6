package io.seedgate.testsupport;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AwaitAndEventuallyTest {

  @Test
  void awaitGivesTheResultAFailedFutureAsFailedAndNoResultAsATimeout() {
    assertEquals("x", Await.await(Future.succeededFuture("x")));
    IllegalStateException cause = new IllegalStateException("boom");
    Await.Failed failed = assertThrows(Await.Failed.class, () -> Await.await(Future.failedFuture(cause)));
    assertSame(cause, failed.getCause());
    AssertionError timeout = assertThrows(AssertionError.class,
      () -> Await.await(Promise.promise().future(), Duration.ofMillis(50)));
    assertTrue(timeout.getMessage().contains("no result within 50 ms"), timeout.getMessage());
    assertSame(cause, Await.failureOf(Future.failedFuture(cause)));
    assertThrows(AssertionError.class, () -> Await.failureOf(Future.succeededFuture()));
  }

  @Test
  void untilPollsUntilTrueAndOtherwiseSaysWhatWasNotSo() {
    AtomicInteger tries = new AtomicInteger();
    Eventually.until("the third try", Duration.ofSeconds(5), () -> tries.incrementAndGet() >= 3);
    assertEquals(3, tries.get());
    AssertionError e = assertThrows(AssertionError.class, () -> Eventually.until("never", 100, () -> false));
    assertEquals("never: not so within 100 ms", e.getMessage());
  }

  @Test
  void eventuallyRetriesAssertionsButNotAFailedFuture() throws Exception {
    AtomicInteger tries = new AtomicInteger();
    Eventually.eventually(Duration.ofSeconds(5), () -> assertTrue(tries.incrementAndGet() >= 3));
    assertEquals(3, tries.get());
    AtomicInteger failedTries = new AtomicInteger();
    assertThrows(Await.Failed.class, () -> Eventually.eventually(Duration.ofSeconds(5), () -> {
      failedTries.incrementAndGet();
      Await.await(Future.failedFuture("down"));
    }));
    assertEquals(1, failedTries.get());
    assertInstanceOf(AssertionError.class, assertThrows(AssertionError.class,
      () -> Eventually.eventually(Duration.ofMillis(50), () -> assertTrue(false, "still false"))));
  }
}
