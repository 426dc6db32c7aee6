package io.seedgate.persistence;

/**
 * A changed player waiting to be written: the state to write and the fingerprint to record for its token
 * ({@link Fingerprints#key}) once it is written.
 *
 * @param extraStored whether its extra fields are the ones this node last wrote (so the row is written without them)
 */
record PendingRow(long key, PlayerState state, long fingerprint, long extraHash, boolean extraStored) {
}
