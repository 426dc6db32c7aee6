package io.seedgate.persistence;

import java.util.List;

/**
 * Finds the changed players of a page of online sessions by their {@link Fingerprints fingerprint} and hands them to
 * the {@link BatchWriter}; a token whose hash is gone is forgotten, one that could not be read is kept as it was.
 *
 * <p>Not thread-safe: used from the persistence verticle's context.
 */
final class ChangeDetector {

  private final Fingerprints fingerprints;

  ChangeDetector(Fingerprints fingerprints) {
    this.fingerprints = fingerprints;
  }

  void compare(List<RedisPlayerReader.Snapshot> snapshots, CycleProgress progress, BatchWriter writer) {
    int gen = progress.generation;
    for (RedisPlayerReader.Snapshot s : snapshots) {
      long key = Fingerprints.key(s.token());
      if (s.unreadable()) {
        fingerprints.touch(key, gen);
      } else if (!s.exists()) {
        fingerprints.forget(key);
      } else if (fingerprints.changed(key, s.fingerprint(), gen)) {
        PlayerState state = s.state();
        if (state != null) {
          progress.changed++;
          // asked now, while the token's slot in the table is still in the cache
          long extraHash = PgPlayerStore.extraHash(state.extra());
          writer.add(new PendingRow(key, state, s.fingerprint(), extraHash,
            fingerprints.extraWritten(key, extraHash)));
        }
      }
    }
  }
}
