package io.seedgate.gateway.udp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decides whether an address that has not proven itself (no authenticated session) may get an error reply: at most
 * one per address per interval, and at most {@code maxPerSecond} in all. The per-address memory is a bounded LRU
 * map, so an attacker rotating spoofed source addresses costs a fixed amount of memory and still meets the global
 * cap. Used on one event loop.
 */
final class ReplyLimiter {

  private final long intervalMs;
  private final int maxPerSecond;
  private final Map<String, Long> lastReply;
  private long windowStart;
  private int inWindow;

  /**
   * @param intervalMs   least time between two replies to one address
   * @param maxPerSecond replies in all per second
   * @param maxAddresses addresses remembered; the least recently answered are forgotten first
   */
  ReplyLimiter(long intervalMs, int maxPerSecond, int maxAddresses) {
    this.intervalMs = intervalMs;
    this.maxPerSecond = maxPerSecond;
    this.lastReply = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        return size() > maxAddresses;
      }
    };
  }

  /** Whether a reply to {@code address} may go out at {@code now} (ms); when it may, it is counted as sent. */
  boolean tryAcquire(String address, long now) {
    Long last = lastReply.get(address);
    if (last != null && now - last < intervalMs) {
      return false;
    }
    if (now - windowStart >= 1000) {
      windowStart = now;
      inWindow = 0;
    }
    if (inWindow >= maxPerSecond) {
      return false;
    }
    inWindow++;
    lastReply.put(address, now);
    return true;
  }

  /** Addresses remembered (for tests). */
  int size() {
    return lastReply.size();
  }
}
