package io.seedgate.gateway.resume;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayBufferTest {

  private static List<Long> seqs(List<ReplayBuffer.Entry<String>> entries) {
    return entries.stream().map(ReplayBuffer.Entry::seq).toList();
  }

  @Test
  void numbersFromOneAndReplaysWhatFollowsASeq() {
    ReplayBuffer<String> b = new ReplayBuffer<>();
    assertEquals(1, b.append("a", 10));
    assertEquals(2, b.append("b", 10));
    assertEquals(3, b.append("c", 10));
    assertEquals(30, b.bytes());
    assertEquals(List.of(2L, 3L), seqs(b.after(1)));
    assertEquals(List.of(), seqs(b.after(3)));
    assertEquals("b", b.after(1).get(0).message());
    assertTrue(b.canReplayAfter(0));
    assertTrue(b.canReplayAfter(3));
    assertFalse(b.canReplayAfter(4), "a seq never sent");
    assertFalse(b.canReplayAfter(-1));
  }

  @Test
  void attachedTrimDropsTheOldestAndThenTheirSeqsCannotBeReplayed() {
    ReplayBuffer<String> b = new ReplayBuffer<>();
    for (int i = 0; i < 5; i++) {
      b.append("m" + i, 100);
    }
    assertEquals(200, b.trimTo(300));
    assertEquals(300, b.bytes());
    assertEquals(3, b.firstSeq());
    assertTrue(b.canReplayAfter(2));
    assertFalse(b.canReplayAfter(1));
    assertTrue(b.droppedAfter(1));
    assertFalse(b.droppedAfter(2));
    assertEquals(List.of(3L, 4L, 5L), seqs(b.after(2)));
  }

  @Test
  void overTellsADetachedBufferPastItsBound() {
    ReplayBuffer<String> b = new ReplayBuffer<>();
    b.append("a", 100);
    assertFalse(b.over(100));
    b.append("b", 1);
    assertTrue(b.over(100));
  }

  @Test
  void acknowledgeDropsWhatTheClientSawButKeepsTheCounter() {
    ReplayBuffer<String> b = new ReplayBuffer<>();
    b.append("a", 5);
    b.append("b", 7);
    b.append("c", 9);
    assertEquals(12, b.acknowledge(2));
    assertEquals(9, b.bytes());
    assertEquals(3, b.lastSeq());
    assertTrue(b.canReplayAfter(2));
    assertEquals(4, b.append("d", 1));
    assertEquals(10, b.clear());
    assertEquals(4, b.lastSeq());
    assertTrue(b.canReplayAfter(4));
    assertFalse(b.canReplayAfter(3));
  }

  @Test
  void restoreKeepsNumbersInOrderOnly() {
    ReplayBuffer<String> b = new ReplayBuffer<>(41);
    b.restore(new ReplayBuffer.Entry<>(42, "x", 3));
    assertEquals(42, b.lastSeq());
    assertThrows(IllegalArgumentException.class, () -> b.restore(new ReplayBuffer.Entry<>(44, "y", 3)));
  }
}
