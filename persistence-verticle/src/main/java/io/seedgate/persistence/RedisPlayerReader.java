package io.seedgate.persistence;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.seedgate.common.RedisKeys;
import io.seedgate.persistence.resp.RespReplies;
import io.seedgate.persistence.resp.RespRequests;
import io.vertx.core.Future;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads players' state from Redis: their hashes ({@code HGETALL <token>}) and positions (their scores in
 * {@code map:<map_id>}, {@code ZMSCORE map:<map_id> <token>...}, decoded as {@code GEOPOS} does), pipelined: one
 * write for the hashes of up to {@link #MAX_PIPELINE} players and the {@code TIME} of the read, then one write with
 * one {@code ZMSCORE} per map for all of them. The
 * replies are parsed in place ({@link RespReplies}); a player's state is decoded from them ({@link HashDecoder})
 * only when asked for, which it never is for an unchanged player.
 *
 * <p>Plain commands rather than a script that would pack the replies: a script costs Redis, which every gateway
 * node depends on, about three times the CPU for the same data, to spare this node some reply parsing.
 */
final class RedisPlayerReader {

  /** Most players read in one round trip; larger requests are split. */
  static final int MAX_PIPELINE = 2_000;

  /**
   * What Redis holds for one token: its {@link Fingerprint} at once, its state decoded only when asked for (an
   * unchanged player is never decoded).
   */
  static final class Snapshot {
    private final String token;
    private final boolean unreadable;
    private final RespReplies replies;
    private final int hash;
    private final String playerId;
    private final String mapId;
    private final Double x;
    private final Double y;
    private final OffsetDateTime readAt;
    private final long fingerprint;
    private final HashDecoder decoder;
    private PlayerState state;

    Snapshot(String token, RespReplies replies, int hash, String playerId, String mapId, Double x, Double y,
             OffsetDateTime readAt, HashDecoder decoder) {
      this.token = token;
      this.decoder = decoder;
      this.unreadable = replies.isError(hash);
      this.replies = replies;
      this.hash = !unreadable && replies.size(hash) > 0 ? hash : -1;
      this.playerId = playerId;
      this.mapId = mapId;
      this.x = x;
      this.y = y;
      this.readAt = readAt;
      this.fingerprint = this.hash < 0 ? 0 : Fingerprint.of(playerId, mapId, x, y, replies, hash);
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
      return hash >= 0;
    }

    long fingerprint() {
      return fingerprint;
    }

    /** The state, decoded on first call; {@code null} when there is no hash or it names no player. */
    PlayerState state() {
      if (state == null && hash >= 0) {
        state = decoder.decode(playerId, mapId, replies, hash, x, y, readAt);
      }
      return state;
    }
  }

  private final FlushConnection redis;
  private final HashDecoder decoder = new HashDecoder();

  RedisPlayerReader(FlushConnection redis) {
    this.redis = redis;
  }

  /**
   * Reads the state of several players.
   *
   * @param tokens    the tokens (hash keys)
   * @param playerIds the player id of each token, same order; an element may be {@code null} (or the list
   *                  {@code null}) to take the hash field {@code id}
   * @param mapHints  per token, same order, the map of a player whose hash has no {@code map_id}; an element may
   *                  be {@code null} (or the list {@code null}) for none
   * @return one snapshot per token, same order; fails when Redis cannot be reached
   */
  Future<List<Snapshot>> read(List<String> tokens, List<String> playerIds, List<String> mapHints) {
    if (tokens.size() <= MAX_PIPELINE) {
      return readChunk(tokens, playerIds, mapHints);
    }
    List<Snapshot> all = new ArrayList<>(tokens.size());
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < tokens.size(); from += MAX_PIPELINE) {
      int start = from;
      int end = Math.min(tokens.size(), from + MAX_PIPELINE);
      chain = chain.compose(v -> readChunk(tokens.subList(start, end),
        playerIds == null ? null : playerIds.subList(start, end),
        mapHints == null ? null : mapHints.subList(start, end)).map(part -> {
          all.addAll(part);
          return null;
        }));
    }
    return chain.map(v -> all);
  }

  private Future<List<Snapshot>> readChunk(List<String> tokens, List<String> playerIds, List<String> mapHints) {
    int n = tokens.size();
    RespRequests hashes = new RespRequests(64 + n * 64);
    hashes.command(1).arg("TIME");
    for (String token : tokens) {
      hashes.command(2).arg("HGETALL").arg(RedisKeys.playerHash(token));
    }
    return redis.read(hashes).compose(replies -> {
      int time = replies.reply(0);
      if (replies.isError(time) || replies.size(time) != 2) {
        // an error reply (LOADING after a restart ...): Redis does not serve it
        return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE, "redis TIME failed: "
          + replies.string(time)));
      }
      OffsetDateTime readAt = time(replies, time);
      String[] maps = new String[n];
      Map<String, List<Integer>> byMap = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        int hash = replies.reply(i + 1);
        if (replies.size(hash) == 0) {
          continue;
        }
        String map = field(replies, hash, RedisKeys.F_MAP_ID);
        maps[i] = map == null || map.isEmpty() ? (mapHints == null ? null : mapHints.get(i)) : map;
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
          snapshots.add(new Snapshot(tokens.get(i), replies, replies.reply(i + 1),
            playerIds == null ? null : playerIds.get(i), maps[i], xs[i], ys[i], readAt, decoder));
        }
        return snapshots;
      });
    });
  }

  /**
   * One {@code ZMSCORE} per map: the members' geohashes, decoded as {@code GEOPOS} would ({@link GeoHashes}) at a
   * third of Redis's cost. A member not on the map, or a map that cannot be read (a key of another type), leaves its
   * players unplaced.
   */
  private Future<Void> readPositions(List<String> tokens, Map<String, List<Integer>> byMap, Double[] xs,
                                     Double[] ys) {
    RespRequests requests = new RespRequests(64 + tokens.size() * 48);
    List<List<Integer>> members = new ArrayList<>(byMap.size());
    byMap.forEach((map, indexes) -> {
      requests.command(2 + indexes.size()).arg("ZMSCORE").arg(RedisKeys.mapGeoSet(map));
      indexes.forEach(i -> requests.arg(tokens.get(i)));
      members.add(indexes);
    });
    return redis.read(requests).map(replies -> {
      for (int r = 0; r < replies.count(); r++) {
        int reply = replies.reply(r);
        List<Integer> indexes = members.get(r);
        int score = replies.first(reply);
        for (int k = 0; k < indexes.size() && k < replies.size(reply); k++) {
          long bits = geohash(replies, score);
          if (GeoHashes.valid(bits)) {
            xs[indexes.get(k)] = PlayerState.round2(GeoHashes.longitude(bits));
            ys[indexes.get(k)] = PlayerState.round2(GeoHashes.latitude(bits));
          }
          score = replies.next(score);
        }
      }
      return null;
    });
  }

  /** A GEO set score (an integral double, as Redis prints it) as the geohash it holds; -1 when it is none. */
  static long geohash(RespReplies replies, int score) {
    if (replies.type(score) != RespReplies.BULK) {
      return -1;
    }
    byte[] b = replies.bytes();
    int from = replies.offset(score);
    int to = from + replies.length(score);
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9 || i - from >= 18) {
        try {
          double parsed = Double.parseDouble(new String(b, from, to - from, StandardCharsets.US_ASCII));
          return parsed == Math.rint(parsed) && parsed >= 0 && parsed < 0x1p62 ? (long) parsed : -1;
        } catch (NumberFormatException e) {
          return -1;
        }
      }
      v = v * 10 + d;
    }
    return from == to ? -1 : v;
  }

  /** The fields of an {@code HGETALL} reply as name, value, name, value...; empty when there is no hash. */
  static List<String> fields(RespReplies replies, int hash) {
    int size = replies.size(hash);
    List<String> fields = new ArrayList<>(size);
    int e = replies.first(hash);
    for (int i = 0; i < size; i++) {
      String s = replies.string(e);
      fields.add(s == null ? "" : s);
      e = replies.next(e);
    }
    return fields;
  }

  /** One field of an {@code HGETALL} reply, or {@code null}. */
  static String field(RespReplies replies, int hash, String name) {
    int size = replies.size(hash);
    int e = replies.first(hash);
    for (int i = 0; i + 1 < size; i += 2) {
      int value = replies.next(e);
      if (replies.is(e, name)) {
        return replies.string(value);
      }
      e = replies.next(value);
    }
    return null;
  }

  /** The reply of {@code TIME}: seconds and microseconds. */
  static OffsetDateTime time(RespReplies replies, int reply) {
    int seconds = replies.first(reply);
    long micros = replies.toLong(replies.next(seconds));
    return OffsetDateTime.ofInstant(Instant.ofEpochSecond(replies.toLong(seconds), micros * 1_000), ZoneOffset.UTC);
  }
}
