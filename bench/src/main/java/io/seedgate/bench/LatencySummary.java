package io.seedgate.bench;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

/**
 * Percentiles of one latency histogram, in microseconds.
 *
 * @param count values recorded
 * @param p50 median
 * @param p90 90th percentile
 * @param p99 99th percentile
 * @param p999 99.9th percentile
 * @param max largest value
 * @param mean arithmetic mean
 */
record LatencySummary(long count, long p50, long p90, long p99, long p999, long max, double mean) {

  /** Largest value a histogram records (one minute in microseconds); longer ones are clamped to it. */
  static final long HIGHEST_TRACKABLE_US = 60_000_000L;

  static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0, 0);

  /** A histogram for microsecond values, 3 significant digits. */
  static Histogram newHistogram() {
    return new Histogram(HIGHEST_TRACKABLE_US, 3);
  }

  /** Records a duration given in nanoseconds, as microseconds, clamped to the trackable range. */
  static void recordNanos(Histogram h, long nanos) {
    h.recordValue(Math.max(0, Math.min(HIGHEST_TRACKABLE_US, nanos / 1_000)));
  }

  static LatencySummary of(Histogram h) {
    if (h.getTotalCount() == 0) {
      return EMPTY;
    }
    return new LatencySummary(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
      h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean());
  }

  JsonObject toJson() {
    return new JsonObject().put("count", count).put("p50_us", p50).put("p90_us", p90).put("p99_us", p99)
      .put("p99_9_us", p999).put("max_us", max).put("mean_us", Math.round(mean * 10) / 10.0);
  }
}
