package io.seedgate.common;

import io.seedgate.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LogContextTest {

  private final LogCapture lines = LogCapture.of("log-context-test-" + UUID.randomUUID());

  @AfterEach
  void detach() {
    lines.close();
    MDC.clear();
  }

  @Test
  void theLineLoggedInsideCarriesTheKeysAndTheOneAfterDoesNot() {
    try (LogContext ignored = LogContext.player("p1", "s1")) {
      lines.logger().info("inside");
    }
    lines.logger().info("after");

    assertEquals(Map.of("player", "p1", "session", "s1"), lines.events().get(0).getMDCPropertyMap());
    assertEquals(Map.of(), lines.events().get(1).getMDCPropertyMap());
  }

  @Test
  void closingPutsBackWhatWasThereAndNullValuesAreSkipped() {
    MDC.put("node", "n1");
    MDC.put("player", "outer");
    try (LogContext ignored = LogContext.of(LogContext.PLAYER, "inner", LogContext.SESSION, null)) {
      assertEquals("inner", MDC.get("player"));
      assertNull(MDC.get("session"));
      assertEquals("n1", MDC.get("node"));
    }
    assertEquals("outer", MDC.get("player"));
    assertEquals("n1", MDC.get("node"));
  }

  @Test
  void withRunsTheLoggingInsideTheContext() {
    LogContext.with(() -> Failures.warn(lines.logger(), "[player: {}] not saved: {}", 7, new IllegalStateException()),
      LogContext.PLAYER, 7);

    assertEquals(Map.of("player", "7"), lines.events().get(0).getMDCPropertyMap());
    assertNull(MDC.get("player"));
  }

  @Test
  void keysAndValuesComeInPairs() {
    assertThrows(IllegalArgumentException.class, () -> LogContext.of("player"));
  }
}
