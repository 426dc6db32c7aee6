package io.seedgate.persistence;

/**
 * What one flush cycle has done so far, shared by its steps ({@link UnsavedRecovery}, {@link OnlineWalk},
 * {@link ChangeDetector}, {@link BatchWriter}): its generation (for {@link Fingerprints}), the players found
 * changed and the rows written, the first failure, and whether the flush lock was lost meanwhile.
 *
 * <p>Not thread-safe: used from the persistence verticle's context.
 */
final class CycleProgress {

  final int generation;
  int changed;
  int written;
  Throwable failure;
  boolean lockLost;

  CycleProgress(int generation) {
    this.generation = generation;
  }

  /** Records the cycle's failure; the first one is kept. */
  void fail(Throwable cause) {
    if (failure == null) {
      failure = cause;
    }
  }
}
