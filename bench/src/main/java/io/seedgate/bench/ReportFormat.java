package io.seedgate.bench;

import java.util.List;
import java.util.Locale;

/** Plain-text tables for the report printed on stdout. Pure functions, so they are unit-tested. */
final class ReportFormat {

  static final String LATENCY_HEADER = String.format(Locale.ROOT, "%-15s %9s %9s %9s %9s %9s %10s %8s %10s",
    "", "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "per s", "errors", "unanswered");

  private ReportFormat() {
  }

  /** One line per phase under {@link #LATENCY_HEADER}. */
  static String latencyRow(PhaseResult r) {
    LatencySummary l = r.latency();
    return String.format(Locale.ROOT, "%-15s %9d %9d %9d %9d %9d %10s %8d %10d", r.name(), l.p50(), l.p90(), l.p99(),
      l.p999(), l.max(), perSecond(r.throughput()), r.errors(), r.unanswered());
  }

  /** The ratio line: gateway p50, p99 and throughput divided by the floor's. */
  static String ratioRow(Ratios ratios) {
    return String.format(Locale.ROOT, "%-15s %9s %9s %9s %9s %9s %10s", "gateway/floor", times(ratios.p50()), "",
      times(ratios.p99()), "", "", times(ratios.throughput()));
  }

  static String table(List<PhaseResult> phases, Ratios ratios) {
    StringBuilder sb = new StringBuilder(LATENCY_HEADER).append('\n');
    phases.forEach(p -> sb.append(latencyRow(p)).append('\n'));
    if (ratios != null) {
      sb.append(ratioRow(ratios)).append('\n');
    }
    for (PhaseResult p : phases) {
      if (p.cpu() != null) {
        sb.append(cpuRow(p)).append('\n');
      }
    }
    return sb.toString();
  }

  /** CPU microseconds per round trip of a phase, per process: where a CPU-bound machine spends its time. */
  static String cpuRow(PhaseResult p) {
    CpuMeter.PerOperation c = p.cpu();
    return String.format(Locale.ROOT, "cpu per round trip, %s: load generator JVM %s (with the node when it runs there), node process %s, redis %s", p.name(),
      micros(c.bench()), micros(c.node()), micros(c.redis()));
  }

  /**
   * CPU microseconds per delivery of a fan-out, per process: with the node in its own process, what one socket
   * write and one socket read cost on this machine, which bounds how fast a broadcast can reach every player.
   */
  static String cpuPerDelivery(CpuMeter.PerOperation c) {
    return String.format(Locale.ROOT, "cpu per delivery: load generator JVM %s (with the node when it runs there), "
      + "node process %s, redis %s", micros(c.bench()), micros(c.node()), micros(c.redis()));
  }

  private static String micros(double us) {
    return us < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f us", us);
  }

  /**
   * Over several rounds: the median of each figure, and the median of each round's ratio (on a shared machine one
   * disturbed round moves a mean, not a median).
   */
  static String medians(List<PhaseResult> floors, List<PhaseResult> gateways) {
    StringBuilder sb = new StringBuilder("median of ").append(gateways.size()).append(" rounds\n")
      .append(LATENCY_HEADER).append('\n');
    if (!floors.isEmpty()) {
      sb.append(latencyRow(median("floor", floors))).append('\n');
    }
    sb.append(latencyRow(median("gateway", gateways))).append('\n');
    if (floors.size() == gateways.size()) {
      double[] p50 = new double[floors.size()];
      double[] p99 = new double[floors.size()];
      double[] tp = new double[floors.size()];
      for (int i = 0; i < floors.size(); i++) {
        Ratios r = Ratios.of(gateways.get(i), floors.get(i));
        p50[i] = r.p50();
        p99[i] = r.p99();
        tp[i] = r.throughput();
      }
      sb.append(String.format(Locale.ROOT, "%-15s %9s %9s %9s %9s %9s %10s", "median ratio", times(median(p50)), "",
        times(median(p99)), "", "", times(median(tp)))).append('\n');
    }
    return sb.toString();
  }

  /** A phase whose every figure is the median of the given phases' (latencies, rate, errors). */
  static PhaseResult median(String name, List<PhaseResult> phases) {
    int n = phases.size();
    double[][] v = new double[8][n];
    for (int i = 0; i < n; i++) {
      PhaseResult p = phases.get(i);
      LatencySummary l = p.latency();
      double[] row = {l.p50(), l.p90(), l.p99(), l.p999(), l.max(), p.throughput(), p.errors(), p.unanswered()};
      for (int k = 0; k < row.length; k++) {
        v[k][i] = row[k];
      }
    }
    double seconds = phases.get(0).seconds();
    return new PhaseResult(name, new LatencySummary(0, Math.round(median(v[0])), Math.round(median(v[1])),
      Math.round(median(v[2])), Math.round(median(v[3])), Math.round(median(v[4])), 0),
      Math.round(median(v[5]) * seconds), seconds, Math.round(median(v[6])), Math.round(median(v[7])));
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    int n = sorted.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** {@code 1.23x}, or {@code n/a} when the ratio is undefined. */
  static String times(double ratio) {
    return Double.isNaN(ratio) || Double.isInfinite(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2fx", ratio);
  }

  /** A rate with thousands separators and no decimals: {@code 12,345}. */
  static String perSecond(double rate) {
    return String.format(Locale.ROOT, "%,d", Math.round(rate));
  }

  /** Bytes as {@code 512 B}, {@code 12.3 KiB}, {@code 45.6 MiB} or {@code 1.2 GiB}; negative means unknown. */
  static String bytes(long bytes) {
    if (bytes < 0) {
      return "n/a";
    }
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /**
   * Memory per connection: {@code (after - before) / connections}, or -1 when either sample is unknown or there
   * are no connections.
   */
  static long perConnection(long before, long after, long connections) {
    if (before < 0 || after < 0 || connections <= 0) {
      return -1;
    }
    return Math.round((after - before) / (double) connections);
  }
}
