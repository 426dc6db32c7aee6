package io.seedgate.persistence;

import io.seedgate.common.BurstLog;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.Failures;
import io.seedgate.common.GatewayException;
import io.seedgate.common.LogContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The saves of leaving players ({@link io.seedgate.common.Addresses#SAVE_PLAYER}), coalesced: a mass disconnect
 * sends one request per player, and one PostgreSQL statement each overflowed the pool's wait queue (issue 16).
 *
 * <p>Requests are queued; at most {@link #MAX_IN_FLIGHT} batches of up to {@link #MAX_BATCH} of them run at once,
 * each one pipelined read of the players' hashes and positions ({@link RedisPlayerReader}, as the flush reads) and
 * one batched upsert ({@link PlayerStore#upsert}, the flush's statement). A request that comes while others run
 * waits for the next batch, so a lone save is written at once and a burst in a few statements; the pool never has
 * more than {@link #MAX_IN_FLIGHT} of these waiting. Each request is answered when its batch is written; when the
 * read or the write fails, every request of the batch still unanswered fails with that cause, and so does every
 * request queued then (they would meet the same outage one batch after the other, each up to the pool's wait: a
 * burst during a partition would hold the node's stop for minutes). A second request for a player already in the
 * batch (two tokens of one player; one statement cannot write a row twice) waits for the next batch, so that the
 * later one is written last, as one at a time would.
 *
 * <p>One log line per burst (from the first request while idle until all are answered): INFO from
 * {@link #SUMMARY_MIN_PLAYERS} requests, WARN when any failed, else DEBUG; per-player failures at DEBUG.
 *
 * <p>Not thread-safe: used from the persistence verticle's context.
 */
final class LeaveSaves {

  private static final Logger LOG = LoggerFactory.getLogger(LeaveSaves.class);
  /**
   * Failed bursts: one WARN a minute. While PostgreSQL is away players leave one after the other, each its own
   * burst, and each burst logged a WARN.
   */
  private final BurstLog failedBursts = new BurstLog(LOG, 60_000);

  /** Most players read and written in one batch. */
  static final int MAX_BATCH = 500;
  /** Most batches running at once (so at most that many statements waiting for a pooled connection). */
  static final int MAX_IN_FLIGHT = 2;
  /** Bursts of at least this many requests are logged at INFO. */
  static final int SUMMARY_MIN_PLAYERS = 100;

  /** One request: the reply is whether the player was saved ({@code false}: no hash). */
  private record Save(String player, String token, String map, Promise<Boolean> reply) {
  }

  private final Context context;
  private final FlushConnection redis;
  private final RedisPlayerReader reader;
  private final PlayerStore store;
  private final Fingerprints fingerprints;
  private final LongConsumer saved;
  private final Supplier<String> node;
  private final int maxBatch;
  private final int maxInFlight;
  private final ArrayDeque<Save> queue = new ArrayDeque<>();
  private int inFlight;
  private boolean pumpScheduled;
  private long batches;
  private Promise<Void> idle;

  // the burst being answered
  private long burstStartNs;
  private int burstRequests;
  private int burstBatches;
  private int burstWritten;
  private int burstNoHash;
  private int burstFailed;
  private Throwable burstFailure;

  /**
   * @param saved told the number of rows each batch wrote
   * @param node  the node's name, for the log
   */
  LeaveSaves(Context context, FlushConnection redis, RedisPlayerReader reader, PlayerStore store,
             Fingerprints fingerprints, LongConsumer saved, Supplier<String> node) {
    this(context, redis, reader, store, fingerprints, saved, node, MAX_BATCH, MAX_IN_FLIGHT);
  }

  /** With other limits than {@link #MAX_BATCH} and {@link #MAX_IN_FLIGHT} (1 and unbounded: one at a time). */
  LeaveSaves(Context context, FlushConnection redis, RedisPlayerReader reader, PlayerStore store,
             Fingerprints fingerprints, LongConsumer saved, Supplier<String> node, int maxBatch, int maxInFlight) {
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.context = context;
    this.redis = redis;
    this.reader = reader;
    this.store = store;
    this.fingerprints = fingerprints;
    this.saved = saved;
    this.node = node;
  }

  /**
   * Queues the save of a player.
   *
   * @return {@code true} once written, {@code false} when the player has no hash; fails with the cause when it
   * could not be read or written
   */
  Future<Boolean> save(String player, String token, String map) {
    if (isIdle()) {
      burstStartNs = System.nanoTime();
      burstRequests = burstBatches = burstWritten = burstNoHash = burstFailed = 0;
      burstFailure = null;
    }
    burstRequests++;
    Save s = new Save(player, token, map, Promise.promise());
    queue.add(s);
    if (!pumpScheduled) {
      // after the requests already delivered to this context, so that a burst starts with a full batch
      pumpScheduled = true;
      context.runOnContext(v -> {
        pumpScheduled = false;
        pump();
      });
    }
    return s.reply().future();
  }

  /** Batches started since start (for tests). */
  long batches() {
    return batches;
  }

  /** Completes once every queued request is answered. */
  Future<Void> whenIdle() {
    if (isIdle()) {
      return Future.succeededFuture();
    }
    if (idle == null) {
      idle = Promise.promise();
    }
    return idle.future();
  }

  private boolean isIdle() {
    return inFlight == 0 && queue.isEmpty();
  }

  private void pump() {
    while (inFlight < maxInFlight && !queue.isEmpty()) {
      List<Save> batch = new ArrayList<>(Math.min(maxBatch, queue.size()));
      while (batch.size() < maxBatch && !queue.isEmpty()) {
        batch.add(queue.poll());
      }
      inFlight++;
      batches++;
      burstBatches++;
      Set<Save> later = Collections.newSetFromMap(new IdentityHashMap<>());
      write(batch, later).onComplete(ar -> {
        inFlight--;
        if (ar.failed()) {
          for (Save s : batch) {
            if (!later.contains(s)) {
              fail(s, ar.cause());
            }
          }
          // the requests waiting behind it would meet the same outage, one batch (up to the pool's wait) after
          // the other: they fail now, and their callers keep the players for the flush
          while (!queue.isEmpty()) {
            fail(queue.poll(), ar.cause());
          }
        }
        pump();
        if (isIdle()) {
          endBurst();
        }
      });
    }
  }

  /**
   * Reads and writes one batch; answers the requests it settles, fails for the batch as a whole.
   *
   * @param later filled with the requests put back in the queue, for players already in the batch
   */
  private Future<Void> write(List<Save> batch, Set<Save> later) {
    List<String> tokens = new ArrayList<>(batch.size());
    List<String> players = new ArrayList<>(batch.size());
    List<String> maps = new ArrayList<>(batch.size());
    for (Save s : batch) {
      tokens.add(s.token());
      players.add(s.player());
      maps.add(s.map());
    }
    return redis.open().compose(v -> reader.read(tokens, players, maps)).compose(snapshots -> {
      List<Save> writing = new ArrayList<>(batch.size());
      List<RedisPlayerReader.Snapshot> written = new ArrayList<>(batch.size());
      List<PlayerState> states = new ArrayList<>(batch.size());
      List<Save> again = new ArrayList<>();
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < batch.size(); i++) {
        Save s = batch.get(i);
        RedisPlayerReader.Snapshot snapshot = snapshots.get(i);
        if (snapshot.unreadable()) {
          fail(s, new GatewayException(ErrorCode.UNAVAILABLE, "cannot read the player's hash"));
        } else if (snapshot.state() == null) {
          burstNoHash++;
          s.reply().tryComplete(false);
        } else if (ids.add(snapshot.state().id())) {
          writing.add(s);
          written.add(snapshot);
          states.add(snapshot.state());
        } else {
          again.add(s);
        }
      }
      later.addAll(again);
      for (int i = again.size() - 1; i >= 0; i--) {
        queue.addFirst(again.get(i));
      }
      if (states.isEmpty()) {
        return Future.succeededFuture();
      }
      return store.upsert(states).map(rows -> {
        for (RedisPlayerReader.Snapshot snapshot : written) {
          fingerprints.written(Fingerprints.key(snapshot.token()), snapshot.fingerprint(),
            PgPlayerStore.extraHash(snapshot.state().extra()));
        }
        saved.accept(states.size());
        burstWritten += states.size();
        for (Save s : writing) {
          s.reply().tryComplete(true);
          if (LOG.isDebugEnabled()) {
            try (LogContext ignored = LogContext.of(LogContext.PLAYER, s.player())) {
              LOG.debug("[persistence: {}, player: {}] saved on leave", node.get(), s.player());
            }
          }
        }
        return null;
      });
    });
  }

  private void fail(Save s, Throwable cause) {
    if (s.reply().tryFail(cause)) {
      burstFailed++;
      if (burstFailure == null) {
        burstFailure = cause;
      }
      if (LOG.isDebugEnabled()) {
        try (LogContext ignored = LogContext.of(LogContext.PLAYER, s.player())) {
          Failures.log(LOG, Level.DEBUG, "[persistence: {}, player: {}] save on leave failed: {}", node.get(),
            s.player(), cause);
        }
      }
    }
  }

  private String noHash() {
    return burstNoHash == 0 ? "" : " (" + burstNoHash + " without a hash)";
  }

  private void endBurst() {
    long ms = (System.nanoTime() - burstStartNs) / 1_000_000;
    if (burstFailed > 0) {
      failedBursts.failed("[persistence: {}] save on leave failed for {} of {} players ({} batches, {} ms): {}",
        node.get(), burstFailed, burstRequests, burstBatches, ms, burstFailure);
    } else {
      failedBursts.recovered("[persistence: {}] saves on leave work again", node.get());
      if (burstRequests >= SUMMARY_MIN_PLAYERS) {
        LOG.info("[persistence: {}] saved {} players on leave in {} batches, {} ms{}", node.get(), burstWritten,
          burstBatches, ms, noHash());
      } else {
        LOG.debug("[persistence: {}] saved {} players on leave in {} batches, {} ms{}", node.get(), burstWritten,
          burstBatches, ms, noHash());
      }
    }
    if (idle != null) {
      Promise<Void> waiting = idle;
      idle = null;
      waiting.complete();
    }
  }
}
