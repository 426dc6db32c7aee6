package io.seedgate.persistence;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.seedgate.common.RedisKeys;
import io.seedgate.persistence.resp.RespReplies;
import io.seedgate.persistence.resp.RespRequests;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Walks the online sessions of one flush cycle: pages of shards ({@link RedisKeys#onlineShard(int)}, {@code HGETALL}
 * of each, pipelined) one after the other, each page's read (hashes, then positions) started as soon as its tokens
 * are known, at most {@link #READ_AHEAD} pages ahead of the one being handed on. Redis serves the pages ahead while
 * this thread parses and compares, so a cycle takes about the longer of the two rather than their sum.
 *
 * <p>Each page read is handed to {@code onPage} (one at a time, in order), then {@code atEnd} runs once. One per
 * cycle. Not thread-safe: used from the persistence verticle's context.
 */
final class OnlineWalk {

  /** About how many online sessions a page of shards holds: shards per page follow the average so far. */
  static final int PAGE_SIZE = 2_000;

  /** Shards in the first page, and the most in one page (at fewer than 16 sessions per shard). */
  private static final int FIRST_SHARDS_PER_PAGE = 8;
  private static final int MAX_SHARDS_PER_PAGE = 128;

  /** Pages of online sessions being read while an older one is compared. */
  static final int READ_AHEAD = 3;

  private final FlushConnection redis;
  private final RedisPlayerReader reader;
  private final CycleProgress progress;
  private final Function<List<RedisPlayerReader.Snapshot>, Future<Void>> onPage;
  private final Supplier<Future<Void>> atEnd;
  private final Promise<Void> done = Promise.promise();
  private final ArrayDeque<Future<List<RedisPlayerReader.Snapshot>>> ahead = new ArrayDeque<>();
  private int nextShard;
  private long shardsRead;
  private long sessionsRead;
  private boolean scanning;
  private boolean scanned;
  private boolean comparing;
  private Future<?> awaited;

  OnlineWalk(FlushConnection redis, RedisPlayerReader reader, CycleProgress progress,
             Function<List<RedisPlayerReader.Snapshot>, Future<Void>> onPage, Supplier<Future<Void>> atEnd) {
    this.redis = redis;
    this.reader = reader;
    this.progress = progress;
    this.onPage = onPage;
    this.atEnd = atEnd;
  }

  Future<Void> run() {
    pump();
    return done.future();
  }

  /** Reads the next page of shards when the window has room. */
  private void pump() {
    if (scanning || scanned || progress.failure != null || ahead.size() >= READ_AHEAD) {
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
          // an error reply (LOADING after a restart, READONLY after a fail-over ...): Redis does not serve it
          cause = new GatewayException(ErrorCode.UNAVAILABLE, "HGETALL " + RedisKeys.onlineShard(from + r) + " failed: "
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
        progress.fail(cause);
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

  /** Hands the oldest page on once it is read; after the last, runs {@code atEnd}. */
  private void compareNext() {
    if (comparing || done.future().isComplete()) {
      return;
    }
    Future<List<RedisPlayerReader.Snapshot>> head = ahead.peek();
    if (head == null) {
      if (scanned && !scanning) {
        comparing = true;
        atEnd.get().onComplete(done);
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
      progress.fail(head.cause());
      done.tryFail(head.cause());
      return;
    }
    comparing = true;
    pump();
    onPage.apply(head.result()).onComplete(ar -> {
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
