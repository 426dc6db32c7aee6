package io.seedgate.persistence;

import io.seedgate.common.RedisKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads players' state from Redis: their hashes ({@code HGETALL <token>}) and positions
 * ({@code GEOPOS map:<map_id> <token>...}), pipelined: one write for the hashes of up to {@link #MAX_PIPELINE}
 * players and the {@code TIME} of the read, then one write with one {@code GEOPOS} per map for all of them.
 *
 * <p>Plain commands rather than a script that would pack the replies: a script costs Redis, which every gateway
 * node depends on, about three times the CPU for the same data, to spare this node some reply parsing.
 */
final class RedisPlayerReader {

  private static final Logger LOG = LoggerFactory.getLogger(RedisPlayerReader.class);

  /** Most players read in one round trip; larger requests are split. */
  static final int MAX_PIPELINE = 2_000;

  /**
   * What Redis holds for one token: its {@link Fingerprint} at once, its state decoded only when asked for (an
   * unchanged player is never decoded).
   */
  static final class Snapshot {
    private final String token;
    private final boolean unreadable;
    private final Response hash;
    private final String playerId;
    private final String mapId;
    private final Double x;
    private final Double y;
    private final OffsetDateTime readAt;
    private final long fingerprint;
    private PlayerState state;

    Snapshot(String token, boolean unreadable, Response hash, String playerId, String mapId, Double x, Double y,
             OffsetDateTime readAt) {
      this.token = token;
      this.unreadable = unreadable;
      this.hash = hash == null || hash.size() == 0 ? null : hash;
      this.playerId = playerId;
      this.mapId = mapId;
      this.x = x;
      this.y = y;
      this.readAt = readAt;
      this.fingerprint = this.hash == null ? 0 : Fingerprint.of(playerId, mapId, x, y, this.hash);
    }

    String token() {
      return token;
    }

    /** Whether Redis refused to read this hash (a key of another type): the player may well exist. */
    boolean unreadable() {
      return unreadable;
    }

    /** Whether the hash exists. */
    boolean exists() {
      return hash != null;
    }

    long fingerprint() {
      return fingerprint;
    }

    /** The state, decoded on first call; {@code null} when there is no hash or it names no player. */
    PlayerState state() {
      if (state == null && hash != null) {
        state = PlayerState.fromFields(playerId, mapId, fields(hash), x, y, readAt);
      }
      return state;
    }
  }

  /** The hashes of a chunk, and those Redis refused to read. */
  private record Hashes(OffsetDateTime readAt, List<Response> replies, BitSet unreadable) {
  }

  private final RedisCommands redis;

  RedisPlayerReader(RedisCommands redis) {
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
    return readHashes(tokens).compose(hashes -> {
      int n = tokens.size();
      String[] maps = new String[n];
      Map<String, List<Integer>> byMap = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        Response hash = hashes.replies().get(i);
        if (hash == null || hash.size() == 0) {
          continue;
        }
        String map = field(hash, RedisKeys.F_MAP_ID);
        maps[i] = map == null || map.isEmpty() ? mapHint : map;
        if (maps[i] != null) {
          byMap.computeIfAbsent(maps[i], k -> new ArrayList<>()).add(i);
        }
      }
      Double[] xs = new Double[n];
      Double[] ys = new Double[n];
      Future<Void> positions = byMap.isEmpty() ? Future.succeededFuture() : readPositions(tokens, byMap, xs, ys);
      return positions.map(v -> {
        List<Snapshot> snapshots = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          snapshots.add(new Snapshot(tokens.get(i), hashes.unreadable().get(i), hashes.replies().get(i),
            playerIds == null ? null : playerIds.get(i), maps[i], xs[i], ys[i], hashes.readAt()));
        }
        return snapshots;
      });
    });
  }

  /** {@code TIME} and the hashes. */
  private Future<Hashes> readHashes(List<String> tokens) {
    List<Request> requests = new ArrayList<>(tokens.size() + 1);
    requests.add(Request.cmd(Command.TIME));
    for (String token : tokens) {
      requests.add(Request.cmd(Command.HGETALL).arg(RedisKeys.playerHash(token)));
    }
    return tolerantBatch(requests).compose(result -> {
      if (result.failed().get(0)) {
        return Future.failedFuture(new IllegalStateException("redis TIME failed"));
      }
      BitSet unreadable = result.failed().get(1, tokens.size() + 1);
      return Future.succeededFuture(new Hashes(time(result.replies().get(0)),
        result.replies().subList(1, tokens.size() + 1), unreadable));
    });
  }

  private Future<Void> readPositions(List<String> tokens, Map<String, List<Integer>> byMap, Double[] xs,
                                     Double[] ys) {
    List<Request> requests = new ArrayList<>(byMap.size());
    List<List<Integer>> members = new ArrayList<>(byMap.size());
    byMap.forEach((map, indexes) -> {
      Request geopos = Request.cmd(Command.GEOPOS).arg(RedisKeys.mapGeoSet(map));
      indexes.forEach(i -> geopos.arg(tokens.get(i)));
      requests.add(geopos);
      members.add(indexes);
    });
    return tolerantBatch(requests).map(result -> {
      for (int r = 0; r < requests.size(); r++) {
        Response reply = result.replies().get(r);
        List<Integer> indexes = members.get(r);
        for (int k = 0; reply != null && k < indexes.size() && k < reply.size(); k++) {
          Response pos = reply.get(k);
          if (pos != null && pos.size() == 2) {
            xs[indexes.get(k)] = round2(pos.get(0));
            ys[indexes.get(k)] = round2(pos.get(1));
          }
        }
      }
      return null;
    });
  }

  /** Replies of a pipelined write; {@code failed} marks the requests that failed (their reply is {@code null}). */
  private record Replies(List<Response> replies, BitSet failed) {
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

  /**
   * The fields of an {@code HGETALL} reply (a RESP3 map or a RESP2 flat array) as name, value, name, value...;
   * empty when there is no hash.
   */
  static List<String> fields(Response reply) {
    if (reply == null || reply.size() == 0) {
      return List.of();
    }
    List<String> fields = new ArrayList<>(reply.size());
    if (reply.isMap()) {
      for (String key : reply.getKeys()) {
        fields.add(key);
        fields.add(string(reply.get(key)));
      }
    } else {
      for (int i = 0; i + 1 < reply.size(); i += 2) {
        fields.add(string(reply.get(i)));
        fields.add(string(reply.get(i + 1)));
      }
    }
    return fields;
  }

  /** A bulk string, decoded straight from the reply's buffer. */
  private static String string(Response r) {
    return r == null ? "" : r.toBuffer().toString(StandardCharsets.UTF_8);
  }

  /** One field of an {@code HGETALL} reply, or {@code null}. */
  static String field(Response hash, String name) {
    if (hash.isMap()) {
      Response value = hash.get(name);
      return value == null ? null : string(value);
    }
    for (int i = 0; i + 1 < hash.size(); i += 2) {
      if (name.equals(hash.get(i).toString())) {
        return string(hash.get(i + 1));
      }
    }
    return null;
  }

  /** A GEOPOS coordinate (a RESP3 double, or a RESP2 decimal string) rounded to 2 decimals. */
  static Double round2(Response coordinate) {
    if (coordinate.type() != ResponseType.BULK) {
      return PlayerState.round2(coordinate.toDouble());
    }
    byte[] s = coordinate.toBuffer().getBytes();
    return round2(s, 0, s.length);
  }

  /**
   * A decimal such as {@code 12.34567890123456789} (as RESP2 GEOPOS gives it) rounded to 2 decimals, without the slow
   * exact parse of all its digits: the first 9 decimals decide the rounding.
   */
  static Double round2(byte[] s, int from, int to) {
    int i = from;
    boolean negative = i < to && s[i] == '-';
    if (negative) {
      i++;
    }
    long integer = 0;
    long fraction = 0;
    long scale = 1;
    boolean digits = false;
    for (; i < to && s[i] != '.'; i++) {
      int d = s[i] - '0';
      if (d < 0 || d > 9 || integer > 1_000_000_000L) {
        return slowRound2(s, from, to);
      }
      integer = integer * 10 + d;
      digits = true;
    }
    for (i++; i < to; i++) {
      int d = s[i] - '0';
      if (d < 0 || d > 9) {
        return slowRound2(s, from, to);
      }
      if (scale < 1_000_000_000L) {
        fraction = fraction * 10 + d;
        scale *= 10;
      }
    }
    if (!digits) {
      return slowRound2(s, from, to);
    }
    double v = integer + (double) fraction / scale;
    return PlayerState.round2(negative ? -v : v);
  }

  private static Double slowRound2(byte[] s, int from, int to) {
    try {
      return PlayerState.round2(Double.parseDouble(new String(s, from, to - from, StandardCharsets.US_ASCII)));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The reply of {@code TIME}: seconds and microseconds. */
  static OffsetDateTime time(Response reply) {
    long seconds = Long.parseLong(reply.get(0).toString());
    long micros = Long.parseLong(reply.get(1).toString());
    return OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds, micros * 1_000), ZoneOffset.UTC);
  }
}
