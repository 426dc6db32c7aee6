package io.seedgate.persistence;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.seedgate.common.RedisKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The first step of a flush cycle: saves the players in {@link RedisKeys#UNSAVED} (who left while their state could
 * not be saved), a {@code SSCAN} page at a time, {@code batchSize} rows per statement, then removes their hash and
 * GEO entry unless they are online again with the same token.
 *
 * <p>Not thread-safe: used from the persistence verticle's context.
 */
final class UnsavedRecovery {

  /** {@code COUNT} of each {@code SSCAN} page of the unsaved players. */
  static final int SCAN_COUNT = 2_000;

  /**
   * Deletes the hash of a player who left once their state is saved, unless they are online again with the same
   * token (a sign-in writes the token into the hash's {@code token} field; leaving empties it). One key, so that on a
   * Redis Cluster it runs on the hash's master. KEYS: player hash; ARGV: token. Returns 1 when deleted.
   */
  private static final String DELETE_UNLESS_ONLINE = """
    if redis.call('hget', KEYS[1], 'token') == ARGV[1] then return 0 end
    redis.call('del', KEYS[1])
    return 1""";

  private final FlushConnection redis;
  private final RedisPlayerReader reader;
  private final PlayerStore store;
  private final int batchSize;

  UnsavedRecovery(FlushConnection redis, RedisPlayerReader reader, PlayerStore store, int batchSize) {
    this.redis = redis;
    this.reader = reader;
    this.store = store;
    this.batchSize = batchSize;
  }

  Future<Void> run(CycleProgress progress) {
    return recoverUnsaved("0", progress);
  }

  private Future<Void> recoverUnsaved(String cursor, CycleProgress progress) {
    return redis.send(Request.cmd(Command.SSCAN).arg(RedisKeys.UNSAVED).arg(cursor).arg("COUNT").arg(SCAN_COUNT))
      .compose(reply -> {
        String next = reply.get(0).toString();
        List<String> tokens = new ArrayList<>();
        for (Response member : reply.get(1)) {
          tokens.add(member.toString());
        }
        Future<Void> page = tokens.isEmpty() ? Future.succeededFuture() : recoverPage(tokens, progress);
        return page.compose(v -> "0".equals(next) ? Future.succeededFuture() : recoverUnsaved(next, progress));
      });
  }

  private Future<Void> recoverPage(List<String> tokens, CycleProgress progress) {
    return reader.read(tokens, null, null).compose(snapshots -> {
      Map<String, PlayerState> byId = new HashMap<>();
      List<RedisPlayerReader.Snapshot> done = new ArrayList<>();
      for (RedisPlayerReader.Snapshot s : snapshots) {
        if (s.unreadable()) {
          continue;
        }
        done.add(s);
        if (s.state() != null) {
          byId.merge(s.state().id(), s.state(), UnsavedRecovery::laterActivity);
        }
      }
      List<PlayerState> states = new ArrayList<>(byId.values());
      progress.changed += states.size();
      return writeSequentially(states, 0, progress).compose(v -> cleanUp(done));
    });
  }

  private Future<Void> writeSequentially(List<PlayerState> states, int from, CycleProgress progress) {
    if (from >= states.size()) {
      return Future.succeededFuture();
    }
    if (progress.lockLost) {
      return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE, "flush lock lost"));
    }
    List<PlayerState> batch = states.subList(from, Math.min(states.size(), from + batchSize));
    return store.upsertRecovered(batch).compose(rows -> {
      progress.written += batch.size();
      return writeSequentially(states, from + batch.size(), progress);
    });
  }

  /**
   * Forgets the saved players: each hash deleted unless its player is online again, then, for those deleted, their
   * map entry; every token leaves the unsaved set either way (one online again is flushed as any online player).
   */
  private Future<Void> cleanUp(List<RedisPlayerReader.Snapshot> saved) {
    if (saved.isEmpty()) {
      return Future.succeededFuture();
    }
    List<RedisPlayerReader.Snapshot> left = new ArrayList<>();
    List<Request> deletes = new ArrayList<>();
    for (RedisPlayerReader.Snapshot s : saved) {
      // a snapshot without state (no hash left, or one that names no player and so cannot be saved) touches nothing
      if (s.state() != null) {
        left.add(s);
        deletes.add(Request.cmd(Command.EVAL).arg(DELETE_UNLESS_ONLINE).arg(1).arg(RedisKeys.playerHash(s.token()))
          .arg(s.token()));
      }
    }
    Future<List<Response>> deleted = deletes.isEmpty() ? Future.succeededFuture(List.of()) : redis.batch(deletes);
    return deleted.compose(replies -> {
      List<Request> forget = new ArrayList<>();
      for (int i = 0; i < left.size(); i++) {
        String map = left.get(i).state().mapId();
        if (map != null && replies.get(i) != null && replies.get(i).toInteger() == 1) {
          forget.add(Request.cmd(Command.ZREM).arg(RedisKeys.mapGeoSet(map)).arg(left.get(i).token()));
        }
      }
      for (RedisPlayerReader.Snapshot s : saved) {
        forget.add(Request.cmd(Command.SREM).arg(RedisKeys.UNSAVED).arg(s.token()));
      }
      return redis.batch(forget).mapEmpty();
    });
  }

  private static PlayerState laterActivity(PlayerState a, PlayerState b) {
    if (a.lastActivity() == null) {
      return b;
    }
    return b.lastActivity() != null && b.lastActivity().isAfter(a.lastActivity()) ? b : a;
  }
}
