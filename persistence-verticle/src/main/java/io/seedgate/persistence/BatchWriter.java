package io.seedgate.persistence;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes one cycle's changed players to the {@link PlayerStore}: {@code batchSize} rows per statement, at most
 * {@code maxInFlight} batches at once (a batch waits for a free slot). A player whose extra fields are the ones this
 * node last wrote is written without them ({@link PlayerStore#upsertKeepingExtra}), the rest of a batch in full.
 * A row's fingerprint is recorded only once it is written, so a failed batch loses nothing.
 *
 * <p>One per cycle. Not thread-safe: used from the persistence verticle's context.
 */
final class BatchWriter {

  private final PlayerStore store;
  private final Fingerprints fingerprints;
  private final int batchSize;
  private final int maxInFlight;
  private final CycleProgress progress;
  private final List<PendingRow> pending = new ArrayList<>();
  private int inFlight;
  private Promise<Void> slotFreed;
  private Promise<Void> drained;

  BatchWriter(PlayerStore store, Fingerprints fingerprints, int batchSize, int maxInFlight, CycleProgress progress) {
    this.store = store;
    this.fingerprints = fingerprints;
    this.batchSize = batchSize;
    this.maxInFlight = maxInFlight;
    this.progress = progress;
  }

  void add(PendingRow row) {
    pending.add(row);
  }

  /** Hands full batches (with {@code all}, the rest too) to the store, waiting for a free slot when needed. */
  Future<Void> submitPending(boolean all) {
    Future<Void> chain = Future.succeededFuture();
    while (pending.size() >= batchSize || all && !pending.isEmpty()) {
      int n = Math.min(batchSize, pending.size());
      List<PendingRow> batch = new ArrayList<>(pending.subList(0, n));
      pending.subList(0, n).clear();
      chain = chain.compose(v -> submit(batch));
    }
    return chain;
  }

  /** Completes once no batch is being written. */
  Future<Void> drain() {
    if (inFlight == 0) {
      return Future.succeededFuture();
    }
    drained = Promise.promise();
    return drained.future();
  }

  private Future<Void> submit(List<PendingRow> batch) {
    if (progress.failure != null) {
      return Future.failedFuture(progress.failure);
    }
    if (progress.lockLost) {
      progress.fail(new GatewayException(ErrorCode.UNAVAILABLE, "flush lock lost"));
      return Future.failedFuture(progress.failure);
    }
    if (inFlight >= maxInFlight) {
      slotFreed = Promise.promise();
      return slotFreed.future().compose(v -> submit(batch));
    }
    inFlight++;
    List<PendingRow> rows = onePerPlayer(batch);
    List<PlayerState> full = new ArrayList<>(rows.size());
    List<PlayerState> keepingExtra = new ArrayList<>();
    for (PendingRow p : rows) {
      (p.extraStored() ? keepingExtra : full).add(p.state());
    }
    store.upsertKeepingExtra(keepingExtra).compose(n -> store.upsert(full)).onComplete(ar -> {
      inFlight--;
      if (ar.succeeded()) {
        progress.written += rows.size();
        for (PendingRow p : rows) {
          fingerprints.written(p.key(), p.fingerprint(), p.extraHash());
        }
      } else {
        progress.fail(ar.cause());
      }
      if (slotFreed != null) {
        Promise<Void> waiting = slotFreed;
        slotFreed = null;
        waiting.complete();
      }
      if (inFlight == 0 && drained != null) {
        drained.complete();
      }
    });
    return Future.succeededFuture();
  }

  /**
   * The batch sorted by player id (the order the store locks rows in) with one row per player: two live tokens of
   * one player (a sign-in replacing a session) cannot be in one statement; the one not written keeps its old
   * fingerprint and is written in the next cycle.
   */
  private static List<PendingRow> onePerPlayer(List<PendingRow> batch) {
    List<PendingRow> sorted = new ArrayList<>(batch);
    sorted.sort(Comparator.comparing(p -> p.state().id()));
    List<PendingRow> rows = new ArrayList<>(sorted.size());
    for (PendingRow p : sorted) {
      if (rows.isEmpty() || !rows.get(rows.size() - 1).state().id().equals(p.state().id())) {
        rows.add(p);
      }
    }
    return rows;
  }
}
