package io.seedgate.persistence;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.seedgate.common.RedisKeys;
import io.seedgate.persistence.resp.RespReplies;
import io.seedgate.persistence.resp.RespRequests;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One node's flush of player state from Redis to the {@link PlayerStore}, one cycle at a time, under the
 * cluster-wide {@link FlushLock}.
 *
 * <p>A cycle first retries the players in {@link RedisKeys#UNSAVED} (save, then remove their hash and GEO entry),
 * then reads the online sessions ({@link RedisKeys#onlineShard(int)}) a few shards at a time, reads each page's
 * hashes and positions pipelined, and writes the players whose {@link Fingerprints fingerprint} changed,
 * {@code batchSize} rows per statement, with at most {@code maxInFlight} batches at once; reading goes on while
 * they run. A player whose extra fields are the ones this node last wrote is written without them
 * ({@link PlayerStore#upsertKeepingExtra}), the rest of a batch in full. A fingerprint
 * advances only when its row was written, so a failed cycle loses nothing: the next one finds the same players
 * changed. Every step works on a bounded page, so the verticle's event loop is never held for long.
 *
 * <p>Not thread-safe: used from the persistence verticle's context.
 */
final class Flusher {

  private static final Logger LOG = LoggerFactory.getLogger(Flusher.class);

  /** {@code COUNT} of each {@code SSCAN} page of the unsaved players. */
  static final int SCAN_COUNT = 2_000;

  /** About how many online sessions a page of shards holds: shards per page follow the average so far. */
  static final int PAGE_SIZE = 2_000;

  /** Shards in the first page, and the most in one page (at fewer than 16 sessions per shard). */
  private static final int FIRST_SHARDS_PER_PAGE = 8;
  private static final int MAX_SHARDS_PER_PAGE = 128;

  /** Pages of online sessions being read while an older one is compared. */
  static final int READ_AHEAD = 3;

  /**
   * Removes a player who left from Redis once their state is saved, unless they are online again with the same
   * token. KEYS: online hash, unsaved set, player hash[, map GEO set]; ARGV: token. Returns 1 when removed.
   */
  private static final String CLEAN_UP_SAVED = """
    if redis.call('hexists', KEYS[1], ARGV[1]) == 1 then
      redis.call('srem', KEYS[2], ARGV[1])
      return 0
    end
    if #KEYS > 3 then redis.call('zrem', KEYS[4], ARGV[1]) end
    redis.call('del', KEYS[3])
    redis.call('srem', KEYS[2], ARGV[1])
    return 1""";

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
      return new Cycle().run().compose(result -> lock.release().transform(released -> {
        if (released.failed() || !released.result()) {
          LOG.warn("[flush: {}] lock was no longer ours at release", lock.owner());
        }
        return Future.succeededFuture(result);
      }));
    });
  }

  /** A pending row: the state to write and the fingerprint to record for the token once it is written. */
  private record Pending(long key, PlayerState state, long fingerprint, long extraHash, boolean extraStored) {
  }

  /** The state of one running cycle. */
  private final class Cycle {
    private final int gen = ++generation;
    private final List<Pending> pending = new ArrayList<>();
    private int changed;
    private int written;
    private int inFlight;
    private Throwable failure;
    private boolean lockLost;
    private Promise<Void> slotFreed;
    private Promise<Void> drained;
    private long extendTimer;

    Future<Result> run() {
      extendTimer = vertx.setPeriodic(Math.max(1, lock.ttlMs() / 3), t -> lock.extend().onComplete(ar -> {
        if (ar.failed() || !ar.result()) {
          lockLost = true;
        }
      }));
      return recoverUnsaved("0")
        .compose(v -> scanOnline())
        .transform(ar -> {
          if (ar.failed()) {
            fail(ar.cause());
          }
          return drain();
        })
        .transform(ar -> {
          vertx.cancelTimer(extendTimer);
          if (failure == null) {
            fingerprints.sweep(gen);
          }
          return Future.succeededFuture(new Result(true, written, Math.max(0, changed - written), failure));
        });
    }

    // ---- players who left unsaved ----

    private Future<Void> recoverUnsaved(String cursor) {
      return redis.send(Request.cmd(Command.SSCAN).arg(RedisKeys.UNSAVED).arg(cursor).arg("COUNT").arg(SCAN_COUNT))
        .compose(reply -> {
          String next = reply.get(0).toString();
          List<String> tokens = new ArrayList<>();
          for (Response member : reply.get(1)) {
            tokens.add(member.toString());
          }
          Future<Void> page = tokens.isEmpty() ? Future.succeededFuture() : recoverPage(tokens);
          return page.compose(v -> "0".equals(next) ? Future.succeededFuture() : recoverUnsaved(next));
        });
    }

    private Future<Void> recoverPage(List<String> tokens) {
      return reader.read(tokens, null, null).compose(snapshots -> {
        Map<String, PlayerState> byId = new HashMap<>();
        List<RedisPlayerReader.Snapshot> done = new ArrayList<>();
        for (RedisPlayerReader.Snapshot s : snapshots) {
          if (s.unreadable()) {
            continue;
          }
          done.add(s);
          if (s.state() != null) {
            byId.merge(s.state().id(), s.state(), Flusher::laterActivity);
          }
        }
        List<PlayerState> states = new ArrayList<>(byId.values());
        changed += states.size();
        return writeSequentially(states, 0).compose(v -> cleanUp(done));
      });
    }

    private Future<Void> writeSequentially(List<PlayerState> states, int from) {
      if (from >= states.size()) {
        return Future.succeededFuture();
      }
      if (lockLost) {
        return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE, "flush lock lost"));
      }
      List<PlayerState> batch = states.subList(from, Math.min(states.size(), from + batchSize));
      return store.upsertRecovered(batch).compose(rows -> {
        written += batch.size();
        return writeSequentially(states, from + batch.size());
      });
    }

    private Future<Void> cleanUp(List<RedisPlayerReader.Snapshot> saved) {
      if (saved.isEmpty()) {
        return Future.succeededFuture();
      }
      List<Request> requests = new ArrayList<>(saved.size());
      for (RedisPlayerReader.Snapshot s : saved) {
        if (s.state() == null) {
          // no hash left, or one that names no player and so cannot be saved: stop retrying, touch nothing else
          requests.add(Request.cmd(Command.SREM).arg(RedisKeys.UNSAVED).arg(s.token()));
          continue;
        }
        String map = s.state().mapId();
        Request r = Request.cmd(Command.EVAL).arg(CLEAN_UP_SAVED).arg(map == null ? 3 : 4)
          .arg(RedisKeys.onlineShard(s.token())).arg(RedisKeys.UNSAVED).arg(RedisKeys.playerHash(s.token()));
        if (map != null) {
          r.arg(RedisKeys.mapGeoSet(map));
        }
        requests.add(r.arg(s.token()));
      }
      return redis.batch(requests).mapEmpty();
    }

    // ---- online players ----

    /**
     * Walks the online sessions: pages of shards ({@code HGETALL} of each, pipelined) one after the other, each
     * page's read (hashes, then positions) started as soon as its tokens are known, at most {@link #READ_AHEAD}
     * pages ahead of the one being compared and handed to the writer. Redis serves the pages ahead while this thread
     * parses and compares, so a cycle takes about the longer of the two rather than their sum.
     */
    private Future<Void> scanOnline() {
      return new OnlineWalk().run();
    }

    private final class OnlineWalk {
      private final Promise<Void> done = Promise.promise();
      private final ArrayDeque<Future<List<RedisPlayerReader.Snapshot>>> ahead = new ArrayDeque<>();
      private int nextShard;
      private long shardsRead;
      private long sessionsRead;
      private boolean scanning;
      private boolean scanned;
      private boolean comparing;
      private Future<?> awaited;

      Future<Void> run() {
        pump();
        return done.future();
      }

      /** Reads the next page of shards when the window has room. */
      private void pump() {
        if (scanning || scanned || failure != null || ahead.size() >= READ_AHEAD) {
          return;
        }
        scanning = true;
        int from = nextShard;
        int to = Math.min(RedisKeys.ONLINE_SHARDS, from + shardsPerPage());
        nextShard = to;
        RespRequests page = new RespRequests(64 + (to - from) * 32);
        for (int shard = from; shard < to; shard++) {
          page.command(2).arg("HGETALL").arg(RedisKeys.onlineShard(shard));
        }
        redis.read(page).onComplete(ar -> {
          scanning = false;
          scanned = to == RedisKeys.ONLINE_SHARDS;
          Throwable cause = ar.failed() ? ar.cause() : null;
          List<String> tokens = new ArrayList<>();
          List<String> ids = new ArrayList<>();
          for (int r = 0; cause == null && r < ar.result().count(); r++) {
            RespReplies replies = ar.result();
            int shard = replies.reply(r);
            if (replies.type(shard) != RespReplies.ARRAY) {
              cause = new IllegalStateException("HGETALL " + RedisKeys.onlineShard(from + r) + " failed: "
                + replies.string(shard));
              break;
            }
            int n = replies.size(shard) / 2;
            for (int i = 0, e = replies.first(shard); i < n; i++) {
              int id = replies.next(e);
              tokens.add(replies.string(e));
              ids.add(replies.string(id));
              e = replies.next(id);
            }
          }
          if (cause != null) {
            fail(cause);
            done.tryFail(cause);
            return;
          }
          shardsRead += to - from;
          sessionsRead += tokens.size();
          if (!tokens.isEmpty()) {
            ahead.add(reader.read(tokens, ids, null));
          }
          pump();
          compareNext();
        });
      }

      /** Enough shards for about {@link #PAGE_SIZE} sessions by the average so far. */
      private int shardsPerPage() {
        if (shardsRead == 0) {
          return FIRST_SHARDS_PER_PAGE;
        }
        long perShard = Math.max(1, sessionsRead / shardsRead);
        return (int) Math.max(1, Math.min(MAX_SHARDS_PER_PAGE, PAGE_SIZE / perShard));
      }

      /** Compares the oldest page once it is read, then hands its changed players to the writer. */
      private void compareNext() {
        if (comparing || done.future().isComplete()) {
          return;
        }
        Future<List<RedisPlayerReader.Snapshot>> head = ahead.peek();
        if (head == null) {
          if (scanned && !scanning) {
            comparing = true;
            submitPending(true).onComplete(done);
          }
          return;
        }
        if (!head.isComplete()) {
          if (awaited != head) {
            awaited = head;
            head.onComplete(ar -> compareNext());
          }
          return;
        }
        ahead.poll();
        if (head.failed()) {
          fail(head.cause());
          done.tryFail(head.cause());
          return;
        }
        comparing = true;
        pump();
        collect(head.result()).onComplete(ar -> {
          comparing = false;
          if (ar.failed()) {
            done.tryFail(ar.cause());
            return;
          }
          pump();
          compareNext();
        });
      }
    }

    private Future<Void> collect(List<RedisPlayerReader.Snapshot> snapshots) {
      for (RedisPlayerReader.Snapshot s : snapshots) {
        long key = Fingerprints.key(s.token());
        if (s.unreadable()) {
          fingerprints.touch(key, gen);
        } else if (!s.exists()) {
          fingerprints.forget(key);
        } else if (fingerprints.changed(key, s.fingerprint(), gen)) {
          PlayerState state = s.state();
          if (state != null) {
            changed++;
            // asked now, while the token's slot in the table is still in the cache
            long extraHash = PgPlayerStore.extraHash(state.extra());
            pending.add(new Pending(key, state, s.fingerprint(), extraHash,
              fingerprints.extraWritten(key, extraHash)));
          }
        }
      }
      return submitPending(false);
    }

    /** Hands full batches (and, at the end, the rest) to the writer, waiting for a free slot when needed. */
    private Future<Void> submitPending(boolean all) {
      Future<Void> chain = Future.succeededFuture();
      while (pending.size() >= batchSize || all && !pending.isEmpty()) {
        int n = Math.min(batchSize, pending.size());
        List<Pending> batch = new ArrayList<>(pending.subList(0, n));
        pending.subList(0, n).clear();
        chain = chain.compose(v -> submit(batch));
      }
      return chain;
    }

    private Future<Void> submit(List<Pending> batch) {
      if (failure != null) {
        return Future.failedFuture(failure);
      }
      if (lockLost) {
        fail(new GatewayException(ErrorCode.UNAVAILABLE, "flush lock lost"));
        return Future.failedFuture(failure);
      }
      if (inFlight >= maxInFlight) {
        slotFreed = Promise.promise();
        return slotFreed.future().compose(v -> submit(batch));
      }
      inFlight++;
      List<Pending> rows = onePerPlayer(batch);
      List<PlayerState> full = new ArrayList<>(rows.size());
      List<PlayerState> keepingExtra = new ArrayList<>();
      for (Pending p : rows) {
        (p.extraStored() ? keepingExtra : full).add(p.state());
      }
      store.upsertKeepingExtra(keepingExtra).compose(n -> store.upsert(full)).onComplete(ar -> {
        inFlight--;
        if (ar.succeeded()) {
          written += rows.size();
          for (Pending p : rows) {
            fingerprints.written(p.key(), p.fingerprint(), p.extraHash());
          }
        } else {
          fail(ar.cause());
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

    private Future<Void> drain() {
      if (inFlight == 0) {
        return Future.succeededFuture();
      }
      drained = Promise.promise();
      return drained.future();
    }

    private void fail(Throwable cause) {
      if (failure == null) {
        failure = cause;
      }
    }
  }

  /**
   * The batch sorted by player id (the order the store locks rows in) with one row per player: two live tokens of
   * one player (a sign-in replacing a session) cannot be in one statement; the one not written keeps its old
   * fingerprint and is written in the next cycle.
   */
  private static List<Pending> onePerPlayer(List<Pending> batch) {
    List<Pending> sorted = new ArrayList<>(batch);
    sorted.sort(Comparator.comparing(p -> p.state().id()));
    List<Pending> rows = new ArrayList<>(sorted.size());
    for (Pending p : sorted) {
      if (rows.isEmpty() || !rows.get(rows.size() - 1).state().id().equals(p.state().id())) {
        rows.add(p);
      }
    }
    return rows;
  }

  private static PlayerState laterActivity(PlayerState a, PlayerState b) {
    if (a.lastActivity() == null) {
      return b;
    }
    return b.lastActivity() != null && b.lastActivity().isAfter(a.lastActivity()) ? b : a;
  }
}
