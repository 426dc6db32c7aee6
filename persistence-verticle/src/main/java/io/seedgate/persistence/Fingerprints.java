package io.seedgate.persistence;

import java.util.HashMap;
import java.util.Map;

/**
 * Per online token, the {@link Fingerprint} of the state last written to the store, so that a flush
 * writes only players whose state changed. Held in memory only: after a restart every player is written once.
 * Not thread-safe: used from the persistence verticle's context.
 */
final class Fingerprints {

  /** What is known of one token; held by a pending write so that recording it needs no second lookup. */
  static final class Entry {
    long written;
    boolean known;
    int seen;
  }

  private final Map<String, Entry> byToken = new HashMap<>();

  /**
   * Marks the token as seen in flush {@code generation} and tells whether {@code fingerprint} differs from what was
   * last written for it (or nothing was written yet).
   *
   * @return the token's entry when it changed (to pass to {@link #written(Entry, long)} once written), else
   * {@code null}
   */
  Entry changed(String token, long fingerprint, int generation) {
    Entry e = byToken.computeIfAbsent(token, t -> new Entry());
    e.seen = generation;
    return !e.known || e.written != fingerprint ? e : null;
  }

  /** Marks the token as seen in flush {@code generation} without judging its state (it could not be read). */
  void touch(String token, int generation) {
    Entry e = byToken.get(token);
    if (e != null) {
      e.seen = generation;
    }
  }

  /** Records that the state with this fingerprint is in the store. */
  void written(String token, long fingerprint) {
    written(byToken.computeIfAbsent(token, t -> new Entry()), fingerprint);
  }

  /** Records that the state with this fingerprint is in the store, for an entry {@link #changed} gave. */
  void written(Entry entry, long fingerprint) {
    entry.written = fingerprint;
    entry.known = true;
  }

  void forget(String token) {
    byToken.remove(token);
  }

  /** Drops the tokens not seen in flush {@code generation}: they are no longer online. */
  void sweep(int generation) {
    byToken.values().removeIf(e -> e.seen != generation);
  }

  int size() {
    return byToken.size();
  }
}
