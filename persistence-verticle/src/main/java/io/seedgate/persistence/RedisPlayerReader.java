package io.seedgate.persistence;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.redis.RedisLink;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads players' state from Redis: their hashes ({@code HGETALL <token>}) and positions
 * ({@code GEOPOS map:<map_id> <token>...}), pipelined: one write for the hashes of up to {@link #MAX_PIPELINE}
 * players and the {@code TIME} of the read, then one {@code GEOPOS} per map for all of them.
 */
final class RedisPlayerReader {

  private static final Logger LOG = LoggerFactory.getLogger(RedisPlayerReader.class);

  /** Most hashes read in one pipelined write; larger requests are split. */
  static final int MAX_PIPELINE = 2_000;

  /**
   * What Redis holds for one token.
   *
   * @param token the hash key
   * @param state the state, or {@code null} when the hash does not exist (or names no player), or could not be read
   * @param unreadable whether Redis refused to read this hash (a key of another type): then {@code state} is
   *                   {@code null} but the player may well exist
   */
  record Snapshot(String token, PlayerState state, boolean unreadable) {
  }

  /** Replies of a pipelined write; {@code failed} marks the requests that failed (their reply is {@code null}). */
  private record Replies(List<Response> replies, BitSet failed) {
  }

  private final RedisLink redis;

  RedisPlayerReader(RedisLink redis) {
    this.redis = redis;
  }

  /**
   * Reads the state of several players.
   *
   * @param tokens    the tokens (hash keys)
   * @param playerIds the player id of each token, same order; an element may be {@code null} (or the list
   *                  {@code null}) to take the hash field {@code id}
   * @param mapHint   the map of a player whose hash has no {@code map_id}, or {@code null}
   * @return one snapshot per token, same order; fails when Redis cannot be reached
   */
  Future<List<Snapshot>> read(List<String> tokens, List<String> playerIds, String mapHint) {
    if (tokens.size() <= MAX_PIPELINE) {
      return readChunk(tokens, playerIds, mapHint);
    }
    List<Snapshot> all = new ArrayList<>(tokens.size());
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < tokens.size(); from += MAX_PIPELINE) {
      int start = from;
      int end = Math.min(tokens.size(), from + MAX_PIPELINE);
      chain = chain.compose(v -> readChunk(tokens.subList(start, end),
        playerIds == null ? null : playerIds.subList(start, end), mapHint).map(part -> {
          all.addAll(part);
          return null;
        }));
    }
    return chain.map(v -> all);
  }

  private Future<List<Snapshot>> readChunk(List<String> tokens, List<String> playerIds, String mapHint) {
    List<Request> requests = new ArrayList<>(tokens.size() + 1);
    requests.add(Request.cmd(Command.TIME));
    for (String token : tokens) {
      requests.add(Request.cmd(Command.HGETALL).arg(RedisKeys.playerHash(token)));
    }
    return tolerantBatch(requests).compose(result -> {
      List<Response> replies = result.replies();
      if (result.failed().get(0)) {
        return Future.failedFuture(new IllegalStateException("redis TIME failed"));
      }
      OffsetDateTime readAt = time(replies.get(0));
      int n = tokens.size();
      List<Map<String, String>> hashes = new ArrayList<>(n);
      String[] maps = new String[n];
      Map<String, List<Integer>> byMap = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        Map<String, String> hash = toMap(replies.get(i + 1));
        hashes.add(hash);
        if (hash.isEmpty()) {
          continue;
        }
        String map = hash.get(RedisKeys.F_MAP_ID);
        maps[i] = map == null || map.isEmpty() ? mapHint : map;
        if (maps[i] != null) {
          byMap.computeIfAbsent(maps[i], k -> new ArrayList<>()).add(i);
        }
      }
      Double[] xs = new Double[n];
      Double[] ys = new Double[n];
      Future<Void> positions = byMap.isEmpty() ? Future.succeededFuture()
        : readPositions(tokens, byMap, xs, ys);
      return positions.map(v -> {
        List<Snapshot> snapshots = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          String id = playerIds == null ? null : playerIds.get(i);
          Map<String, String> hash = hashes.get(i);
          PlayerState state = hash.isEmpty() ? null
            : PlayerState.fromHash(id, maps[i], hash, xs[i], ys[i], readAt);
          snapshots.add(new Snapshot(tokens.get(i), state, result.failed().get(i + 1)));
        }
        return snapshots;
      });
    });
  }

  private Future<Void> readPositions(List<String> tokens, Map<String, List<Integer>> byMap, Double[] xs,
                                     Double[] ys) {
    List<Request> requests = new ArrayList<>(byMap.size());
    List<List<Integer>> members = new ArrayList<>(byMap.size());
    byMap.forEach((map, indexes) -> {
      Request geopos = Request.cmd(Command.GEOPOS).arg(RedisKeys.mapGeoSet(map));
      for (int i : indexes) {
        geopos.arg(tokens.get(i));
      }
      requests.add(geopos);
      members.add(indexes);
    });
    return tolerantBatch(requests).map(result -> {
      List<Response> replies = result.replies();
      for (int r = 0; r < replies.size(); r++) {
        Response reply = replies.get(r);
        List<Integer> indexes = members.get(r);
        for (int k = 0; reply != null && k < indexes.size() && k < reply.size(); k++) {
          Response pos = reply.get(k);
          if (pos != null && pos.size() == 2) {
            xs[indexes.get(k)] = PlayerState.round2(pos.get(0).toDouble());
            ys[indexes.get(k)] = PlayerState.round2(pos.get(1).toDouble());
          }
        }
      }
      return null;
    });
  }

  /**
   * Sends the requests in one write. When one of them fails (a key of the wrong type), sends them again one by
   * one, so that one bad key cannot fail a whole page: the failed ones give {@code null} replies.
   */
  private Future<Replies> tolerantBatch(List<Request> requests) {
    return redis.batch(requests).map(replies -> new Replies(replies, new BitSet())).recover(batchFailure -> {
      if (!redis.connected()) {
        return Future.failedFuture(batchFailure);
      }
      List<Future<Response>> each = new ArrayList<>(requests.size());
      for (Request r : requests) {
        each.add(redis.send(r));
      }
      return Future.join(each).transform(ar -> {
        List<Response> replies = new ArrayList<>(each.size());
        BitSet failed = new BitSet(each.size());
        for (int i = 0; i < each.size(); i++) {
          Future<Response> f = each.get(i);
          if (f.failed()) {
            failed.set(i);
            LOG.warn("[redis] {} failed, skipped: {}", requests.get(i).command(), f.cause().getMessage());
          }
          replies.add(f.result());
        }
        return failed.cardinality() == each.size() || !redis.connected() ? Future.failedFuture(batchFailure)
          : Future.succeededFuture(new Replies(replies, failed));
      });
    });
  }

  /** The fields of an {@code HGETALL} reply (a RESP3 map or a RESP2 flat array); empty when there is no hash. */
  static Map<String, String> toMap(Response reply) {
    if (reply == null || reply.size() == 0) {
      return Collections.emptyMap();
    }
    Map<String, String> fields = new HashMap<>(reply.size() * 2);
    if (reply.isMap()) {
      for (String key : reply.getKeys()) {
        Response value = reply.get(key);
        fields.put(key, value == null ? "" : value.toString());
      }
    } else {
      for (int i = 0; i + 1 < reply.size(); i += 2) {
        Response value = reply.get(i + 1);
        fields.put(reply.get(i).toString(), value == null ? "" : value.toString());
      }
    }
    return fields;
  }

  /** The reply of {@code TIME}: seconds and microseconds. */
  static OffsetDateTime time(Response reply) {
    long seconds = Long.parseLong(reply.get(0).toString());
    long micros = Long.parseLong(reply.get(1).toString());
    return OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds, micros * 1_000), ZoneOffset.UTC);
  }
}
