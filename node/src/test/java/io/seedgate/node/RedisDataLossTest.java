package io.seedgate.node;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.seedgate.testsupport.RedisDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.seedgate.testsupport.Eventually.until;
import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis loses everything while players are online (a restart without persistence; here its database is emptied
 * under the node): the node notices (its lease is gone) and puts back what it holds, so the players stay online,
 * on their map, flushed, and one session per player still holds.
 *
 * <p>Uses a Redis database of its own ({@link RedisDatabase#lease leased}), which it empties on purpose.
 */
class RedisDataLossTest {

  private static final int PLAYERS = 20;

  @Test
  void aNodeWhoseRedisComesBackEmptyPutsItsLivePlayersBack() {
    try (RedisDatabase database = RedisDatabase.lease(TestSupport.backingServices().get(Settings.REDIS_URL),
      "RedisDataLossTest")) {
      runOn(database.url());
    }
  }

  private void runOn(String redisUrl) {
    Map<String, Object> settings = new HashMap<>();
    settings.put(Settings.REDIS_URL.path(), redisUrl);
    settings.put(Settings.LEASE_SECONDS.path(), 2);
    settings.put(Settings.FLUSH_INTERVAL.path(), 1);
    settings.put(Settings.ROLES.path(), new JsonArray(List.of("gateway", "router", "persistence")));
    try (TestNode node = TestNode.start(settings)) {
      String map = "m" + UUID.randomUUID();
      String run = Integer.toString((int) (Math.random() * 1_000_000));
      List<String> players = new ArrayList<>();
      List<String> tokens = new ArrayList<>();
      List<TestClient> first = new ArrayList<>();
      for (int i = 0; i < PLAYERS; i++) {
        players.add("91" + run + i);
        tokens.add(node.signIn(players.get(i), map));
        TestClient c = node.client();
        c.sendBinary(new JsonObject().put("token", tokens.get(i)).put("action", "api/load"));
        c.nextContaining("\"load\"");
        c.sendBinary(new JsonObject().put("action", "move/right"));
        first.add(c);
      }
      until(Duration.ofMillis(15_000),
        () -> savedRows(node, players).stream().filter(r -> "move/right".equals(r.getString("action"))
        && r.getDouble("position_x") != null && r.getDouble("position_x") == 0.5).count() == PLAYERS);

      await(node.redis.flushdb(List.of()));

      until(Duration.ofMillis(10_000), () -> mapMembers(node, map).size() == PLAYERS);
      assertEquals(new HashSet<>(tokens), mapMembers(node, map), "every live player back on its map");
      for (int i = 0; i < PLAYERS; i++) {
        String token = tokens.get(i);
        Response owner = await(node.redis.get(RedisKeys.sessionOwner(players.get(i))));
        assertTrue(owner != null && owner.toString().endsWith("|" + token), "directory entry back: " + owner);
        assertEquals(players.get(i), String.valueOf(await(node.redis.hget(RedisKeys.onlineShard(token), token))),
          "online entry back");
        Response hash = await(node.redis.hmget(List.of(token, "id", "map_id", "position_x")));
        assertEquals(players.get(i), String.valueOf(hash.get(0)), "hash has the player's id again");
        assertEquals(map, String.valueOf(hash.get(1)), "and its map");
        assertEquals("0.5", String.valueOf(hash.get(2)), "and its position, from PostgreSQL: "
          + await(node.redis.hgetall(token)));
      }

      // a move now writes a hash that knows whose it is, and reaches PostgreSQL again through the flush
      first.get(0).sendBinary(new JsonObject().put("action", "move/right"));
      until(Duration.ofMillis(15_000),
        () -> savedRows(node, players.subList(0, 1)).get(0).getDouble("position_x") == 1.0);

      // one session per player still holds: logging in again closes the first session
      List<TestClient> second = new ArrayList<>();
      for (int i = 0; i < PLAYERS; i++) {
        TestClient c = node.client();
        c.sendBinary(new JsonObject().put("token", tokens.get(i)).put("action", "api/load"));
        c.nextContaining("\"load\"");
        second.add(c);
      }
      for (TestClient c : first) {
        assertEquals("logged in elsewhere", c.nextContaining("error").getString("error"));
        c.awaitClose();
      }
      second.forEach(TestClient::close);
    }
  }

  private static Set<String> mapMembers(TestNode node, String map) {
    Set<String> members = new HashSet<>();
    for (Response r : await(node.redis.zrange(List.of(RedisKeys.mapGeoSet(map), "0", "-1")))) {
      members.add(r.toString());
    }
    return members;
  }

  private static List<Row> savedRows(TestNode node, List<String> players) {
    SqlClient pg = PgBuilder.client()
      .connectingTo(PgConnectOptions.fromUri(TestSupport.backingServices().get(Settings.POSTGRES_URL)))
      .using(node.vertx).build();
    try {
      List<Row> rows = new ArrayList<>();
      await(pg.preparedQuery("select id, action, position_x from players where id = any($1)")
        .execute(Tuple.of(players.toArray(String[]::new)))).forEach(rows::add);
      return rows;
    } finally {
      pg.close();
    }
  }
}
