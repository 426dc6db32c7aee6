package io.seedgate.persistence;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.common.embedded.BackingServices;
import io.seedgate.testsupport.RedisDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowIterator;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Integration test support: real Redis and PostgreSQL (the configured ones, or embedded ones in the dev profile),
 * a Vert.x whose event loops may not stall for more than {@link #MAX_EVENT_LOOP_MS}, and cleanup of every key and
 * row a test creates.
 *
 * <p>The online hash, the unsaved set and the flush lock have fixed names, so tests that run at the same time as
 * other modules' tests, or as another run of these, would see each other's players and locks. Each test JVM
 * therefore leases a Redis database of its own ({@link RedisDatabase#lease}), held until the JVM exits and emptied
 * then.
 */
abstract class TestSupport {

  /** Half the Vert.x default; lower limits give false alarms on a loaded 2-core machine (the benchmark uses 100). */
  static final long MAX_EVENT_LOOP_MS = 1_000;
  static final long TIMEOUT_S = 20;
  static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  static String redisUrl;
  static String postgresUrl;

  protected Vertx vertx;
  protected Redis redis;
  protected Pool pg;
  private final Set<String> tokens = ConcurrentHashMap.newKeySet();
  private final Set<String> players = ConcurrentHashMap.newKeySet();
  private final Set<String> maps = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void resolveServices() {
    if (redisUrl == null) {
      NodeConfig resolved = BackingServices.resolve(NodeConfig.defaults());
      // released (and emptied) by the lease's shutdown hook, once every test class of the JVM ran
      redisUrl = RedisDatabase.lease(resolved.get(Settings.REDIS_URL), "persistence-verticle tests").url();
      postgresUrl = resolved.get(Settings.POSTGRES_URL);
    }
  }

  @BeforeEach
  void startVertx() {
    BlockedThreads.reset();
    vertx = Vertx.vertx(new VertxOptions()
      .setMaxEventLoopExecuteTime(MAX_EVENT_LOOP_MS).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
      .setBlockedThreadCheckInterval(50).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
    redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl).setMaxWaitingHandlers(1 << 16));
    pg = PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
      .connectingTo(PgConnectOptions.fromUri(postgresUrl)).using(vertx).build();
  }

  @AfterEach
  void cleanUpAndCheckEventLoops() throws Exception {
    try {
      // stop the verticles first: a flush running meanwhile would write rows back after they are deleted
      for (String id : vertx.deploymentIDs()) {
        vertx.undeploy(id).otherwiseEmpty().await(TIMEOUT_S, TimeUnit.SECONDS);
      }
      List<Request> cleanup = new ArrayList<>();
      for (String token : tokens) {
        cleanup.add(Request.cmd(Command.DEL).arg(RedisKeys.playerHash(token)));
        cleanup.add(Request.cmd(Command.HDEL).arg(RedisKeys.onlineShard(token)).arg(token));
        cleanup.add(Request.cmd(Command.SREM).arg(RedisKeys.UNSAVED).arg(token));
      }
      for (String map : maps) {
        cleanup.add(Request.cmd(Command.DEL).arg(RedisKeys.mapGeoSet(map)));
      }
      if (!cleanup.isEmpty()) {
        await(redis.batch(cleanup));
      }
      if (!players.isEmpty()) {
        await(pg.preparedQuery("DELETE FROM players WHERE id = ANY($1)")
          .execute(Tuple.of(players.toArray(new String[0]))));
      }
    } finally {
      await(vertx.close());
    }
    assertEquals(List.of(), BlockedThreads.warnings(), "an event loop was blocked");
  }

  /** A node config on the test servers with the flush interval given, plus other settings. */
  static NodeConfig config(int flushIntervalSeconds, Map<String, Object> more) {
    Map<String, Object> settings = new HashMap<>(more);
    settings.putIfAbsent(Settings.REDIS_URL.path(), redisUrl);
    settings.putIfAbsent(Settings.POSTGRES_URL.path(), postgresUrl);
    settings.put(Settings.FLUSH_INTERVAL.path(), flushIntervalSeconds);
    return NodeConfig.defaults().with(settings);
  }

  PersistenceVerticle deploy(PersistenceVerticle verticle, NodeConfig config) {
    await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config.toJson())));
    return verticle;
  }

  String newToken() {
    String token = UUID.randomUUID().toString().toUpperCase();
    tokens.add(token);
    return token;
  }

  String newPlayer() {
    String id = "it-" + UUID.randomUUID().toString().substring(0, 13);
    players.add(id);
    return id;
  }

  String newMap() {
    String map = "it-map-" + ThreadLocalRandom.current().nextInt(1_000_000);
    maps.add(map);
    return map;
  }

  static String now() {
    return LocalDateTime.now().withNano(0).format(DATETIME);
  }

  /** Writes a player hash as a gateway would, with extra fields, and its position; marks it online if asked. */
  void putPlayer(String token, String player, String map, double x, double y, boolean online,
                 Map<String, String> fields) {
    Request hset = Request.cmd(Command.HSET).arg(RedisKeys.playerHash(token))
      .arg(RedisKeys.F_ID).arg(player).arg(RedisKeys.F_MAP_ID).arg(map).arg(RedisKeys.F_TOKEN).arg(token);
    fields.forEach((k, v) -> hset.arg(k).arg(v));
    List<Request> requests = new ArrayList<>();
    requests.add(hset);
    requests.add(Request.cmd(Command.GEOADD).arg(RedisKeys.mapGeoSet(map)).arg(x).arg(y).arg(token));
    if (online) {
      requests.add(Request.cmd(Command.HSET).arg(RedisKeys.onlineShard(token)).arg(token).arg(player));
    }
    await(redis.batch(requests));
  }

  void hset(String token, String... fieldValues) {
    Request r = Request.cmd(Command.HSET).arg(RedisKeys.playerHash(token));
    for (String s : fieldValues) {
      r.arg(s);
    }
    await(redis.send(r));
  }

  Response redis(Command command, Object... args) {
    Request r = Request.cmd(command);
    for (Object a : args) {
      r.arg(String.valueOf(a));
    }
    return await(redis.send(r));
  }

  /** The saved row of a player, or {@code null}. */
  Row row(String player) {
    RowIterator<Row> it = await(pg.preparedQuery("SELECT * FROM players WHERE id = $1").execute(Tuple.of(player)))
      .iterator();
    return it.hasNext() ? it.next() : null;
  }
}
