package io.seedgate.node.ops;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Routing latencies counted in fixed buckets, for the status page's p50 and p99 per sample: {@link #record} from
 * any event loop (one atomic increment), {@link #snapshot} of the counts since start, and {@link #quantile} over
 * the difference of two snapshots. Buckets are a quarter of a power of two wide (about 19% apart, so a quantile is
 * within that of the truth), from {@value #MIN_EXPONENT}-bit nanoseconds (about 1 µs) to about 17 s; values
 * outside land in the first or last bucket.
 */
final class LatencyWindow {

  private static final int SUB = 4;
  private static final int MIN_EXPONENT = 10;
  private static final int MAX_EXPONENT = 34;
  static final int BUCKETS = (MAX_EXPONENT - MIN_EXPONENT + 1) * SUB;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

  void record(long nanos) {
    counts.incrementAndGet(bucket(nanos));
  }

  /** The counts per bucket since start. */
  long[] snapshot() {
    long[] copy = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      copy[i] = counts.get(i);
    }
    return copy;
  }

  static int bucket(long nanos) {
    if (nanos < (1L << MIN_EXPONENT)) {
      return 0;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(nanos);
    if (exponent > MAX_EXPONENT) {
      return BUCKETS - 1;
    }
    int sub = (int) ((nanos >>> (exponent - 2)) & (SUB - 1));
    return (exponent - MIN_EXPONENT) * SUB + sub;
  }

  /** The upper bound of a bucket, in nanoseconds. */
  static long upperNanos(int bucket) {
    int exponent = bucket / SUB + MIN_EXPONENT;
    int sub = bucket % SUB;
    return (long) (SUB + sub + 1) << (exponent - 2);
  }

  /**
   * The {@code q} quantile (0..1) of the values counted between two snapshots, in seconds, interpolated inside
   * its bucket; {@link Double#NaN} when nothing was counted.
   */
  static double quantile(long[] before, long[] after, double q) {
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) {
      total += after[i] - before[i];
    }
    if (total == 0) {
      return Double.NaN;
    }
    double rank = q * total;
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      long n = after[i] - before[i];
      if (n > 0 && seen + n >= rank) {
        double lower = i == 0 ? 0 : upperNanos(i - 1);
        double upper = upperNanos(i);
        return (lower + (upper - lower) * ((rank - seen) / n)) / 1e9;
      }
      seen += n;
    }
    return upperNanos(BUCKETS - 1) / 1e9;
  }
}
