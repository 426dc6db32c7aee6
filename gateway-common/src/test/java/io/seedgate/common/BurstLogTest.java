package io.seedgate.common;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.seedgate.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BurstLogTest {

  private final LogCapture lines = LogCapture.of("burst-log-test-" + UUID.randomUUID());
  private final Logger logger = lines.logger();
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final BurstLog burst = new BurstLog(logger, 60_000, now::get);

  BurstLogTest() {
    logger.setLevel(Level.DEBUG);
  }

  @AfterEach
  void detach() {
    lines.close();
  }

  private List<String> at(Level level) {
    return lines.messages(level);
  }

  @Test
  void aBurstOfTwoThousandFailuresIsOneWarningAndOneRecoveryLine() {
    for (int i = 0; i < 2_000; i++) {
      burst.failed("[player: {}] not saved: {}", i, "connection refused");
      now.addAndGet(10);
    }
    burst.recovered("saving again");

    assertEquals(List.of("[player: 0] not saved: connection refused"), at(Level.WARN));
    assertEquals(List.of("saving again (after 2000 failures over 20000 ms)"), at(Level.INFO));
    assertEquals(1_999, at(Level.DEBUG).size(), "the others at DEBUG");
  }

  @Test
  void aLongBurstWarnsOncePerWindowSayingHowManyWereNotLogged() {
    for (int i = 0; i < 25; i++) { // one every 5 s for 125 s
      burst.failed("flush failed: {}", "refused");
      now.addAndGet(5_000);
    }

    assertEquals(List.of("flush failed: refused", "flush failed: refused (11 more like it since the last such line, "
      + "not logged)", "flush failed: refused (11 more like it since the last such line, not logged)"), at(Level.WARN));
    assertEquals(25, burst.failures());
  }

  @Test
  void aRecoveryStartsANewBurstAndIsSilentWhenNothingFailed() {
    burst.recovered("back");
    assertTrue(burst.failed("first {}", 1));
    assertFalse(burst.failed("second {}", 2));
    burst.recovered("back");
    assertTrue(burst.failed("third {}", 3), "a new burst warns at once");

    assertEquals(List.of("first 1", "third 3"), at(Level.WARN));
    assertEquals(List.of("back (after 2 failures over 0 ms)"), at(Level.INFO));
  }
}
