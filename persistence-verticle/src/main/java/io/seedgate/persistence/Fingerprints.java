package io.seedgate.persistence;

/**
 * Per online token, the {@link Fingerprint} of the state last written to the store, so that a flush
 * writes only players whose state changed. Held in memory only: after a restart every player is written once.
 *
 * <p>An open-addressing table keyed by a 64-bit hash of the token ({@link #key}), in parallel arrays: a flush
 * looks up every online player, and a {@code HashMap} of strings cost a cache miss per node, key, key bytes and
 * value (an eighth of the flush's event-loop time for 100,000 players). Two tokens whose keys collide (about one
 * chance in 10^9 with a million tokens) share an entry: each then looks changed to the other, so both are written
 * every cycle; a change is never missed.
 *
 * <p>Not thread-safe: used from the persistence verticle's context.
 */
final class Fingerprints {

  private static final int MIN_CAPACITY = 1 << 10;
  /** {@code seen} of an entry that is forgotten: dropped by the next {@link #sweep}. */
  private static final int FORGOTTEN = Integer.MIN_VALUE;

  private long[] keys = new long[MIN_CAPACITY];
  private long[] written = new long[MIN_CAPACITY];
  private boolean[] known = new boolean[MIN_CAPACITY];
  private int[] seen = new int[MIN_CAPACITY];
  private int size;

  /** The key of a token (never 0, which marks a free slot). */
  static long key(String token) {
    long k = Fingerprint.chars(token);
    return k == 0 ? 1 : k;
  }

  /**
   * Marks the token as seen in flush {@code generation} and tells whether {@code fingerprint} differs from what was
   * last written for it (or nothing was written yet).
   */
  boolean changed(long key, long fingerprint, int generation) {
    int slot = slotFor(key);
    seen[slot] = generation;
    return !known[slot] || written[slot] != fingerprint;
  }

  /** Marks the token as seen in flush {@code generation} without judging its state (it could not be read). */
  void touch(long key, int generation) {
    int slot = find(key);
    if (slot >= 0 && seen[slot] != FORGOTTEN) {
      seen[slot] = generation;
    }
  }

  /** Records that the state with this fingerprint is in the store. */
  void written(long key, long fingerprint) {
    int slot = slotFor(key);
    written[slot] = fingerprint;
    known[slot] = true;
    if (seen[slot] == FORGOTTEN) {
      seen[slot] = 0;
    }
  }

  /** Forgets the token (its hash is gone); the entry is dropped by the next {@link #sweep}. */
  void forget(long key) {
    int slot = find(key);
    if (slot >= 0) {
      known[slot] = false;
      seen[slot] = FORGOTTEN;
    }
  }

  /** Drops the tokens not seen in flush {@code generation}: they are no longer online. */
  void sweep(int generation) {
    long[] oldKeys = keys;
    long[] oldWritten = written;
    boolean[] oldKnown = known;
    int[] oldSeen = seen;
    int kept = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != 0 && oldSeen[i] == generation) {
        kept++;
      }
    }
    allocate(capacityFor(kept));
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != 0 && oldSeen[i] == generation) {
        int slot = slotFor(oldKeys[i]);
        written[slot] = oldWritten[i];
        known[slot] = oldKnown[i];
        seen[slot] = generation;
      }
    }
  }

  int size() {
    return size;
  }

  /** The slot of the key, added (unknown, unseen) when missing. */
  private int slotFor(long key) {
    int mask = keys.length - 1;
    int i = (int) (key ^ (key >>> 32)) & mask;
    while (keys[i] != 0) {
      if (keys[i] == key) {
        return i;
      }
      i = (i + 1) & mask;
    }
    if ((size + 1) * 2 > keys.length) {
      grow();
      return slotFor(key);
    }
    keys[i] = key;
    size++;
    return i;
  }

  private int find(long key) {
    int mask = keys.length - 1;
    for (int i = (int) (key ^ (key >>> 32)) & mask; keys[i] != 0; i = (i + 1) & mask) {
      if (keys[i] == key) {
        return i;
      }
    }
    return -1;
  }

  private void grow() {
    long[] oldKeys = keys;
    long[] oldWritten = written;
    boolean[] oldKnown = known;
    int[] oldSeen = seen;
    allocate(oldKeys.length * 2);
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != 0) {
        int slot = slotFor(oldKeys[i]);
        written[slot] = oldWritten[i];
        known[slot] = oldKnown[i];
        seen[slot] = oldSeen[i];
      }
    }
  }

  private void allocate(int capacity) {
    keys = new long[capacity];
    written = new long[capacity];
    known = new boolean[capacity];
    seen = new int[capacity];
    size = 0;
  }

  /** A power of two at least four times {@code n}: the table stays at most half full until it doubles. */
  private static int capacityFor(int n) {
    int c = MIN_CAPACITY;
    while (c < n * 4) {
      c <<= 1;
    }
    return c;
  }
}
