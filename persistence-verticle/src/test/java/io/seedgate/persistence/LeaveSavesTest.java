package io.seedgate.persistence;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.seedgate.common.Addresses;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.RedisKeys;
import io.seedgate.testsupport.Eventually;
import io.seedgate.testsupport.LogCapture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16: a mass disconnect sends one save request per player; they are written in a few batched statements, at
 * most {@link LeaveSaves#MAX_IN_FLIGHT} at once, so that the pool's wait queue ({@link
 * PersistenceVerticle#POOL_MAX_WAITING}) never overflows.
 */
class LeaveSavesTest extends TestSupport {

  private static final int NO_PERIODIC_FLUSH = 3600;
  private static final int BURST = 2_500;

  /** The real store, counting its calls and how many of them run at once. */
  private static final class CountingStore implements PlayerStore {
    private final PlayerStore store;
    private final AtomicBoolean failing;
    private final Vertx vertx;
    final AtomicInteger upserts = new AtomicInteger();
    final AtomicInteger rows = new AtomicInteger();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger mostRunning = new AtomicInteger();

    /** @param vertx when given, a failing write fails a second later (as a pool waiting for a connection would) */
    CountingStore(PlayerStore store, AtomicBoolean failing, Vertx vertx) {
      this.store = store;
      this.failing = failing;
      this.vertx = vertx;
    }

    @Override
    public Future<Integer> upsert(List<PlayerState> states) {
      upserts.incrementAndGet();
      rows.addAndGet(states.size());
      if (failing.get()) {
        Future<Integer> refused = Future.failedFuture(new ConnectException("refused by the test"));
        return vertx == null ? refused : vertx.timer(1_000).compose(t -> refused);
      }
      mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      return store.upsert(states).andThen(ar -> running.decrementAndGet());
    }

    @Override
    public Future<Integer> upsertRecovered(List<PlayerState> states) {
      return store.upsertRecovered(states);
    }

    @Override
    public Future<Integer> upsertKeepingExtra(List<PlayerState> states) {
      return store.upsertKeepingExtra(states);
    }

    @Override
    public Future<PlayerState> load(String playerId) {
      return store.load(playerId);
    }
  }

  private record Left(String token, String player, String map) {
  }

  /**
   * Players who left, their hashes in Redis (odd ones without {@code map_id}: the request's map is used), written in
   * a few pipelined batches.
   */
  private List<Left> leftPlayers(int n, String actionPrefix) {
    String map = newMap();
    List<Left> left = new ArrayList<>(n);
    List<Request> requests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Left l = new Left(newToken(), newPlayer(), map);
      left.add(l);
      Request hset = Request.cmd(Command.HSET).arg(RedisKeys.playerHash(l.token())).arg(RedisKeys.F_ID).arg(l.player())
        .arg(RedisKeys.F_ACTION).arg(actionPrefix + i).arg(RedisKeys.F_DATETIME).arg(now()).arg("hp").arg(i);
      if (i % 2 == 0) {
        hset.arg(RedisKeys.F_MAP_ID).arg(map);
      }
      requests.add(hset);
      requests.add(Request.cmd(Command.GEOADD).arg(RedisKeys.mapGeoSet(map)).arg(i % 100).arg(i % 50).arg(l.token()));
      if (requests.size() >= 2_000) {
        await(redis.batch(requests));
        requests = new ArrayList<>();
      }
    }
    if (!requests.isEmpty()) {
      await(redis.batch(requests));
    }
    return left;
  }

  /** Sends every save request at once (from this thread, as fast as the event bus takes them). */
  private List<Future<Message<JsonObject>>> saveAll(List<Left> left) {
    List<Future<Message<JsonObject>>> replies = new ArrayList<>(left.size());
    for (Left l : left) {
      replies.add(vertx.eventBus().request(Addresses.SAVE_PLAYER,
        new JsonObject().put("player", l.player()).put("map", l.map()).put("token", l.token())));
    }
    try {
      Future.join(replies).await(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("replies timed out", e);
    } catch (Exception e) {
      // some failed: checked by the caller
    }
    return replies;
  }

  private Map<String, Row> rows(List<Left> left) {
    String[] ids = left.stream().map(Left::player).toArray(String[]::new);
    Map<String, Row> rows = new HashMap<>();
    for (Row row : await(pg.preparedQuery("SELECT * FROM players WHERE id = ANY($1)").execute(Tuple.of(ids)))) {
      rows.put(row.getString("id"), row);
    }
    return rows;
  }

  @Test
  void aBurstOfSavesIsWrittenInAFewBatchesAndEveryPlayerIsSaved() {
    CountingStore[] store = new CountingStore[1];
    PersistenceVerticle verticle = deploy(
      new PersistenceVerticle(s -> store[0] = new CountingStore(s, new AtomicBoolean(), null)),
      config(NO_PERIODIC_FLUSH, Map.of()));
    List<Left> left = leftPlayers(BURST, "left/");

    List<Future<Message<JsonObject>>> replies = saveAll(left);

    List<String> failed = new ArrayList<>();
    for (Future<Message<JsonObject>> reply : replies) {
      if (reply.failed()) {
        failed.add(reply.cause().getMessage());
      } else {
        assertEquals(new JsonObject().put("saved", true), reply.result().body());
      }
    }
    assertEquals(List.of(), failed.subList(0, Math.min(5, failed.size())), failed.size() + " saves failed");
    Map<String, Row> rows = rows(left);
    assertEquals(BURST, rows.size());
    for (int i = 0; i < BURST; i++) {
      Row row = rows.get(left.get(i).player());
      assertNotNull(row, left.get(i).player());
      assertEquals("left/" + i, row.getString("action"));
      assertEquals(left.get(i).map(), row.getString("map_id"));
      assertEquals((double) (i % 100), row.getDouble("position_x"), 0.01, "position read with the request's map");
      assertEquals(new JsonObject().put("hp", Integer.toString(i)), row.getJsonObject("extra"));
    }
    assertEquals(BURST, store[0].rows.get());
    assertTrue(store[0].upserts.get() <= BURST / 100,
      "batched: " + store[0].upserts.get() + " statements for " + BURST + " players");
    assertTrue(store[0].mostRunning.get() <= LeaveSaves.MAX_IN_FLIGHT,
      store[0].mostRunning.get() + " statements at once");
    assertEquals(store[0].upserts.get(), verticle.saveBatches());
    assertEquals(BURST, verticle.stats().rowsWritten());
  }

  /**
   * A batch that fails fails every request of it with the cause, and the requests queued behind it too: here the
   * first two batches take a second to fail, by when the whole burst is queued, and no other batch runs.
   */
  @Test
  void whenABatchFailsEveryRequestOfItAndQueuedBehindItFailsWithTheCause() {
    CountingStore[] store = new CountingStore[1];
    AtomicBoolean failing = new AtomicBoolean(true);
    deploy(new PersistenceVerticle(s -> store[0] = new CountingStore(s, failing, vertx)),
      config(NO_PERIODIC_FLUSH, Map.of()));
    List<Left> left = leftPlayers(1_200, "fail/");

    List<Future<Message<JsonObject>>> replies;
    try (LogCapture lines = LogCapture.of(LeaveSaves.class)) {
      lines.logger().setLevel(Level.DEBUG);
      try {
        replies = saveAll(left);
      } finally {
        lines.logger().setLevel(null);
      }
      // PostgreSQL away: one WARN line for the burst, no stack trace; each player's line carries it in the MDC
      Eventually.until("the burst's WARN line", 10_000, () -> lines.count(Level.WARN) > 0);
      List<ILoggingEvent> warnings = lines.events().stream().filter(e -> e.getLevel() == Level.WARN).toList();
      assertEquals(1, warnings.size(), "WARN lines: " + lines.messages(Level.WARN));
      String warning = warnings.get(0).getFormattedMessage();
      assertTrue(warning.endsWith(": refused by the test"), warning);
      assertNull(warnings.get(0).getThrowableProxy(), "an outage is logged without a stack trace");
      String player = left.get(0).player();
      ILoggingEvent perPlayer = lines.events().stream()
        .filter(e -> e.getFormattedMessage().contains("player: " + player + "] save on leave failed")).findFirst()
        .orElseThrow(() -> new AssertionError("no line for player " + player));
      assertEquals(player, perPlayer.getMDCPropertyMap().get("player"));
    }

    for (Future<Message<JsonObject>> reply : replies) {
      assertTrue(reply.failed(), "a save of a failed batch succeeded");
      ReplyException e = assertInstanceOf(ReplyException.class, reply.cause());
      assertEquals(ErrorCode.UNAVAILABLE.code(), e.failureCode());
      assertEquals("refused by the test", e.getMessage());
    }
    assertEquals(LeaveSaves.MAX_IN_FLIGHT, store[0].upserts.get(), "no batch after the first two failed");
    assertEquals(0, rows(left).size());
    failing.set(false);
  }

  @Test
  void twoTokensOfOnePlayerInOneBurstAreBothSavedTheLaterOneLast() {
    CountingStore[] store = new CountingStore[1];
    deploy(new PersistenceVerticle(s -> store[0] = new CountingStore(s, new AtomicBoolean(), null)),
      config(NO_PERIODIC_FLUSH, Map.of()));
    List<Left> left = leftPlayers(1_200, "other/");
    String player = newPlayer();
    String map = newMap();
    String older = newToken();
    String newer = newToken();
    putPlayer(older, player, map, 1, 1, false, Map.of(RedisKeys.F_ACTION, "old-session"));
    putPlayer(newer, player, map, 2, 2, false, Map.of(RedisKeys.F_ACTION, "new-session"));
    // in the middle of the burst, where requests queue up: one batch takes both
    List<Left> burst = new ArrayList<>(left.subList(0, 700));
    burst.add(new Left(older, player, map));
    burst.add(new Left(newer, player, map));
    burst.addAll(left.subList(700, left.size()));

    List<Future<Message<JsonObject>>> replies = saveAll(burst);

    for (Future<Message<JsonObject>> reply : replies) {
      assertTrue(reply.succeeded(), () -> "failed: " + reply.cause().getMessage());
      assertEquals(new JsonObject().put("saved", true), reply.result().body());
    }
    assertEquals("new-session", row(player).getString("action"));
    assertEquals(2.0, row(player).getDouble("position_x"));
    assertEquals(1_200, rows(left).size());
    assertTrue(store[0].upserts.get() <= 12, store[0].upserts.get() + " statements");
  }
}
