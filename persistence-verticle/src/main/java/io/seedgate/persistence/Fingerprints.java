package io.seedgate.persistence;

/**
 * Per online token, the {@link Fingerprint} of the state last written to the store, so that a flush
 * writes only players whose state changed. Held in memory only: after a restart every player is written once.
 *
 * <p>An open-addressing table keyed by a 64-bit hash of the token ({@link #key}), in one array of longs: a flush
 * looks up every online player, and a {@code HashMap} of strings cost a cache miss per node, key, key bytes and
 * value (a sizeable share of the flush's event-loop time: BENCHMARKS.md). Two tokens whose keys collide (about one
 * chance in 10^9 with a million tokens) share an entry: each then looks changed to the other, so both are written
 * every cycle; a change is never missed.
 *
 * <p>Not thread-safe: used from the persistence verticle's context.
 */
final class Fingerprints {

  private static final int MIN_CAPACITY = 1 << 10;
  /**
   * Longs per slot: the key, the written fingerprint, {@code seen} (low 32 bits) with the known flag, and the hash
   * of the extra fields written ({@link PgPlayerStore#extraHash}).
   */
  private static final int STRIDE = 4;
  private static final int WRITTEN = 1;
  private static final int META = 2;
  private static final int EXTRA = 3;
  private static final long KNOWN = 1L << 32;
  /** {@code seen} of an entry that is forgotten: dropped by the next {@link #sweep}. */
  private static final int FORGOTTEN = Integer.MIN_VALUE;

  /**
   * The slots side by side in one array, so that a lookup touches one place in memory (a flush looks up every
   * online player twice; with one array per field each lookup cost a cache miss per array).
   */
  private long[] slots = new long[MIN_CAPACITY * STRIDE];
  private int capacity = MIN_CAPACITY;
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
    int at = slotFor(key);
    long meta = slots[at + META];
    slots[at + META] = (meta & KNOWN) | (generation & 0xFFFFFFFFL);
    return (meta & KNOWN) == 0 || slots[at + WRITTEN] != fingerprint;
  }

  /** Marks the token as seen in flush {@code generation} without judging its state (it could not be read). */
  void touch(long key, int generation) {
    int at = find(key);
    if (at >= 0 && seen(slots[at + META]) != FORGOTTEN) {
      slots[at + META] = (slots[at + META] & KNOWN) | (generation & 0xFFFFFFFFL);
    }
  }

  /**
   * Whether the extra fields last written for the token, by this node, had this {@link PgPlayerStore#extraHash}:
   * then they need not be sent again (the store checks they are still the stored ones).
   */
  boolean extraWritten(long key, long extraHash) {
    int at = find(key);
    return at >= 0 && (slots[at + META] & KNOWN) != 0 && slots[at + EXTRA] == extraHash;
  }

  /** Records that the state with this fingerprint, and extra fields of this hash, are in the store. */
  void written(long key, long fingerprint, long extraHash) {
    int at = slotFor(key);
    slots[at + WRITTEN] = fingerprint;
    slots[at + EXTRA] = extraHash;
    int seen = seen(slots[at + META]);
    slots[at + META] = KNOWN | (seen == FORGOTTEN ? 0 : seen & 0xFFFFFFFFL);
  }

  /** Forgets the token (its hash is gone); the entry is dropped by the next {@link #sweep}. */
  void forget(long key) {
    int at = find(key);
    if (at >= 0) {
      slots[at + META] = FORGOTTEN & 0xFFFFFFFFL;
    }
  }

  /** Drops the tokens not seen in flush {@code generation}: they are no longer online. */
  void sweep(int generation) {
    long[] old = slots;
    int kept = 0;
    for (int at = 0; at < old.length; at += STRIDE) {
      if (old[at] != 0 && seen(old[at + META]) == generation) {
        kept++;
      }
    }
    allocate(capacityFor(kept));
    for (int at = 0; at < old.length; at += STRIDE) {
      if (old[at] != 0 && seen(old[at + META]) == generation) {
        copy(old, at);
      }
    }
  }

  int size() {
    return size;
  }

  private static int seen(long meta) {
    return (int) meta;
  }

  /** The index of the key's slot, added (unknown, unseen) when missing. */
  private int slotFor(long key) {
    int mask = capacity - 1;
    int i = (int) (key ^ (key >>> 32)) & mask;
    while (slots[i * STRIDE] != 0) {
      if (slots[i * STRIDE] == key) {
        return i * STRIDE;
      }
      i = (i + 1) & mask;
    }
    if ((size + 1) * 2 > capacity) {
      grow();
      return slotFor(key);
    }
    slots[i * STRIDE] = key;
    size++;
    return i * STRIDE;
  }

  private int find(long key) {
    int mask = capacity - 1;
    for (int i = (int) (key ^ (key >>> 32)) & mask; slots[i * STRIDE] != 0; i = (i + 1) & mask) {
      if (slots[i * STRIDE] == key) {
        return i * STRIDE;
      }
    }
    return -1;
  }

  private void grow() {
    long[] old = slots;
    allocate(capacity * 2);
    for (int at = 0; at < old.length; at += STRIDE) {
      if (old[at] != 0) {
        copy(old, at);
      }
    }
  }

  private void copy(long[] from, int at) {
    int to = slotFor(from[at]);
    slots[to + WRITTEN] = from[at + WRITTEN];
    slots[to + META] = from[at + META];
    slots[to + EXTRA] = from[at + EXTRA];
  }

  private void allocate(int capacity) {
    this.capacity = capacity;
    slots = new long[capacity * STRIDE];
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
