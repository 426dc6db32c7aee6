package io.seedgate.gateway.session;

import io.seedgate.gateway.session.RateLimiter.Verdict;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The per-connection token bucket, and a change of its rule while connections use it. */
class RateLimiterTest {

  @Test
  void aBurstThenTheRateThenDroppedThenClosed() {
    RateLimiter limiter = new RateLimiter(10, 2, 0);
    assertEquals(Verdict.ALLOW, limiter.take(0));
    assertEquals(Verdict.ALLOW, limiter.take(0));
    assertEquals(Verdict.DROP_AND_WARN, limiter.take(0));
    assertEquals(Verdict.DROP, limiter.take(0));
    assertEquals(Verdict.CLOSE, limiter.take(0));
    assertEquals(Verdict.ALLOW, limiter.take(100), "one more after 100 ms at 10 a second");
  }

  @Test
  void aChangedRuleAppliesToTheLimitersAlreadyUsingIt() {
    RateLimiter.Rule rule = new RateLimiter.Rule(1000, 1000);
    RateLimiter open = new RateLimiter(rule, 0);
    for (int i = 0; i < 10; i++) {
      assertEquals(Verdict.ALLOW, open.take(0));
    }
    rule.set(1, 3);
    assertEquals(Verdict.ALLOW, open.take(0));
    assertEquals(Verdict.ALLOW, open.take(0));
    assertEquals(Verdict.ALLOW, open.take(0));
    assertEquals(Verdict.DROP_AND_WARN, open.take(0), "the tokens it had are cut to the new burst");
    assertEquals(Verdict.ALLOW, open.take(1_000), "refilled at the new rate: one a second");
    assertEquals(Verdict.DROP_AND_WARN, open.take(1_000), "none left; a second since the last warning");
    RateLimiter opened = new RateLimiter(rule, 0);
    assertEquals(Verdict.ALLOW, opened.take(0));
    assertEquals(Verdict.ALLOW, opened.take(0));
    assertEquals(Verdict.ALLOW, opened.take(0));
    assertEquals(Verdict.DROP_AND_WARN, opened.take(0), "a new connection starts with the new burst");
  }
}
