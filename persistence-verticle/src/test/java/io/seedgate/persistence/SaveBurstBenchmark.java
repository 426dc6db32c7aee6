package io.seedgate.persistence;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.common.embedded.BackingServices;
import io.seedgate.common.redis.RedisTopology;
import io.seedgate.testsupport.RedisDatabase;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Times a burst of saves on leave ({@link LeaveSaves}): {@code players} requests at once, answered one statement
 * per player as before issue 16 ("one at a time": batches of 1, as many at once as come) and coalesced (batches of
 * {@link LeaveSaves#MAX_BATCH}, {@link LeaveSaves#MAX_IN_FLIGHT} at once), alternating, {@code rounds} of each, on
 * a pool set up as the verticle's ({@code persistence.poolSize} 4, wait queue
 * {@value PersistenceVerticle#POOL_MAX_WAITING}). Test servers, a leased Redis database; hashes and rows
 * {@code bench-save-*} deleted at the end. Logs {@code io.seedgate} at INFO (one line per burst).
 *
 * <pre>
 * mvn -q -B -pl persistence-verticle -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * cd persistence-verticle
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.seedgate.persistence.SaveBurstBenchmark \
 *   [players [rounds]]     # defaults: 2000 5
 * </pre>
 */
public final class SaveBurstBenchmark {

  private SaveBurstBenchmark() {
  }

  private record Outcome(long ms, int failed, int statements, String firstFailure) {
  }

  public static void main(String[] args) throws Exception {
    int players = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    // the per-player DEBUG lines of failed saves (the tests' level) would time the console
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.seedgate"))
      .setLevel(ch.qos.logback.classic.Level.INFO);
    NodeConfig resolved = BackingServices.resolve(NodeConfig.defaults());
    // emptied and released when the JVM exits
    String redisUrl = RedisDatabase.lease(resolved.get(Settings.REDIS_URL), "SaveBurstBenchmark").url();
    Vertx vertx = Vertx.vertx();
    Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl)
      .setMaxWaitingHandlers(1 << 16));
    int poolSize = NodeConfig.defaults().get(Settings.PG_POOL_SIZE);
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(poolSize)
        .setMaxWaitQueueSize(PersistenceVerticle.POOL_MAX_WAITING)
        .setConnectionTimeout(PersistenceVerticle.POOL_WAIT_SECONDS).setConnectionTimeoutUnit(TimeUnit.SECONDS))
      .connectingTo(PgConnectOptions.fromUri(resolved.get(Settings.POSTGRES_URL))).using(vertx).build();
    String run = UUID.randomUUID().toString().substring(0, 6);
    String map = "bench-save-" + run;
    List<String> tokens = new ArrayList<>(players);
    List<String> ids = new ArrayList<>(players);
    Context context = vertx.getOrCreateContext();
    FlushConnection connection = new FlushConnection(vertx, RedisTopology.standalone(redisUrl), "bench-save");
    try {
      fill(redis, tokens, ids, run, map, players);
      AtomicInteger statements = new AtomicInteger();
      PlayerStore counted = counting(new PgPlayerStore(pool, PersistenceVerticle.CLIENT_TIMEOUT_MS), statements);
      RedisPlayerReader reader = new RedisPlayerReader(connection);
      Fingerprints fingerprints = new Fingerprints();
      System.out.printf("%,d saves at once, pool %d (wait queue %d), %d cores%n", players, poolSize,
        PersistenceVerticle.POOL_MAX_WAITING, Runtime.getRuntime().availableProcessors());
      List<Long> before = new ArrayList<>();
      List<Long> after = new ArrayList<>();
      for (int round = 0; round <= rounds; round++) {
        for (boolean coalesced : List.of(false, true)) {
          LeaveSaves saves = onContext(context, () -> coalesced
            ? new LeaveSaves(context, connection, reader, counted, fingerprints, n -> { }, () -> "bench")
            : new LeaveSaves(context, connection, reader, counted, fingerprints, n -> { }, () -> "bench", 1,
            Integer.MAX_VALUE));
          statements.set(0);
          Outcome o = burst(context, saves, tokens, ids, map);
          String name = coalesced ? "coalesced" : "one at a time";
          System.out.printf("%s %s: %,d ms, %d upsert calls, %d failed%s%n", round == 0 ? "warm-up" : "round " + round,
            name, o.ms(), statements.get(), o.failed(), o.firstFailure() == null ? "" : " (" + o.firstFailure() + ")");
          if (round > 0) {
            (coalesced ? after : before).add(o.ms());
          }
        }
      }
      long medianBefore = FlushBenchmark.median(before);
      long medianAfter = FlushBenchmark.median(after);
      System.out.printf("median over %d rounds: one at a time %,d ms, coalesced %,d ms (coalesced / one at a time "
        + "%.2f)%n", rounds, medianBefore, medianAfter, medianAfter / (double) Math.max(1, medianBefore));
    } finally {
      List<Request> cleanup = new ArrayList<>();
      for (String token : tokens) {
        cleanup.add(Request.cmd(Command.DEL).arg(RedisKeys.playerHash(token)));
      }
      cleanup.add(Request.cmd(Command.DEL).arg(RedisKeys.mapGeoSet(map)));
      FlushBenchmark.await(redis.batch(cleanup));
      FlushBenchmark.await(pool.preparedQuery("DELETE FROM players WHERE id LIKE $1")
        .execute(Tuple.of("bench-save-" + run + "-%")));
      FlushBenchmark.await(onContext(context, connection::close));
      FlushBenchmark.await(vertx.close());
    }
  }

  private static Outcome burst(Context context, LeaveSaves saves, List<String> tokens, List<String> ids,
                               String map) {
    Promise<Outcome> done = Promise.promise();
    context.runOnContext(v -> {
      long start = System.nanoTime();
      List<Future<Boolean>> replies = new ArrayList<>(tokens.size());
      for (int i = 0; i < tokens.size(); i++) {
        replies.add(saves.save(ids.get(i), tokens.get(i), map));
      }
      Future.join(replies).onComplete(ar -> {
        long ms = (System.nanoTime() - start) / 1_000_000;
        int failed = 0;
        String first = null;
        for (Future<Boolean> r : replies) {
          if (r.failed()) {
            failed++;
            first = first == null ? r.cause().getMessage() : first;
          }
        }
        done.complete(new Outcome(ms, failed, 0, first));
      });
    });
    return FlushBenchmark.await(done.future());
  }

  private static <T> T onContext(Context context, java.util.function.Supplier<T> action) {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> p.complete(action.get()));
    return FlushBenchmark.await(p.future());
  }

  private static PlayerStore counting(PlayerStore store, AtomicInteger statements) {
    return new PlayerStore() {
      @Override
      public Future<Integer> upsert(List<PlayerState> states) {
        statements.incrementAndGet();
        return store.upsert(states);
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
    };
  }

  /** Hashes of players who left (as the router leaves them), with a few extra fields, and their positions. */
  private static void fill(Redis redis, List<String> tokens, List<String> ids, String run, String map, int players) {
    String now = LocalDateTime.now().withNano(0).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
    List<Request> requests = new ArrayList<>();
    for (int i = 0; i < players; i++) {
      String token = UUID.randomUUID().toString().toUpperCase();
      String id = "bench-save-" + run + "-" + i;
      tokens.add(token);
      ids.add(id);
      requests.add(Request.cmd(Command.HSET).arg(RedisKeys.playerHash(token)).arg(RedisKeys.F_ID).arg(id)
        .arg(RedisKeys.F_MAP_ID).arg(map).arg(RedisKeys.F_ACTION).arg(RedisKeys.ACTION_OFFLINE)
        .arg(RedisKeys.F_DATETIME).arg(now).arg(RedisKeys.F_PING).arg("0.05").arg("hp").arg(i % 100)
        .arg("prefab").arg("Knight").arg("gold").arg(i));
      requests.add(Request.cmd(Command.GEOADD).arg(RedisKeys.mapGeoSet(map)).arg(i % 170).arg(i % 80).arg(token));
      if (requests.size() >= 2_000) {
        FlushBenchmark.await(redis.batch(requests));
        requests = new ArrayList<>();
      }
    }
    if (!requests.isEmpty()) {
      FlushBenchmark.await(redis.batch(requests));
    }
  }
}
