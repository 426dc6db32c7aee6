package io.seedgate.bench;

import java.util.Arrays;

/**
 * A growable FIFO of {@code long}s without boxing: the send times of one client's actions that await their
 * answers. Answers to one client come in the order its actions were sent (one connection, one Redis channel,
 * the example service plays one player's actions in order), so the oldest send time belongs to the next answer.
 * Not thread-safe: used on one event loop.
 */
final class LongRing {

  /** What {@link #poll()} returns when the ring is empty. */
  static final long EMPTY = Long.MIN_VALUE;

  private long[] values;
  private int head;
  private int size;

  LongRing(int initialCapacity) {
    values = new long[Math.max(2, Integer.highestOneBit(Math.max(2, initialCapacity) - 1) << 1)];
  }

  void add(long value) {
    if (size == values.length) {
      long[] grown = new long[values.length << 1];
      for (int i = 0; i < size; i++) {
        grown[i] = values[(head + i) & (values.length - 1)];
      }
      values = grown;
      head = 0;
    }
    values[(head + size) & (values.length - 1)] = value;
    size++;
  }

  /** The oldest value, removed; {@link #EMPTY} when there is none. */
  long poll() {
    if (size == 0) {
      return EMPTY;
    }
    long v = values[head];
    head = (head + 1) & (values.length - 1);
    size--;
    return v;
  }

  /** The oldest value, kept; {@link #EMPTY} when there is none. */
  long peek() {
    return size == 0 ? EMPTY : values[head];
  }

  int size() {
    return size;
  }

  void clear() {
    head = 0;
    size = 0;
    Arrays.fill(values, 0L);
  }
}
