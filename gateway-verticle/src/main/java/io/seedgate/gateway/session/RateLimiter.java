package io.seedgate.gateway.session;

/**
 * A token bucket for one connection's messages: {@code rate} per second on average, {@code burst} at once. A
 * message over the budget is dropped; the client hears about it at most once a second; more than {@code burst}
 * dropped in a row close the connection. Not thread-safe: one per session, used on its event loop.
 */
final class RateLimiter {

  /** What to do with a message. */
  enum Verdict { ALLOW, DROP_AND_WARN, DROP, CLOSE }

  private static final long WARN_EVERY_MS = 1_000;

  private final double perMs;
  private final int burst;
  private double tokens;
  private long last;
  private int droppedInARow;
  private long lastWarning = Long.MIN_VALUE / 2;

  RateLimiter(int perSecond, int burst, long now) {
    this.perMs = perSecond / 1000.0;
    this.burst = burst;
    this.tokens = burst;
    this.last = now;
  }

  Verdict take(long now) {
    if (now > last) {
      tokens = Math.min(burst, tokens + (now - last) * perMs);
      last = now;
    }
    if (tokens >= 1) {
      tokens -= 1;
      droppedInARow = 0;
      return Verdict.ALLOW;
    }
    if (++droppedInARow > burst) {
      return Verdict.CLOSE;
    }
    if (now - lastWarning >= WARN_EVERY_MS) {
      lastWarning = now;
      return Verdict.DROP_AND_WARN;
    }
    return Verdict.DROP;
  }
}
