package io.seedgate.persistence;

import io.seedgate.common.Addresses;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.seedgate.testsupport.TcpProxy;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.seedgate.testsupport.Await.await;
import static io.seedgate.testsupport.Await.failureOf;
import static io.seedgate.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A persistence verticle reaches PostgreSQL (or Redis) through a proxy the test stops and starts again. */
class OutageTest extends TestSupport {

  @Test
  void updatesMadeWhilePostgresIsDownAreWrittenWhenItIsBack() throws Exception {
    PgConnectOptions real = PgConnectOptions.fromUri(postgresUrl);
    TcpProxy proxy = new TcpProxy(vertx, real.getHost(), real.getPort());
    int port = await(proxy.start());
    String viaProxy = "postgresql://" + real.getUser()
      + (real.getPassword() == null || real.getPassword().isEmpty() ? "" : ":" + real.getPassword())
      + "@127.0.0.1:" + port + "/" + real.getDatabase();
    PersistenceVerticle verticle = deploy(new PersistenceVerticle(),
      config(1, Map.of(Settings.POSTGRES_URL.path(), viaProxy)));

    String token = newToken();
    String player = newPlayer();
    String map = newMap();
    putPlayer(token, player, map, 1, 1, true, Map.of(RedisKeys.F_ACTION, "a0", RedisKeys.F_DATETIME, now()));
    eventually(Duration.ofSeconds(5), () -> assertEquals("a0", actionOf(player)));

    await(proxy.stop());
    long failuresBefore = verticle.stats().failures();
    hset(token, RedisKeys.F_ACTION, "a1");
    eventually(Duration.ofSeconds(8), () -> {
      assertTrue(verticle.stats().failures() >= failuresBefore + 2, "two cycles failed, an interval apart");
      assertEquals(1, verticle.stats().backlog());
      assertNotNull(verticle.stats().lastError());
    });
    Throwable saveFailure = failureOf(vertx.eventBus().request(Addresses.SAVE_PLAYER,
      new JsonObject().put("player", player).put("map", map).put("token", token)));
    assertEquals(ErrorCode.UNAVAILABLE.code(), assertInstanceOf(ReplyException.class, saveFailure).failureCode());
    hset(token, RedisKeys.F_ACTION, "a2", "hp", "7");
    assertEquals("a0", actionOf(player));

    await(proxy.start());
    eventually(Duration.ofSeconds(15), () -> {
      Row row = row(player);
      assertEquals("a2", row.getString("action"));
      assertEquals(new JsonObject().put("hp", "7"), row.getJsonObject("extra"));
      assertEquals(0, verticle.stats().consecutiveFailures());
      assertEquals(0, verticle.stats().backlog());
    });
    await(vertx.undeploy(verticle.deploymentID()));
    await(proxy.stop());
  }

  /**
   * Issue 22: after a failed cycle the next one was due up to 10 intervals later. Now the flush probes PostgreSQL
   * while failing and runs as soon as it answers: here within seconds, while the next scheduled cycle is a minute
   * away.
   */
  @Test
  void aFlushRunsAsSoonAsPostgresAnswersAgainNotAnIntervalLater() throws Exception {
    PgConnectOptions real = PgConnectOptions.fromUri(postgresUrl);
    TcpProxy proxy = new TcpProxy(vertx, real.getHost(), real.getPort());
    int port = await(proxy.start());
    PersistenceVerticle verticle = deploy(new PersistenceVerticle(),
      config(60, Map.of(Settings.POSTGRES_URL.path(), viaProxy(real, port))));

    String token = newToken();
    String player = newPlayer();
    putPlayer(token, player, newMap(), 1, 1, true, Map.of(RedisKeys.F_ACTION, "b0"));
    assertNull(await(verticle.flushNow()).lastError());
    assertEquals("b0", actionOf(player));

    await(proxy.stop());
    hset(token, RedisKeys.F_ACTION, "b1");
    FlushStats failed = await(verticle.flushNow());
    assertNotNull(failed.lastError(), "PostgreSQL is away: the cycle fails");
    assertEquals(1, failed.consecutiveFailures());
    eventually(Duration.ofSeconds(5), () -> assertTrue(verticle.unreachable(), "a probe found PostgreSQL away"));
    assertEquals("b0", actionOf(player));

    long back = System.nanoTime();
    await(proxy.start());
    eventually(Duration.ofSeconds(5), () -> {
      assertEquals("b1", actionOf(player), "written once PostgreSQL answers, not at the next interval");
      assertEquals(0, verticle.stats().consecutiveFailures());
      assertEquals(0, verticle.stats().backlog());
    });
    // the flush interval is 60 s: written within the 5 s above (and with one failure only, below) is the probe's flush
    System.out.println("written " + (System.nanoTime() - back) / 1_000_000 + " ms after PostgreSQL came back");
    assertEquals(1, verticle.stats().failures(), "one failed cycle, then the one the probe started");
    await(vertx.undeploy(verticle.deploymentID()));
    await(proxy.stop());
  }

