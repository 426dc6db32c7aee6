package io.seedgate.bench;

import io.seedgate.common.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The bench's players: 2021 token hashes written the way the sign-in app wrote them ({@code id}, {@code map_id}),
 * with ids and map ids of this run only, so a run never touches anyone else's players on a shared Redis; and
 * the clean-up of every key they may have left.
 */
final class Players {

  private static final int BATCH = 500;

  /**
   * One player.
   *
   * @param token the 2021 token (upper-case GUID), also the key of its hash
   * @param id the player id
   * @param map the map id
   */
  record Player(String token, String id, String map) {
  }

  private final Redis redis;
  private final long run = ThreadLocalRandom.current().nextLong(10_000, 100_000);
  private final List<Player> created = new ArrayList<>();

  Players(Redis redis) {
    this.redis = redis;
  }

  /** This run's number, part of every id it makes. */
  long run() {
    return run;
  }

  /** A map id of this run ({@code 9<run><n>}). */
  String mapId(int n) {
    return "9" + run + String.format("%07d", n);
  }

  /**
   * Writes {@code count} token hashes.
   *
   * @param sharedMap the map of every player, or null to give each player a map of its own (so that a map
   *     broadcast about one player reaches only that player)
   */
  Future<List<Player>> create(int count, String sharedMap) {
    List<Player> players = new ArrayList<>(count);
    int first = created.size();
    for (int i = 0; i < count; i++) {
      int n = first + i;
      players.add(new Player(UUID.randomUUID().toString().toUpperCase(), "8" + run + String.format("%07d", n),
        sharedMap != null ? sharedMap : mapId(n)));
    }
    created.addAll(players);
    List<Request> writes = new ArrayList<>(count);
    for (Player p : players) {
      writes.add(Request.cmd(Command.HSET).arg(RedisKeys.playerHash(p.token()))
        .arg(RedisKeys.F_ID).arg(p.id()).arg(RedisKeys.F_MAP_ID).arg(p.map()));
    }
    return inBatches(writes).map(players);
  }

  /**
   * Signs these players in again, as the sign-in app does: the old hash removed, a fresh one written. When a session
   * ends its hash is deleted (saved) or kept marked offline (not saved: no persistence role), and a node refuses a
   * token whose hash is marked offline.
   */
  Future<Void> rewrite(List<Player> players) {
    List<Request> writes = new ArrayList<>(players.size() * 3);
    for (Player p : players) {
      writes.add(Request.cmd(Command.DEL).arg(RedisKeys.playerHash(p.token())));
      writes.add(Request.cmd(Command.SREM).arg(RedisKeys.UNSAVED).arg(p.token()));
      writes.add(Request.cmd(Command.HSET).arg(RedisKeys.playerHash(p.token()))
        .arg(RedisKeys.F_ID).arg(p.id()).arg(RedisKeys.F_MAP_ID).arg(p.map()));
    }
    return inBatches(writes);
  }

  /**
   * Deletes every key this run's players may have left: their hashes, their maps' GEO sets, session-owner keys,
   * and their entries in {@code seed:online} and {@code seed:unsaved}.
   */
  Future<Void> cleanUp() {
    List<Request> deletes = new ArrayList<>();
    java.util.Set<String> maps = new java.util.HashSet<>();
    for (Player p : created) {
      deletes.add(Request.cmd(Command.DEL).arg(RedisKeys.playerHash(p.token())).arg(RedisKeys.sessionOwner(p.id())));
      deletes.add(Request.cmd(Command.HDEL).arg(RedisKeys.onlineShard(p.token())).arg(p.token()));
      deletes.add(Request.cmd(Command.SREM).arg(RedisKeys.UNSAVED).arg(p.token()));
      if (maps.add(p.map())) {
        deletes.add(Request.cmd(Command.DEL).arg(RedisKeys.mapGeoSet(p.map())));
      }
    }
    return inBatches(deletes);
  }

  private Future<Void> inBatches(List<Request> requests) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < requests.size(); i += BATCH) {
      List<Request> slice = requests.subList(i, Math.min(requests.size(), i + BATCH));
      chain = chain.compose(v -> redis.batch(slice).mapEmpty());
    }
    return chain;
  }

  /**
   * The envelope the gateway would publish for {@code action} of this player, as the floor publishes it: the
   * same fields, and values of the same length as the gateway's.
   */
  static io.vertx.core.buffer.Buffer envelope(Player p, String action, String nodeId) {
    int slash = action.indexOf('/');
    return new JsonObject()
      .put("player", p.id()).put("map", p.map()).put("token", p.token())
      .put("model", action.substring(0, slash)).put("method", action.substring(slash + 1)).put("action", action)
      .put("data", new JsonObject().put("pingTime", 0))
      .put("node", nodeId).put("session", nodeId + "-" + "1abc")
      .put("ip", "127.0.0.1").put("ts", System.currentTimeMillis())
      .toBuffer();
  }
}
