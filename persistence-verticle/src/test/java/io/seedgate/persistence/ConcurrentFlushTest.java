package io.seedgate.persistence;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static io.seedgate.testsupport.Await.await;
import static io.seedgate.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two persistence verticles (two nodes) flush the same online players. Their stores are wrapped to slow every write
 * down and to record whether both ever write at the same moment; the flush lock must prevent it.
 */
class ConcurrentFlushTest extends TestSupport {

  private static final int PLAYERS = 600;

  private final Map<String, AtomicInteger> writing = new ConcurrentHashMap<>();
  private final Set<String> overlaps = ConcurrentHashMap.newKeySet();

  private PlayerStore observed(String node, PlayerStore store) {
    writing.put(node, new AtomicInteger());
    return new PlayerStore() {
      @Override
      public Future<Integer> upsert(List<PlayerState> states) {
        return around(store.upsert(states));
      }

      @Override
      public Future<Integer> upsertRecovered(List<PlayerState> states) {
        return around(store.upsertRecovered(states));
      }

      @Override
      public Future<Integer> upsertKeepingExtra(List<PlayerState> states) {
        return around(store.upsertKeepingExtra(states));
      }

      @Override
      public Future<PlayerState> load(String playerId) {
        return store.load(playerId);
      }

      private Future<Integer> around(Future<Integer> write) {
        writing.get(node).incrementAndGet();
        writing.forEach((other, count) -> {
          if (!other.equals(node) && count.get() > 0) {
            overlaps.add(node + " wrote while " + other + " did");
          }
        });
        // hold the write open a while, so that the two nodes' cycles overlap in time
        return write.compose(rows -> vertx.timer(150).map(rows))
          .onComplete(ar -> writing.get(node).decrementAndGet());
      }
    };
  }

  @Test
  void twoNodesNeverWriteAtTheSameTimeAndLoseNothing() throws Exception {
    Map<String, Object> settings = Map.of(Settings.FLUSH_BATCH_SIZE.path(), 50);
    PersistenceVerticle a = deploy(new PersistenceVerticle(s -> observed("a", s)), config(1, settings));
    PersistenceVerticle b = deploy(new PersistenceVerticle(s -> observed("b", s)), config(1, settings));

    String map = newMap();
    List<String> tokens = new ArrayList<>();
    Map<String, String> playerOf = new HashMap<>();
    for (int i = 0; i < PLAYERS; i++) {
      String token = newToken();
      String player = newPlayer();
      tokens.add(token);
      playerOf.put(token, player);
    }
    List<Request> fill = new ArrayList<>();
    for (String token : tokens) {
      fill.add(Request.cmd(Command.HSET).arg(RedisKeys.playerHash(token)).arg(RedisKeys.F_ID).arg(playerOf.get(token))
        .arg(RedisKeys.F_MAP_ID).arg(map).arg(RedisKeys.F_ACTION).arg("v0"));
      fill.add(Request.cmd(Command.GEOADD).arg(RedisKeys.mapGeoSet(map)).arg(1).arg(1).arg(token));
      fill.add(Request.cmd(Command.HSET).arg(RedisKeys.onlineShard(token)).arg(token).arg(playerOf.get(token)));
    }
    await(redis.batch(fill));

    // for 6 s, keep changing a random tenth of the players
    Map<String, String> latest = new HashMap<>();
    tokens.forEach(t -> latest.put(t, "v0"));
    long end = System.currentTimeMillis() + 6_000;
    for (int round = 1; System.currentTimeMillis() < end; round++) {
      List<Request> changes = new ArrayList<>();
      for (int i = 0; i < PLAYERS / 10; i++) {
        String token = tokens.get(ThreadLocalRandom.current().nextInt(PLAYERS));
        latest.put(token, "v" + round);
        changes.add(Request.cmd(Command.HSET).arg(RedisKeys.playerHash(token)).arg(RedisKeys.F_ACTION)
          .arg("v" + round));
      }
      await(redis.batch(changes));
      Thread.sleep(200);
    }

    eventually(Duration.ofSeconds(15), () -> {
      Map<String, String> saved = new HashMap<>();
      for (Row row : await(pg.preparedQuery("SELECT id, action FROM players WHERE id = ANY($1)")
        .execute(Tuple.of(playerOf.values().toArray(new String[0]))))) {
        saved.put(row.getString("id"), row.getString("action"));
      }
      for (String token : tokens) {
        assertEquals(latest.get(token), saved.get(playerOf.get(token)), "player " + playerOf.get(token));
      }
    });

    assertEquals(Set.of(), overlaps);
    FlushStats sa = a.stats();
    FlushStats sb = b.stats();
    // each node tried its 1 s cycle several times (ran or skipped while the other held the lock): how many ran
    // depends on how long a flush takes on the machine at that moment (a second each with 150 ms per write held)
    assertTrue(sa.cycles() + sa.skipped() >= 2 && sb.cycles() + sb.skipped() >= 2 && sa.cycles() + sb.cycles() >= 2,
      "cycles: " + sa + " / " + sb);
    assertTrue(sa.skipped() + sb.skipped() >= 1, "the nodes never contended for the lock: " + sa + " / " + sb);
    assertEquals(0, sa.failures() + sb.failures(), sa + " / " + sb);
  }
}
