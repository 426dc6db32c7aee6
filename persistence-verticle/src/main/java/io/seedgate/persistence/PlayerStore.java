package io.seedgate.persistence;

import io.vertx.core.Future;

import java.util.List;

/**
 * Where saved player state lives. Writes are idempotent upserts and never replace a state read later than the one
 * written (see {@link PlayerState#readAt()}), so a batch may be retried or raced by another writer safely.
 */
public interface PlayerStore {

  /**
   * Writes the states in one statement: all of them or none.
   *
   * @param states at most one state per player id
   * @return the number of rows inserted or changed; fails with the database error
   */
  Future<Integer> upsert(List<PlayerState> states);

  /**
   * Like {@link #upsert}, for the state of players who left while it could not be saved: a state is written only
   * when its last activity is not older than the stored one.
   */
  Future<Integer> upsertRecovered(List<PlayerState> states);

  /**
   * Like {@link #upsert}, for states whose extra fields are believed stored as they are (the flush wrote them so
   * last): everything but {@code extra} is written, to the rows whose stored extra is that one by its hash
   * ({@link PgPlayerStore#extraHash}); the rest of the batch (a row gone, or its extra written by another since) is
   * then written in full. The same rows as {@link #upsert} in the end, without sending or parsing unchanged extras.
   *
   * @return the number of rows inserted or changed; fails with the database error
   */
  Future<Integer> upsertKeepingExtra(List<PlayerState> states);

  /** The saved state of a player, or {@code null} when there is none; fails with the database error. */
  Future<PlayerState> load(String playerId);
}
