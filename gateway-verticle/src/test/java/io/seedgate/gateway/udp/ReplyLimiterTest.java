package io.seedgate.gateway.udp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplyLimiterTest {

  @Test
  void oneReplyPerAddressPerInterval() {
    ReplyLimiter limiter = new ReplyLimiter(1000, 100, 16);
    assertTrue(limiter.tryAcquire("10.0.0.1:5000", 10_000));
    assertFalse(limiter.tryAcquire("10.0.0.1:5000", 10_500));
    assertTrue(limiter.tryAcquire("10.0.0.2:5000", 10_500), "another address is not held back");
    assertTrue(limiter.tryAcquire("10.0.0.1:5000", 11_000));
  }

  @Test
  void theGlobalCapHoldsWhateverTheAddresses() {
    ReplyLimiter limiter = new ReplyLimiter(1000, 3, 1000);
    int sent = 0;
    for (int i = 0; i < 100; i++) {
      if (limiter.tryAcquire("10.0.0." + i + ":1", 5_000)) {
        sent++;
      }
    }
    assertEquals(3, sent);
    assertTrue(limiter.tryAcquire("10.0.1.1:1", 6_000), "a new second, a new allowance");
  }

  @Test
  void rememberedAddressesAreBounded() {
    ReplyLimiter limiter = new ReplyLimiter(1000, 1_000_000, 8);
    for (int i = 0; i < 1000; i++) {
      limiter.tryAcquire("10.0." + (i / 256) + "." + (i % 256) + ":1", 1);
    }
    assertEquals(8, limiter.size());
  }
}
