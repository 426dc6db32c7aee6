package io.seedgate.persistence;

import io.seedgate.common.Addresses;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
      assertTrue(verticle.stats().failures() >= failuresBefore + 2, "two cycles failed, backing off");
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
