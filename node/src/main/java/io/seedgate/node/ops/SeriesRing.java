package io.seedgate.node.ops;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The last {@code capacity} samples of a fixed list of series, in preallocated columns: memory is bounded whatever
 * the node's uptime. A sample is a time (epoch seconds) and one value per series ({@link Double#NaN} for none,
 * shown as {@code null}). Written by one thread, read by any ({@link #toJson} takes the lock too).
 */
final class SeriesRing {

  private final List<String> names;
  private final long[] times;
  private final double[][] values;
  private int next;
  private int size;

  SeriesRing(List<String> names, int capacity) {
    this.names = List.copyOf(names);
    this.times = new long[capacity];
    this.values = new double[names.size()][capacity];
  }

  List<String> names() {
    return names;
  }

  int capacity() {
    return times.length;
  }

  synchronized int size() {
    return size;
  }

  /** Adds a sample; one at the same time as the newest replaces it. */
  synchronized void add(long epochSeconds, double[] sample) {
    if (sample.length != names.size()) {
      throw new IllegalArgumentException("a sample has " + names.size() + " values, not " + sample.length);
    }
    int slot;
    if (size > 0 && times[(next - 1 + times.length) % times.length] == epochSeconds) {
      slot = (next - 1 + times.length) % times.length;
    } else {
      slot = next;
      next = (next + 1) % times.length;
      size = Math.min(size + 1, times.length);
    }
    times[slot] = epochSeconds;
    for (int s = 0; s < sample.length; s++) {
      values[s][slot] = sample[s];
    }
  }

  /**
   * The samples after {@code sinceEpochSeconds}, oldest first, in columns:
   * {@code {"t":[..], "series":{"<name>":[..], ..}}}.
   */
  synchronized JsonObject toJson(long sinceEpochSeconds) {
    JsonArray t = new JsonArray();
    JsonArray[] columns = new JsonArray[names.size()];
    for (int s = 0; s < columns.length; s++) {
      columns[s] = new JsonArray();
    }
    int first = (next - size + times.length) % times.length;
    for (int i = 0; i < size; i++) {
      int slot = (first + i) % times.length;
      if (times[slot] <= sinceEpochSeconds) {
        continue;
      }
      t.add(times[slot]);
      for (int s = 0; s < columns.length; s++) {
        double v = values[s][slot];
        columns[s].add(Double.isNaN(v) ? null : round(v));
      }
    }
    JsonObject series = new JsonObject();
    for (int s = 0; s < columns.length; s++) {
      series.put(names.get(s), columns[s]);
    }
    return new JsonObject().put("t", t).put("series", series);
  }

  /** Four decimal places are plenty for a chart and keep the JSON short. */
  static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
