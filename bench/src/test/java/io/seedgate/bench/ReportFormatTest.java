package io.seedgate.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportFormatTest {

  @Test
  void summaryTakesPercentilesInMicroseconds() {
    Histogram h = LatencySummary.newHistogram();
    for (int i = 1; i <= 1000; i++) {
      LatencySummary.recordNanos(h, i * 1_000L);
    }
    LatencySummary s = LatencySummary.of(h);
    assertEquals(1000, s.count());
    assertEquals(500, s.p50());
    assertEquals(900, s.p90());
    assertEquals(990, s.p99());
    assertEquals(999, s.p999());
    assertEquals(1000, s.max());
  }

  @Test
  void valuesBeyondTheRangeAreClamped() {
    Histogram h = LatencySummary.newHistogram();
    LatencySummary.recordNanos(h, Long.MAX_VALUE);
    LatencySummary.recordNanos(h, -5);
    assertEquals(2, h.getTotalCount());
    assertTrue(LatencySummary.of(h).max() >= LatencySummary.HIGHEST_TRACKABLE_US);
  }

  @Test
  void ratiosAreGatewayOverFloor() {
    PhaseResult floor = new PhaseResult("floor", new LatencySummary(10, 200, 300, 400, 500, 600, 250), 20_000, 10, 0, 0);
    PhaseResult gateway = new PhaseResult("gateway", new LatencySummary(10, 250, 300, 1000, 500, 600, 250), 15_000,
      10, 0, 0);
    Ratios r = Ratios.of(gateway, floor);
    assertEquals(1.25, r.p50(), 1e-9);
    assertEquals(2.5, r.p99(), 1e-9);
    assertEquals(0.75, r.throughput(), 1e-9);
    assertEquals("1.25x", ReportFormat.times(r.p50()));
    assertEquals(0.75, r.toJson().getDouble("throughput"));
  }

  @Test
  void aRatioToAnEmptyFloorIsUndefined() {
    PhaseResult floor = new PhaseResult("floor", LatencySummary.EMPTY, 0, 10, 0, 0);
    PhaseResult gateway = new PhaseResult("gateway", new LatencySummary(1, 1, 1, 1, 1, 1, 1), 1, 10, 0, 0);
    Ratios r = Ratios.of(gateway, floor);
    assertEquals("n/a", ReportFormat.times(r.p50()));
    assertEquals(null, r.toJson().getValue("p50"));
  }

  @Test
  void tableLinesUpUnderTheHeader() {
    PhaseResult floor = new PhaseResult("floor", new LatencySummary(10, 141, 259, 499, 3297, 7191, 150), 70_272, 3,
      0, 0);
    PhaseResult gateway = new PhaseResult("gateway", new LatencySummary(10, 440, 2621, 9479, 32191, 37727, 600),
      11_409, 3, 2, 1);
    String table = ReportFormat.table(List.of(floor, gateway), Ratios.of(gateway, floor));
    String[] lines = table.split("\n");
    assertEquals(4, lines.length);
    assertEquals(ReportFormat.LATENCY_HEADER, lines[0]);
    assertEquals("floor                 141       259       499      3297      7191     23,424        0          0",
      lines[1]);
    assertEquals("gateway               440      2621      9479     32191     37727      3,803        2          1",
      lines[2]);
    assertEquals("gateway/floor       3.12x              19.00x                          0.16x", lines[3]);
    assertEquals(lines[0].indexOf("p50 us") + "p50 us".length(), lines[1].indexOf("141") + 3);
  }

  @Test
  void mediansOfRoundsResistOneDisturbedRound() {
    List<PhaseResult> floors = List.of(phase("floor", 40, 12_000), phase("floor", 124, 2_900), phase("floor", 40, 14_800));
    List<PhaseResult> gateways = List.of(phase("gateway", 73, 6_100), phase("gateway", 76, 6_400),
      phase("gateway", 67, 8_300));
    PhaseResult m = ReportFormat.median("gateway", gateways);
    assertEquals(73, m.latency().p50());
    assertEquals(6_400, m.throughput(), 1e-9);
    String text = ReportFormat.medians(floors, gateways);
    assertTrue(text.startsWith("median of 3 rounds\n"), text);
    // per-round p50 ratios 1.83, 0.61, 1.68: the median is 1.68
    assertTrue(text.contains("median ratio        1.68x"), text);
    assertEquals(2.5, ReportFormat.median(new double[]{3, 1, 2, 4}), 1e-9);
  }

  private static PhaseResult phase(String name, long p50, long perSecond) {
    return new PhaseResult(name, new LatencySummary(1, p50, p50, p50 * 2, p50 * 3, p50 * 4, p50), perSecond * 10, 10,
      0, 0);
  }

  @Test
  void bytesAndPerConnection() {
    assertEquals("512 B", ReportFormat.bytes(512));
    assertEquals("12.0 KiB", ReportFormat.bytes(12 * 1024));
    assertEquals("1.5 MiB", ReportFormat.bytes(3 * 512 * 1024));
    assertEquals("n/a", ReportFormat.bytes(-1));
    assertEquals(5_000, ReportFormat.perConnection(1_000_000, 51_000_000, 10_000));
    assertEquals(-1, ReportFormat.perConnection(-1, 51_000_000, 10_000));
    assertEquals(-1, ReportFormat.perConnection(1, 2, 0));
  }
}