  /** A failure that is no outage (PostgreSQL answers the probes) is retried an interval later, not in a loop. */
  @Test
  void aFailedCycleWhilePostgresAnswersIsNotRetriedAtOnce() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean(true);
    PersistenceVerticle verticle = deploy(new PersistenceVerticle(store -> new FailingStore(store, failing)),
      config(60, Map.of()));
    String token = newToken();
    String player = newPlayer();
    putPlayer(token, player, newMap(), 1, 1, true, Map.of(RedisKeys.F_ACTION, "c0"));
    assertNotNull(await(verticle.flushNow()).lastError());
    long cycles = verticle.stats().cycles();
    // probes run every second and find both servers answering: no flush is started by them
    eventually(Duration.ofSeconds(5), () -> assertTrue(verticle.probesAnswered() >= 3));
    assertEquals(cycles, verticle.stats().cycles(), "no cycle started by the probes");
    assertFalse(verticle.unreachable());
    assertNull(row(player));
    failing.set(false);
    await(vertx.undeploy(verticle.deploymentID()));
  }

  /** The real store, whose writes fail while {@code failing} is set. */
  private static final class FailingStore implements PlayerStore {
    private final PlayerStore store;
    private final java.util.concurrent.atomic.AtomicBoolean failing;

    FailingStore(PlayerStore store, java.util.concurrent.atomic.AtomicBoolean failing) {
      this.store = store;
      this.failing = failing;
    }

    private Future<Integer> write(java.util.function.Supplier<Future<Integer>> write) {
      return failing.get() ? Future.failedFuture(new ConnectException("refused by the test")) : write.get();
    }

    @Override
    public Future<Integer> upsert(List<PlayerState> states) {
      return write(() -> store.upsert(states));
    }

    @Override
    public Future<Integer> upsertRecovered(List<PlayerState> states) {
      return write(() -> store.upsertRecovered(states));
    }

    @Override
    public Future<Integer> upsertKeepingExtra(List<PlayerState> states) {
      return write(() -> store.upsertKeepingExtra(states));
    }

    @Override
    public Future<PlayerState> load(String playerId) {
      return store.load(playerId);
    }
  }

  private static String viaProxy(PgConnectOptions real, int port) {
    return "postgresql://" + real.getUser()
      + (real.getPassword() == null || real.getPassword().isEmpty() ? "" : ":" + real.getPassword())
      + "@127.0.0.1:" + port + "/" + real.getDatabase();
  }

  @Test
  void whileRedisIsDownSavesFailAndFlushesResumeAfterwards() throws Exception {
    java.net.URI real = java.net.URI.create(redisUrl);
    TcpProxy proxy = new TcpProxy(vertx, real.getHost(), real.getPort());
    int port = await(proxy.start());
    PersistenceVerticle verticle = deploy(new PersistenceVerticle(), config(1, Map.of(Settings.REDIS_URL.path(),
      "redis://127.0.0.1:" + port + real.getPath())));

    String token = newToken();
    String player = newPlayer();
    String map = newMap();
    putPlayer(token, player, map, 1, 1, true, Map.of(RedisKeys.F_ACTION, "r0"));
    eventually(Duration.ofSeconds(5), () -> assertEquals("r0", actionOf(player)));

    await(proxy.stop());
    hset(token, RedisKeys.F_ACTION, "r1");
    Throwable saveFailure = failureOf(vertx.eventBus().request(Addresses.SAVE_PLAYER,
      new JsonObject().put("player", player).put("map", map).put("token", token)));
    assertEquals(ErrorCode.UNAVAILABLE.code(), assertInstanceOf(ReplyException.class, saveFailure).failureCode());
    long failuresBefore = verticle.stats().failures();
    eventually(Duration.ofSeconds(5), () -> assertTrue(verticle.stats().failures() > failuresBefore));
    assertEquals("r0", actionOf(player));

    await(proxy.start());
    eventually(Duration.ofSeconds(15), () -> assertEquals("r1", actionOf(player)));
    // the request connection reconnects on its own backoff (at most 5 s)
    eventually(Duration.ofSeconds(10), () -> assertEquals(new JsonObject().put("saved", true),
      vertx.eventBus().<JsonObject>request(Addresses.SAVE_PLAYER,
        new JsonObject().put("player", player).put("map", map).put("token", token))
        .map(m -> m.body()).otherwise(e -> new JsonObject().put("error", e.getMessage())).await()));
    await(vertx.undeploy(verticle.deploymentID()));
    await(proxy.stop());
  }

  private String actionOf(String player) {
    Row row = row(player);
    return row == null ? null : row.getString("action");
  }
}
