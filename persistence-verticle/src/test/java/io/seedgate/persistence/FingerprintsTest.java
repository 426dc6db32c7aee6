package io.seedgate.persistence;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FingerprintsTest {

  private static long key(int i) {
    return Fingerprints.key("TOKEN-" + i);
  }

  @Test
  void aTokenIsChangedUntilItsFingerprintIsWrittenAndAgainWhenItDiffers() {
    Fingerprints f = new Fingerprints();
    assertTrue(f.changed(key(1), 42, 1), "never written");
    assertTrue(f.changed(key(1), 42, 1), "still not written");
    assertFalse(f.extraWritten(key(1), 5), "no extra written yet");
    f.written(key(1), 42, 5);
    assertFalse(f.changed(key(1), 42, 2));
    assertTrue(f.extraWritten(key(1), 5));
    assertFalse(f.extraWritten(key(1), 6), "other extra fields");
    assertTrue(f.changed(key(1), 43, 2));
    assertTrue(f.changed(key(2), 42, 2), "another token");
  }

  @Test
  void manyTokensSurviveGrowingAndSweepDropsThoseNotSeen() {
    Fingerprints f = new Fingerprints();
    int n = 50_000;
    for (int i = 0; i < n; i++) {
      f.changed(key(i), i, 1);
      f.written(key(i), i, -i);
    }
    assertEquals(n, f.size());
    for (int i = 0; i < n; i++) {
      assertFalse(f.changed(key(i), i, 2), "token " + i + " kept its fingerprint through growth");
      assertTrue(f.extraWritten(key(i), -i), "token " + i + " kept its extra hash through growth");
    }
    for (int i = 0; i < n; i += 2) {
      f.changed(key(i), i, 3);
    }
    f.touch(key(1), 3);
    f.sweep(3);
    assertEquals(n / 2 + 1, f.size(), "the tokens seen in cycle 3 and the one touched");
    assertFalse(f.changed(key(0), 0, 4));
    assertTrue(f.extraWritten(key(0), 0), "kept through the sweep");
    assertFalse(f.changed(key(1), 1, 4), "touched: kept");
    assertTrue(f.changed(key(3), 3, 4), "swept: written again");
  }

  @Test
  void aForgottenTokenIsDroppedAndWrittenAgainIfItComesBack() {
    Fingerprints f = new Fingerprints();
    f.changed(key(1), 7, 1);
    f.written(key(1), 7, 7);
    f.forget(key(1));
    assertFalse(f.extraWritten(key(1), 7), "forgotten");
    f.touch(key(1), 2);
    f.sweep(2);
    assertEquals(0, f.size());
    assertTrue(f.changed(key(1), 7, 3));
  }
}
