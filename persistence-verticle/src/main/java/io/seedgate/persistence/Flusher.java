package io.seedgate.persistence;

import io.seedgate.common.Failures;
import io.seedgate.common.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's flush of player state from Redis to the {@link PlayerStore}, one cycle at a time, under the
 * cluster-wide {@link FlushLock} (extended while the cycle runs).
 *
 * <p>A cycle first saves the players in {@link RedisKeys#UNSAVED} ({@link UnsavedRecovery}), then walks the online
 * sessions ({@link OnlineWalk}: {@link RedisKeys#onlineShard(int)} a few shards at a time, each page's hashes and
 * positions read pipelined), hands the players whose {@link Fingerprints fingerprint} changed
 * ({@link ChangeDetector}) to the {@link BatchWriter}, which writes them {@code batchSize} rows per statement, at most
 * {@code maxInFlight} batches at once, while reading goes on. A fingerprint advances only when its row was
 * written, so a failed cycle loses nothing: the next one finds the same players changed. Every step works on a
 * bounded page, so the verticle's event loop is never held for long.
 *
 * <p>Not thread-safe: used from the persistence verticle's context.
 */
final class Flusher {

  private static final Logger LOG = LoggerFactory.getLogger(Flusher.class);

  /**
   * The outcome of a cycle.
   *
   * @param ran     whether it held the lock (a skipped cycle did nothing)
   * @param written rows written
   * @param backlog changed players not written
   * @param failure why it stopped early, or {@code null}
   */
  record Result(boolean ran, int written, int backlog, Throwable failure) {
    static final Result SKIPPED = new Result(false, 0, 0, null);
  }

  private final Vertx vertx;
  private final FlushConnection redis;
  private final RedisPlayerReader reader;
  private final PlayerStore store;
  private final FlushLock lock;
  private final Fingerprints fingerprints;
  private final UnsavedRecovery unsaved;
  private final ChangeDetector detector;
  private final int batchSize;
  private final int maxInFlight;
  private int generation;

  Flusher(Vertx vertx, FlushConnection redis, PlayerStore store, FlushLock lock, Fingerprints fingerprints, int batchSize,
          int maxInFlight) {
    this.vertx = vertx;
    this.redis = redis;
    this.reader = new RedisPlayerReader(redis);
    this.store = store;
    this.lock = lock;
    this.fingerprints = fingerprints;
    this.unsaved = new UnsavedRecovery(redis, reader, store, batchSize);
    this.detector = new ChangeDetector(fingerprints);
    this.batchSize = batchSize;
    this.maxInFlight = maxInFlight;
  }

  /**
   * Runs one cycle if the flush lock is free.
   *
   * @return the outcome (a failure of the cycle is in {@link Result#failure()}); fails only when Redis could not
   * be asked for the lock
   */
  Future<Result> flush() {
    return redis.open().compose(v -> lock.tryAcquire()).compose(taken -> {
      if (!taken) {
        return Future.succeededFuture(Result.SKIPPED);
      }
      return cycle().compose(result -> lock.release().transform(released -> {
        if (released.failed()) {
          Failures.warn(LOG, "[flush: {}] lock not released, it expires: {}", lock.owner(), released.cause());
        } else if (!released.result()) {
          LOG.warn("[flush: {}] lock was no longer ours at release", lock.owner());
        }
        return Future.succeededFuture(result);
      }));
    });
  }

  /** One cycle, the lock held: unsaved players, then the online ones, then the writes still under way. */
  private Future<Result> cycle() {
    CycleProgress progress = new CycleProgress(++generation);
    BatchWriter writer = new BatchWriter(store, fingerprints, batchSize, maxInFlight, progress);
    long extendTimer = vertx.setPeriodic(Math.max(1, lock.ttlMs() / 3), t -> lock.extend().onComplete(ar -> {
      if (ar.failed() || !ar.result()) {
        progress.lockLost = true;
      }
    }));
    return unsaved.run(progress)
      .compose(v -> new OnlineWalk(redis, reader, progress, page -> {
        detector.compare(page, progress, writer);
        return writer.submitPending(false);
      }, () -> writer.submitPending(true)).run())
      .transform(ar -> {
        if (ar.failed()) {
          progress.fail(ar.cause());
        }
        return writer.drain();
      })
      .transform(ar -> {
        vertx.cancelTimer(extendTimer);
        if (progress.failure == null) {
          fingerprints.sweep(progress.generation);
        }
        return Future.succeededFuture(new Result(true, progress.written,
          Math.max(0, progress.changed - progress.written), progress.failure));
      });
  }
}
