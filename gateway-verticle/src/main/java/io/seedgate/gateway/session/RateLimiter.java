package io.seedgate.gateway.session;

/**
 * A token bucket for one connection's messages: {@code rate} per second on average, {@code burst} at once. A
 * message over the budget is dropped; the client hears about it at most once a second; more than {@code burst}
 * dropped in a row close the connection. Its {@link Rule} may change while it is used. Not thread-safe: one per
 * session, used on its event loop.
 */
final class RateLimiter {

  /** What to do with a message. */
  enum Verdict { ALLOW, DROP_AND_WARN, DROP, CLOSE }

  private static final long WARN_EVERY_MS = 1_000;

  /**
   * The rate and burst of the connections of one gateway instance. Changing it changes every limiter made with it,
   * those of open connections included. Used on the instance's event loop only.
   */
  static final class Rule {
    private double perMs;
    private int burst;

    Rule(int perSecond, int burst) {
      set(perSecond, burst);
    }

    void set(int perSecond, int burst) {
      this.perMs = perSecond / 1000.0;
      this.burst = burst;
    }
  }

  private final Rule rule;
  private double tokens;
  private long last;
  private int droppedInARow;
  private long lastWarning = Long.MIN_VALUE / 2;

  RateLimiter(int perSecond, int burst, long now) {
    this(new Rule(perSecond, burst), now);
  }

  RateLimiter(Rule rule, long now) {
    this.rule = rule;
    this.tokens = rule.burst;
    this.last = now;
  }

  Verdict take(long now) {
    int burst = rule.burst;
    if (now > last) {
      tokens = Math.min(burst, tokens + (now - last) * rule.perMs);
      last = now;
    } else if (tokens > burst) {
      tokens = burst;
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
