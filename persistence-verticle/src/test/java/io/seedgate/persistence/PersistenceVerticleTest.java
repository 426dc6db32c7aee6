package io.seedgate.persistence;

import io.seedgate.common.Addresses;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.seedgate.testsupport.Await.await;
import static io.seedgate.testsupport.Await.failureOf;
import static io.seedgate.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PersistenceVerticleTest extends TestSupport {

  private static final int NO_PERIODIC_FLUSH = 3600;

  @Test
  void saveWritesHashFieldsPositionAndExtra() {
    deploy(new PersistenceVerticle(), config(NO_PERIODIC_FLUSH, Map.of()));
    String token = newToken();
    String player = newPlayer();
    String map = newMap();
    putPlayer(token, player, map, 12.3456, -45.678, false, Map.of(RedisKeys.F_DATETIME, "2021-03-04 05:06:07",
      RedisKeys.F_PING, "0.23", RedisKeys.F_ACTION, "move/up", RedisKeys.F_IP, "10.0.0.7", "hp", "100",
      "prefab", "Knight", "login", "alice"));

    JsonObject reply = await(vertx.eventBus().<JsonObject>request(Addresses.SAVE_PLAYER,
      new JsonObject().put("player", player).put("map", map).put("token", token))).body();

    assertEquals(new JsonObject().put("saved", true), reply);
    Row row = row(player);
    assertNotNull(row);
    assertEquals(map, row.getString("map_id"));
    assertEquals(12.35, row.getDouble("position_x"));
    assertEquals(-45.68, row.getDouble("position_y"));
    assertEquals("move/up", row.getString("action"));
    assertEquals(0.23, row.getDouble("ping"));
    assertEquals("10.0.0.7", row.getString("ip"));
    assertEquals(LocalDateTime.of(2021, 3, 4, 5, 6, 7), row.getLocalDateTime("last_activity"));
    assertEquals(new JsonObject().put("hp", "100").put("prefab", "Knight").put("login", "alice"),
      row.getJsonObject("extra"));
    assertNotNull(row.getOffsetDateTime("updated_at"));
  }

  @Test
  void saveOfAPlayerWithoutHashRepliesNotSaved() {
    deploy(new PersistenceVerticle(), config(NO_PERIODIC_FLUSH, Map.of()));
    String player = newPlayer();
    JsonObject reply = await(vertx.eventBus().<JsonObject>request(Addresses.SAVE_PLAYER,
      new JsonObject().put("player", player).put("map", newMap()).put("token", newToken()))).body();
    assertEquals(new JsonObject().put("saved", false), reply);
    assertNull(row(player));
  }

  @Test
  void malformedRequestsFail() {
    deploy(new PersistenceVerticle(), config(NO_PERIODIC_FLUSH, Map.of()));
    Throwable save = failureOf(vertx.eventBus().request(Addresses.SAVE_PLAYER, new JsonObject().put("map", "1")));
    Throwable load = failureOf(vertx.eventBus().request(Addresses.LOAD_PLAYER, new JsonObject()));
    assertEquals(ErrorCode.MALFORMED.code(), assertInstanceOf(ReplyException.class, save).failureCode());
    assertEquals(ErrorCode.MALFORMED.code(), assertInstanceOf(ReplyException.class, load).failureCode());
  }

  @Test
  void loadReturnsWhatWasSavedAsHashFields() {
    deploy(new PersistenceVerticle(), config(NO_PERIODIC_FLUSH, Map.of()));
    String token = newToken();
    String player = newPlayer();
    String map = newMap();
    putPlayer(token, player, map, 1.5, 2, false, Map.of(RedisKeys.F_DATETIME, now(), RedisKeys.F_PING, "0.5",
      RedisKeys.F_ACTION, "move/left", RedisKeys.F_IP, "10.0.0.8", "hp", "90", "speed", "1.25"));
    await(vertx.eventBus().request(Addresses.SAVE_PLAYER,
      new JsonObject().put("player", player).put("map", map).put("token", token)));

    JsonObject loaded = await(vertx.eventBus().<JsonObject>request(Addresses.LOAD_PLAYER,
      new JsonObject().put("player", player))).body();

    assertEquals(new JsonObject().put("found", true).put("map", map).put("fields", new JsonObject()
      .put("position_x", "1.5").put("position_y", "2").put("action", "move/left").put("ping", "0.5")
      .put("hp", "90").put("speed", "1.25")), loaded);
  }

  @Test
  void loadOfAnUnknownPlayerIsNotFound() {
    deploy(new PersistenceVerticle(), config(NO_PERIODIC_FLUSH, Map.of()));
    JsonObject loaded = await(vertx.eventBus().<JsonObject>request(Addresses.LOAD_PLAYER,
      new JsonObject().put("player", newPlayer()))).body();
    assertEquals(new JsonObject().put("found", false), loaded);
  }

  @Test
  void changedOnlinePlayerIsFlushedAndUnchangedOneIsNotRewritten() throws Exception {
    PersistenceVerticle verticle = deploy(new PersistenceVerticle(), config(1, Map.of()));
    String token = newToken();
    String player = newPlayer();
    String map = newMap();
    putPlayer(token, player, map, 3, 4, true, Map.of(RedisKeys.F_DATETIME, now(), RedisKeys.F_ACTION, "move/up",
      "hp", "50"));

    eventually(Duration.ofSeconds(5), () -> assertEquals("move/up", row(player) == null ? null
      : row(player).getString("action")));
    OffsetDateTime firstWrite = row(player).getOffsetDateTime("updated_at");

    long cycles = verticle.stats().cycles();
    eventually(Duration.ofSeconds(6), () -> assertTrue(verticle.stats().cycles() >= cycles + 2));
    assertEquals(firstWrite, row(player).getOffsetDateTime("updated_at"), "an unchanged player was rewritten");

    hset(token, RedisKeys.F_ACTION, "move/down", "hp", "49");
    redis(Command.GEOADD, RedisKeys.mapGeoSet(map), 3.5, 4, token);
    eventually(Duration.ofSeconds(5), () -> {
      Row row = row(player);
      assertEquals("move/down", row.getString("action"));
      assertEquals(3.5, row.getDouble("position_x"));
      assertEquals(new JsonObject().put("hp", "49"), row.getJsonObject("extra"));
    });
    assertTrue(row(player).getOffsetDateTime("updated_at").isAfter(firstWrite));
    assertNotNull(verticle.stats().lastFlushAt());
    assertEquals(0, verticle.stats().backlog());
  }

  /** The real store, counting the rows handed to each of its two flush writes. */
  private static final class CountingStore implements PlayerStore {
    private final PlayerStore store;
    final AtomicInteger full = new AtomicInteger();
    final AtomicInteger keepingExtra = new AtomicInteger();

    CountingStore(PlayerStore store) {
      this.store = store;
    }

    @Override
    public Future<Integer> upsert(List<PlayerState> states) {
      full.addAndGet(states.size());
      return store.upsert(states);
    }

    @Override
    public Future<Integer> upsertRecovered(List<PlayerState> states) {
      return store.upsertRecovered(states);
    }

    @Override
    public Future<Integer> upsertKeepingExtra(List<PlayerState> states) {
      keepingExtra.addAndGet(states.size());
      return store.upsertKeepingExtra(states);
    }

    @Override
    public Future<PlayerState> load(String playerId) {
      return store.load(playerId);
    }
  }

  @Test
  void aMoveIsWrittenWithoutResendingExtraFieldsThatAreStoredAsTheyAre() {
    CountingStore[] store = new CountingStore[1];
    PersistenceVerticle verticle = deploy(new PersistenceVerticle(s -> store[0] = new CountingStore(s)),
      config(NO_PERIODIC_FLUSH, Map.of()));
    String token = newToken();
    String player = newPlayer();
    String map = newMap();
    putPlayer(token, player, map, 1, 2, true, Map.of(RedisKeys.F_ACTION, "move/up", "hp", "100", "bag", "[1,2]"));
    assertEquals(1, await(verticle.flushNow()).lastRowsWritten());
    assertEquals(1, store[0].full.getAndSet(0), "first written in full");

    // a mark in the stored extra that only a write of extra would remove (its extra_hash left as it is)
    await(pg.preparedQuery("UPDATE players SET extra = extra || '{\"mark\": \"kept\"}' WHERE id = $1")
      .execute(Tuple.of(player)));
    hset(token, RedisKeys.F_ACTION, "move/down");
    redis(Command.GEOADD, RedisKeys.mapGeoSet(map), 1.5, 2, token);
    assertEquals(1, await(verticle.flushNow()).lastRowsWritten());
    assertEquals(1, store[0].keepingExtra.getAndSet(0), "a move: handed to the write that keeps the stored extra");
    assertEquals(0, store[0].full.getAndSet(0));
    Row moved = row(player);
    assertEquals("move/down", moved.getString("action"));
    assertEquals(1.5, moved.getDouble("position_x"));
    assertEquals(new JsonObject().put("hp", "100").put("bag", "[1,2]").put("mark", "kept"),
      moved.getJsonObject("extra"), "extra neither sent nor written again");

    hset(token, "hp", "90");
    assertEquals(1, await(verticle.flushNow()).lastRowsWritten());
    assertEquals(1, store[0].full.getAndSet(0), "extra changed: written in full");
    assertEquals(new JsonObject().put("hp", "90").put("bag", "[1,2]"), row(player).getJsonObject("extra"),
      "the whole extra replaced, the mark gone");
  }

  @Test
  void extraFieldsWrittenByAnotherMeanwhileOrARowGoneAreWrittenInFullAgain() {
    PersistenceVerticle verticle = deploy(new PersistenceVerticle(), config(NO_PERIODIC_FLUSH, Map.of()));
    String token = newToken();
    String player = newPlayer();
    putPlayer(token, player, newMap(), 1, 2, true, Map.of(RedisKeys.F_ACTION, "move/up", "hp", "100"));
    await(verticle.flushNow());

    // another node saved hp 90 meanwhile (its own hash of it); here the hash is back at hp 100, as this node last wrote
    await(pg.preparedQuery("UPDATE players SET extra = '{\"hp\": \"90\"}', extra_hash = 12345 WHERE id = $1")
      .execute(Tuple.of(player)));
    hset(token, RedisKeys.F_ACTION, "move/left");
    assertEquals(1, await(verticle.flushNow()).lastRowsWritten());
    assertEquals("move/left", row(player).getString("action"));
    assertEquals(new JsonObject().put("hp", "100"), row(player).getJsonObject("extra"),
      "the stored extra was not the one this node wrote: written again");

    await(pg.preparedQuery("DELETE FROM players WHERE id = $1").execute(Tuple.of(player)));
    hset(token, RedisKeys.F_ACTION, "move/right");
    assertEquals(1, await(verticle.flushNow()).lastRowsWritten());
    assertEquals("move/right", row(player).getString("action"));
    assertEquals(new JsonObject().put("hp", "100"), row(player).getJsonObject("extra"), "the row gone: inserted");
  }

  @Test
  void twoLiveTokensOfOnePlayerAreWrittenOneAtATimeWithoutFailingTheBatch() {
    PersistenceVerticle verticle = deploy(new PersistenceVerticle(), config(NO_PERIODIC_FLUSH, Map.of()));
    String player = newPlayer();
    String map = newMap();
    String old = newToken();
    String fresh = newToken();
    String other = newPlayer();
    putPlayer(old, player, map, 1, 1, true, Map.of(RedisKeys.F_ACTION, "move/old"));
    putPlayer(fresh, player, map, 2, 2, true, Map.of(RedisKeys.F_ACTION, "move/new"));
    putPlayer(newToken(), other, map, 3, 3, true, Map.of(RedisKeys.F_ACTION, "move/up"));

    FlushStats first = await(verticle.flushNow());
    assertNull(first.lastError(), "one statement cannot write a row twice: the batch would fail");
    assertEquals(2, first.lastRowsWritten(), "one row per player in a statement");
    assertEquals(1, first.backlog(), "the other token of the player waits for the next cycle");
    assertEquals("move/up", row(other).getString("action"));
    String firstAction = row(player).getString("action");

    FlushStats second = await(verticle.flushNow());
    assertNull(second.lastError());
    assertEquals(1, second.lastRowsWritten(), "now the other token");
    assertEquals(0, second.backlog());
    assertNotEquals(firstAction, row(player).getString("action"));
    assertEquals(0, await(verticle.flushNow()).lastRowsWritten(), "both tokens are now known as written");
  }

  @Test
  void stopFlushesOutstandingChanges() {
    PersistenceVerticle verticle = deploy(new PersistenceVerticle(), config(NO_PERIODIC_FLUSH, Map.of()));
    String token = newToken();
    String player = newPlayer();
    putPlayer(token, player, newMap(), 7, 8, true, Map.of(RedisKeys.F_ACTION, "move/right", "gold", "12"));
    assertNull(row(player));

    await(vertx.undeploy(verticle.deploymentID()));

    Row row = row(player);
    assertNotNull(row);
    assertEquals("move/right", row.getString("action"));
    assertEquals(new JsonObject().put("gold", "12"), row.getJsonObject("extra"));
    assertEquals(1, verticle.stats().cycles());
  }

  @Test
  void unsavedPlayersAreSavedThenRemovedFromRedis() throws Exception {
    deploy(new PersistenceVerticle(), config(1, Map.of()));
    String left = newToken();
    String leftPlayer = newPlayer();
    String back = newToken();
    String backPlayer = newPlayer();
    String map = newMap();
    putPlayer(left, leftPlayer, map, 5, 6, false, Map.of(RedisKeys.F_ACTION, RedisKeys.ACTION_OFFLINE,
      RedisKeys.F_DATETIME, now(), RedisKeys.F_TOKEN, ""));
    // this one left unsaved, then came back with the same token: it must stay
    putPlayer(back, backPlayer, map, 1, 1, true, Map.of(RedisKeys.F_ACTION, "api/load", RedisKeys.F_DATETIME, now()));
    redis(Command.SADD, RedisKeys.UNSAVED, left, back);

    eventually(Duration.ofSeconds(5), () -> {
      assertNotNull(row(leftPlayer));
      assertEquals(0, redis(Command.SISMEMBER, RedisKeys.UNSAVED, left).toInteger());
      assertEquals(0, redis(Command.SISMEMBER, RedisKeys.UNSAVED, back).toInteger());
    });
    assertEquals(RedisKeys.ACTION_OFFLINE, row(leftPlayer).getString("action"));
    assertEquals(5.0, row(leftPlayer).getDouble("position_x"));
    assertEquals(0, redis(Command.EXISTS, RedisKeys.playerHash(left)).toInteger());
    assertNull(redis(Command.ZSCORE, RedisKeys.mapGeoSet(map), left));
    assertEquals(1, redis(Command.EXISTS, RedisKeys.playerHash(back)).toInteger());
    assertNotNull(redis(Command.ZSCORE, RedisKeys.mapGeoSet(map), back));
    eventually(Duration.ofSeconds(5), () -> assertEquals("api/load", row(backPlayer).getString("action")));
  }

  @Test
  void statsAreAnsweredOnTheEventBus() throws Exception {
    PersistenceVerticle verticle = deploy(new PersistenceVerticle(), config(1, Map.of()));
    eventually(Duration.ofSeconds(5), () -> assertTrue(verticle.stats().cycles() + verticle.stats().skipped() >= 1));
    JsonObject stats = await(vertx.eventBus().<JsonObject>request(Addresses.PERSISTENCE_STATS, new JsonObject())).body();
    assertEquals(verticle.stats().node(), stats.getString("node"));
    assertTrue(stats.getLong("cycles") + stats.getLong("skipped") >= 1);
    assertEquals(0L, stats.getLong("failures"));
    // every figure of the stats, no more and no less (the old check here was that a key no code writes was absent)
    assertEquals(new java.util.TreeSet<>(verticle.stats().toJson().fieldNames()),
      new java.util.TreeSet<>(stats.fieldNames()), "the reply carries every figure of FlushStats: " + stats);
    assertNull(stats.getString("lastError"), "no cycle failed: " + stats);
    FlushStats now = verticle.stats();
    assertTrue(stats.getLong("cycles") + stats.getLong("skipped") <= now.cycles() + now.skipped(),
      "the reply's figures are the verticle's, at most as far as now: " + stats);
  }
}
