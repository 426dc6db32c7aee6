package io.seedgate.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.seedgate.testsupport.LogCapture;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Netty's leak detector at its paranoid level for the length of a test class, and the check that it reported no
 * leaked buffer. Start it after Vert.x started (Vert.x turns leak detection off when no system property asks for it).
 */
public final class LeakCheck {

  private final LogCapture reports;
  private final ResourceLeakDetector.Level levelBefore;

  private LeakCheck() {
    levelBefore = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    reports = LogCapture.of(ResourceLeakDetector.class);
  }

  public static LeakCheck start() {
    return new LeakCheck();
  }

  /**
   * Collects garbage, allocates (the detector reports what it found on allocation) and checks that the detector
   * works (a buffer leaked here on purpose is reported) and reported nothing else; then puts the level back.
   */
  public void assertNoLeakReportedAndStop() throws InterruptedException {
    try {
      ByteBuf leaked = ByteBufAllocator.DEFAULT.directBuffer(16);
      leaked.touch("leaked on purpose");
      leaked = null;
      boolean seen = false;
      for (int round = 0; round < 50 && !seen; round++) {
        System.gc();
        Thread.sleep(20);
        for (int i = 0; i < 100; i++) {
          ByteBufAllocator.DEFAULT.directBuffer(64).release();
          ByteBufAllocator.DEFAULT.heapBuffer(64).release();
        }
        seen = reports().stream().anyMatch(r -> r.contains("leaked on purpose"));
      }
      assertTrue(seen, "the leak detector works (it reported the buffer leaked on purpose): " + reports());
      List<String> others = reports().stream().filter(r -> !r.contains("leaked on purpose")).toList();
      assertTrue(others.isEmpty(), "no buffer leaked: " + others);
    } finally {
      ResourceLeakDetector.setLevel(levelBefore);
      reports.close();
    }
  }

  private List<String> reports() {
    return reports.messages().stream().filter(m -> m.contains("LEAK")).toList();
  }
}
