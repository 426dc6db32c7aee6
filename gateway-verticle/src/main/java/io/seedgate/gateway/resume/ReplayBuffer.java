package io.seedgate.gateway.resume;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * A resumable session's sequence counter and its recent deliveries: references to the shared messages (never a copy
 * of their bytes) with their sequence numbers 1, 2, ..., and how many payload bytes they hold. While the client is
 * attached the oldest are dropped to keep within the bound ({@link #trimTo}); while it is detached nothing is dropped
 * and a buffer {@link #over} its bound ends the session. Used on one event loop; not thread-safe.
 *
 * @param <M> the message type (the session core's {@code OutboundMessage})
 */
public final class ReplayBuffer<M> {

  /** One buffered delivery. */
  public record Entry<M>(long seq, M message, int bytes) {
  }

  private final ArrayDeque<Entry<M>> entries = new ArrayDeque<>();
  private long lastSeq;
  private long bytes;

  /** An empty buffer; the first delivery gets sequence number 1. */
  public ReplayBuffer() {
    this(0);
  }

  /** An empty buffer whose last sequence number sent is {@code lastSeq}. */
  public ReplayBuffer(long lastSeq) {
    this.lastSeq = lastSeq;
  }

  /**
   * Numbers the delivery and keeps it.
   *
   * @param bytes what it counts against the bound (its payload's length)
   * @return its sequence number
   */
  public long append(M message, int bytes) {
    long seq = ++lastSeq;
    entries.addLast(new Entry<>(seq, message, bytes));
    this.bytes += bytes;
    return seq;
  }

  /** Keeps an entry as it was (an imported buffer); its number must follow the last one given. */
  public void restore(Entry<M> entry) {
    if (entry.seq() != lastSeq + 1) {
      throw new IllegalArgumentException("entry " + entry.seq() + " does not follow " + lastSeq);
    }
    lastSeq = entry.seq();
    entries.addLast(entry);
    bytes += entry.bytes();
  }

  /** Drops the oldest until the buffer holds at most {@code bound} bytes; returns the bytes dropped. */
  public long trimTo(long bound) {
    long before = bytes;
    while (bytes > bound && !entries.isEmpty()) {
      bytes -= entries.pollFirst().bytes();
    }
    return before - bytes;
  }

  /** Drops what the client has seen, everything up to {@code seq}; returns the bytes dropped. */
  public long acknowledge(long seq) {
    long before = bytes;
    while (!entries.isEmpty() && entries.peekFirst().seq() <= seq) {
      bytes -= entries.pollFirst().bytes();
    }
    return before - bytes;
  }

  /** Whether it holds more than {@code bound} bytes. */
  public boolean over(long bound) {
    return bytes > bound;
  }

  /**
   * Whether the client that last saw {@code seq} can be given all it missed from here: {@code seq} was sent, and
   * everything after it is still buffered.
   */
  public boolean canReplayAfter(long seq) {
    return seq >= 0 && seq <= lastSeq && seq >= firstSeq() - 1;
  }

  /** Whether {@code seq} is older than what the buffer still holds (the missed ones were dropped). */
  public boolean droppedAfter(long seq) {
    return seq >= 0 && seq < firstSeq() - 1;
  }

  /** The entries after {@code seq}, in order (a copy). */
  public List<Entry<M>> after(long seq) {
    List<Entry<M>> out = new ArrayList<>();
    for (Iterator<Entry<M>> it = entries.descendingIterator(); it.hasNext(); ) {
      Entry<M> e = it.next();
      if (e.seq() <= seq) {
        break;
      }
      out.add(e);
    }
    Collections.reverse(out);
    return out;
  }

  /** Every entry, oldest first (a copy). */
  public List<Entry<M>> entries() {
    return new ArrayList<>(entries);
  }

  /** The sequence number of the oldest entry held, or {@code lastSeq() + 1} when empty. */
  public long firstSeq() {
    return entries.isEmpty() ? lastSeq + 1 : entries.peekFirst().seq();
  }

  /** The last sequence number given (0 before the first delivery). */
  public long lastSeq() {
    return lastSeq;
  }

  /** Payload bytes held. */
  public long bytes() {
    return bytes;
  }

  /** Entries held. */
  public int size() {
    return entries.size();
  }

  /** Drops everything (the session ended); returns the bytes dropped. */
  public long clear() {
    long before = bytes;
    entries.clear();
    bytes = 0;
    return before;
  }
}
