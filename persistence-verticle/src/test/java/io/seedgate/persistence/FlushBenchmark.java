package io.seedgate.persistence;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.common.embedded.BackingServices;
import io.seedgate.common.redis.RedisEndpoint;
import io.seedgate.testsupport.Await;
import io.seedgate.testsupport.RedisDatabase;
import io.seedgate.persistence.resp.RespConnection;
import io.seedgate.persistence.resp.RespRequests;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Times the flush of 100,000 changed online players (target: at most 1 s), on the test servers (in a Redis database
 * leased as the tests do, cleaned up afterwards; rows {@code bench-*} in {@code players}, deleted at the end).
 *
 * <p>Flush cycles are run one after the other ({@link PersistenceVerticle#flushNow()}) and timed: every player new
 * (insert, on a cold JVM), nothing changed (read only), then {@value #ROUNDS} rounds (or as many as asked) of every
 * player changed: in odd rounds every player moved (action and datetime changed, the extra fields as stored), in
 * even rounds their extra fields changed too. Each round is followed by its floor. Each line also shows the CPU time
 * the JVM, Redis and (when local) PostgreSQL used meanwhile, since on a small machine they compete for the same
 * cores, and the Redis calls made. The event loops are watched with a 100 ms limit; stalls are reported.
 *
 * <pre>
 * mvn -q -B -pl persistence-verticle -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * cd persistence-verticle
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.seedgate.persistence.FlushBenchmark \
 *   [players [batchSize [poolSize [rounds [inventoryBytes]]]]]
 * </pre>
 * {@code inventoryBytes} adds a field of that size to every player hash (a game's inventory, say).
 */
public final class FlushBenchmark {

  private static final int FILL_BATCH = 1_000;
  private static final int MAPS = 10;
  private static final int ROUNDS = 5;
  /** An extra field of the given size in every player hash (none by default), as a game's inventory would be. */
  private static String inventoryField = "";

  private FlushBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int players = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Integer batchSize = args.length > 1 ? Integer.valueOf(args[1]) : null;
    Integer poolSize = args.length > 2 ? Integer.valueOf(args[2]) : null;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : ROUNDS;
    inventoryField = inventory(args.length > 4 ? Integer.parseInt(args[4]) : 0);
    NodeConfig resolved = BackingServices.resolve(NodeConfig.defaults());
    // emptied and released when the JVM exits
    String redisUrl = RedisDatabase.lease(resolved.get(Settings.REDIS_URL), "FlushBenchmark").url();
    String postgresUrl = resolved.get(Settings.POSTGRES_URL);
    Vertx vertx = Vertx.vertx(new VertxOptions()
      .setMaxEventLoopExecuteTime(100).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
      .setBlockedThreadCheckInterval(20).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
      .setWarningExceptionTime(100).setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS));
    Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl)
      .setMaxWaitingHandlers(1 << 16));
    Pool pg = PgBuilder.pool().with(new PoolOptions().setMaxSize(64)).connectingTo(PgConnectOptions.fromUri(postgresUrl))
      .using(vertx).build();
    String run = UUID.randomUUID().toString().substring(0, 6);
    List<String> tokens = new ArrayList<>(players);
    for (int i = 0; i < players; i++) {
      tokens.add(UUID.randomUUID().toString().toUpperCase());
    }
    try {
      long fillStart = System.nanoTime();
      fill(redis, tokens, run, "move/up", 0);
      System.out.printf("filled Redis with %,d online players in %d ms%n", players, ms(fillStart));

      PersistenceVerticle verticle = new PersistenceVerticle();
      Map<String, Object> settings = new java.util.HashMap<>(Map.of(Settings.REDIS_URL.path(), redisUrl,
        Settings.POSTGRES_URL.path(), postgresUrl, Settings.FLUSH_INTERVAL.path(), 3600));
      if (batchSize != null) {
        settings.put(Settings.FLUSH_BATCH_SIZE.path(), batchSize);
      }
      if (poolSize != null) {
        settings.put(Settings.PG_POOL_SIZE.path(), poolSize);
      }
      NodeConfig config = NodeConfig.defaults().with(settings);
      await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config.toJson())));
      System.out.printf("batch size %d, pool size %d, %d cores%n", config.get(Settings.FLUSH_BATCH_SIZE),
        config.get(Settings.PG_POOL_SIZE), Runtime.getRuntime().availableProcessors());

      flush(verticle, redis, "all new (insert), cold");
      flush(verticle, redis, "none changed");
      // odd rounds: every player moved (action and datetime changed, extra fields as stored);
      // even rounds: every player's extra fields changed too
      Map<Boolean, List<Long>> updates = Map.of(false, new ArrayList<>(), true, new ArrayList<>());
      Map<Boolean, List<Long>> floors = Map.of(false, new ArrayList<>(), true, new ArrayList<>());
      for (int round = 1; round <= rounds; round++) {
        boolean extraChanged = round % 2 == 0;
        int hpShift = round / 2;
        fill(redis, tokens, run, "move/" + round, hpShift);
        updates.get(extraChanged).add(flush(verticle, redis, (extraChanged ? "all changed" : "all moved")
          + ", round " + round).lastDurationMs());
        floors.get(extraChanged).add(floor(vertx, redis, redisUrl, pg, tokens, run, "floor/" + round, hpShift,
          extraChanged, config.get(Settings.FLUSH_BATCH_SIZE), config.get(Settings.PG_POOL_SIZE)));
      }
      flush(verticle, redis, "none changed, warm");
      for (boolean extraChanged : List.of(false, true)) {
        List<Long> flushes = updates.get(extraChanged);
        if (flushes.isEmpty()) {
          continue;
        }
        long medianFlush = median(flushes);
        long medianFloor = median(floors.get(extraChanged));
        System.out.printf("%s: best %,d ms, median %,d ms, worst %,d ms over %d rounds; floor median %,d ms; "
            + "flush / floor %.2f%n",
          extraChanged ? "all changed, extra fields too" : "all moved, extra fields as stored",
          flushes.stream().min(Long::compare).orElseThrow(), medianFlush,
          flushes.stream().max(Long::compare).orElseThrow(), flushes.size(), medianFloor,
          medianFlush / (double) Math.max(1, medianFloor));
      }
      await(vertx.undeploy(verticle.deploymentID()));
      System.out.println("event-loop stalls over 100 ms: " + BlockedThreads.warnings().size());
      BlockedThreads.warnings().forEach(w -> System.out.println("  " + w));
    } finally {
      cleanUp(redis, pg, tokens, run);
      await(vertx.close());
    }
  }

  private static Map<String, String> extra(int i, int hpShift) {
    Map<String, String> extra = new java.util.LinkedHashMap<>();
    extra.put("hp", String.valueOf(100 - (i + hpShift) % 50));
    extra.put("mp", String.valueOf(i % 70));
    extra.put("speed", "1.5");
    extra.put("prefab", "Knight");
    if (!inventoryField.isEmpty()) {
      extra.put("inventory", inventoryField);
    }
    return extra;
  }

  /** About {@code bytes} of JSON text: a list of items, as a game would keep in a hash field. */
  private static String inventory(int bytes) {
    StringBuilder sb = new StringBuilder("[");
    for (int item = 0; sb.length() < bytes - 40; item++) {
      sb.append(item == 0 ? "" : ",").append("{\"id\":").append(1000 + item).append(",\"n\":").append(item % 7 + 1)
        .append('}');
    }
    return sb.append(']').toString();
  }

  static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }

  /**
   * The floor of a flush, in the same run: what any design pays to move these players from Redis to PostgreSQL,
   * with nothing in between. At once, on two fresh connections: the same reads (every player's hash and its
   * position in its map, pipelined a batch at a time, replies parsed and dropped) and the same write statements (the
   * batches' parameter arrays built before the clock starts, {@code poolSize} statements in flight). Left out, so
   * that the floor is if anything too low: the walk of {@code seed:online}, fingerprints, the flush lock, building
   * the rows from the replies.
   *
   * @return milliseconds until both the reads and the writes were done
   */
  private static long floor(Vertx vertx, Redis redis, String redisUrl, Pool pg, List<String> tokens, String run,
                            String action, int hpShift, boolean extraChanged, int batchSize, int poolSize) {
    OffsetDateTime readAt = OffsetDateTime.now();
    LocalDateTime now = LocalDateTime.now().withNano(0);
    List<Tuple> batches = new ArrayList<>();
    for (int from = 0; from < tokens.size(); from += batchSize) {
      List<PlayerState> states = new ArrayList<>();
      for (int i = from; i < Math.min(tokens.size(), from + batchSize); i++) {
        states.add(new PlayerState("bench-" + run + "-" + i, "bench-" + run + "-" + (i % MAPS),
          (i % 3600) / 20.0 - 90, (i % 1700) / 20.0 - 42.5, action, (i % 10) / 100.0, "10.0." + (i % 250) + ".1", now,
          extra(i, hpShift), readAt));
      }
      batches.add(extraChanged ? PgPlayerStore.toArrays(states) : PgPlayerStore.toArraysKeepingExtra(states));
    }
    List<RespRequests> reads = new ArrayList<>();
    for (int from = 0; from < tokens.size(); from += batchSize) {
      int to = Math.min(tokens.size(), from + batchSize);
      RespRequests requests = new RespRequests();
      for (int i = from; i < to; i++) {
        requests.command(2).arg("HGETALL").arg(RedisKeys.playerHash(tokens.get(i)));
      }
      for (int m = 0; m < MAPS; m++) {
        List<String> members = new ArrayList<>();
        for (int i = from + Math.floorMod(m - from, MAPS); i < to; i += MAPS) {
          members.add(tokens.get(i));
        }
        requests.command(2 + members.size()).arg("ZMSCORE").arg(RedisKeys.mapGeoSet("bench-" + run + "-" + m));
        members.forEach(requests::arg);
      }
      reads.add(requests);
    }
    RespConnection connection = await(RespConnection.connect(vertx, RedisEndpoint.parse(redisUrl), "flush-floor",
      30_000));
    Cpu cpu = new Cpu(redis);
    long start = System.nanoTime();
    Future<Void> read = inTurn(reads, poolSize, r -> connection.send(r).mapEmpty());
    Future<Void> written = inTurn(batches, poolSize,
      t -> pg.preparedQuery(extraChanged ? PlayerSql.UPSERT_BATCH : PlayerSql.UPDATE_KEEPING_EXTRA_BATCH).execute(t)
        .mapEmpty());
    await(Future.all(read, written));
    long ms = ms(start);
    System.out.printf("floor, same reads and upserts:   %,d rows in %,5d ms%s%s%n", tokens.size(), ms,
      " ".repeat(32), cpu.used());
    await(connection.close());
    return ms;
  }

  /** Runs {@code step} on every item, at most {@code inFlight} at a time; fails on the first failure. */
  private static <T> Future<Void> inTurn(List<T> items, int inFlight,
                                         java.util.function.Function<T, Future<Void>> step) {
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < inFlight; lane++) {
      lanes.add(lane(items, next, step));
    }
    return Future.all(lanes).mapEmpty();
  }

  private static <T> Future<Void> lane(List<T> items, java.util.concurrent.atomic.AtomicInteger next,
                                      java.util.function.Function<T, Future<Void>> step) {
    int i = next.getAndIncrement();
    if (i >= items.size()) {
      return Future.succeededFuture();
    }
    return step.apply(items.get(i)).compose(v -> lane(items, next, step));
  }

  private static void fill(Redis redis, List<String> tokens, String run, String action, int hpShift) {
    String now = LocalDateTime.now().withNano(0).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
    for (int from = 0; from < tokens.size(); from += FILL_BATCH) {
      List<Request> requests = new ArrayList<>();
      for (int i = from; i < Math.min(tokens.size(), from + FILL_BATCH); i++) {
        String token = tokens.get(i);
        String player = "bench-" + run + "-" + i;
        String map = "bench-" + run + "-" + (i % MAPS);
        requests.add(Request.cmd(Command.HSET).arg(RedisKeys.playerHash(token)).arg(RedisKeys.F_ID).arg(player)
          .arg(RedisKeys.F_MAP_ID).arg(map).arg(RedisKeys.F_TOKEN).arg(token).arg(RedisKeys.F_DATETIME).arg(now)
          .arg(RedisKeys.F_PING).arg("0.0" + (i % 10)).arg(RedisKeys.F_ACTION).arg(action)
          .arg(RedisKeys.F_IP).arg("10.0." + (i % 250) + ".1").arg("hp").arg(100 - (i + hpShift) % 50)
          .arg("mp").arg(i % 70)
          .arg("speed").arg("1.5").arg("prefab").arg("Knight"));
        if (!inventoryField.isEmpty()) {
          requests.add(Request.cmd(Command.HSET).arg(RedisKeys.playerHash(token)).arg("inventory").arg(inventoryField));
        }
        requests.add(Request.cmd(Command.GEOADD).arg(RedisKeys.mapGeoSet(map))
          .arg((i % 3600) / 20.0 - 90).arg((i % 1700) / 20.0 - 42.5).arg(token));
        requests.add(Request.cmd(Command.HSET).arg(RedisKeys.onlineShard(token)).arg(token).arg(player));
      }
      await(redis.batch(requests));
    }
  }

  private static FlushStats flush(PersistenceVerticle verticle, Redis redis, String what) {
    Cpu cpu = new Cpu(redis);
    FlushStats stats = await(verticle.flushNow());
    report(what, stats, cpu);
    if (stats.lastError() != null) {
      throw new IllegalStateException("flush failed: " + stats.lastError());
    }
    return stats;
  }

  private static void report(String what, FlushStats stats, Cpu cpu) {
    System.out.printf("flush, %-22s %,7d rows in %,5d ms   (backlog %d, failures %d)   %s%n", what + ":",
      stats.lastRowsWritten(), stats.lastDurationMs(), stats.backlog(), stats.failures(), cpu.used());
  }

  /** CPU time used since creation by this JVM, by Redis and (when local) by PostgreSQL: where a flush spends. */
  private static final class Cpu {
    private final Redis redis;
    private final long jvm = jvmCpuMs();
    private final long eventLoops = eventLoopCpuMs();
    private final Map<Long, Long> perLoop = perEventLoopCpuMs();
    private final long redisCpu;
    private final Map<String, Long> redisCalls;
    private final long postgres = postgresCpuMs();

    Cpu(Redis redis) {
      this.redis = redis;
      this.redisCpu = redisCpuMs(redis);
      this.redisCalls = redisCalls(redis);
    }

    String used() {
      long pg = postgresCpuMs();
      long busiest = 0;
      for (Map.Entry<Long, Long> e : perEventLoopCpuMs().entrySet()) {
        busiest = Math.max(busiest, e.getValue() - perLoop.getOrDefault(e.getKey(), 0L));
      }
      Map<String, Long> calls = redisCalls(redis);
      StringBuilder commands = new StringBuilder();
      calls.forEach((command, n) -> {
        long delta = n - redisCalls.getOrDefault(command, 0L);
        if (delta > 0 && !command.equals("info")) {
          commands.append(commands.length() == 0 ? "" : " ").append(command).append(' ').append(delta);
        }
      });
      return String.format("cpu: jvm %,d ms (event loops %,d ms, busiest %,d ms), redis %,d ms, postgres %s;"
          + " redis calls: %s", jvmCpuMs() - jvm, eventLoopCpuMs() - eventLoops, busiest, redisCpuMs(redis) - redisCpu,
        pg < 0 ? "?" : String.format("%,d ms", pg - postgres), commands);
    }

    /** Calls per command so far ({@code INFO commandstats}). */
    private static Map<String, Long> redisCalls(Redis redis) {
      String info = await(redis.send(Request.cmd(Command.INFO).arg("commandstats"))).toString();
      Map<String, Long> calls = new java.util.TreeMap<>();
      for (String line : info.split("\r?\n")) {
        int colon = line.indexOf(':');
        int at = line.indexOf("calls=");
        if (line.startsWith("cmdstat_") && colon > 0 && at > 0) {
          int end = line.indexOf(',', at);
          calls.put(line.substring(8, colon), Long.parseLong(line.substring(at + 6, end < 0 ? line.length() : end)));
        }
      }
      return calls;
    }

    private static long jvmCpuMs() {
      return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000;
    }

    /** CPU time of the Vert.x event-loop threads (the flush itself, without GC and JIT threads). */
    private static long eventLoopCpuMs() {
      java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
      long nanos = 0;
      for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
        if (t != null && t.getThreadName().startsWith("vert.x-eventloop-thread")) {
          nanos += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
        }
      }
      return nanos / 1_000_000;
    }

    private static Map<Long, Long> perEventLoopCpuMs() {
      java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
      Map<Long, Long> cpu = new java.util.HashMap<>();
      for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
        if (t != null && t.getThreadName().startsWith("vert.x-eventloop-thread")) {
          cpu.put(t.getThreadId(), Math.max(0, threads.getThreadCpuTime(t.getThreadId())) / 1_000_000);
        }
      }
      return cpu;
    }

    private static long redisCpuMs(Redis redis) {
      String info = await(redis.send(Request.cmd(Command.INFO).arg("cpu"))).toString();
      double seconds = 0;
      for (String line : info.split("\r?\n")) {
        if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
          seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      return (long) (seconds * 1000);
    }

    /** Sum of user and system time of local processes named postgres, or -1 when /proc cannot tell. */
    private static long postgresCpuMs() {
      try (java.util.stream.Stream<java.nio.file.Path> procs = java.nio.file.Files.list(java.nio.file.Path.of("/proc"))) {
        long ticks = 0;
        for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) procs::iterator) {
          if (!p.getFileName().toString().matches("\\d+")) {
            continue;
          }
          try {
            String stat = java.nio.file.Files.readString(p.resolve("stat"));
            String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            if (name.startsWith("postgres")) {
              String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
              ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
          } catch (java.io.IOException | RuntimeException e) {
            // the process ended meanwhile
          }
        }
        return ticks * 10;
      } catch (java.io.IOException e) {
        return -1;
      }
    }
  }

  private static void cleanUp(Redis redis, Pool pg, List<String> tokens, String run) {
    for (int from = 0; from < tokens.size(); from += FILL_BATCH) {
      List<Request> requests = new ArrayList<>();
      Request del = Request.cmd(Command.DEL);
      for (String token : tokens.subList(from, Math.min(tokens.size(), from + FILL_BATCH))) {
        requests.add(Request.cmd(Command.HDEL).arg(RedisKeys.onlineShard(token)).arg(token));
        del.arg(RedisKeys.playerHash(token));
      }
      requests.add(del);
      await(redis.batch(requests));
    }
    Request maps = Request.cmd(Command.DEL);
    for (int m = 0; m < MAPS; m++) {
      maps.arg(RedisKeys.mapGeoSet("bench-" + run + "-" + m));
    }
    await(redis.send(maps));
    await(pg.preparedQuery("DELETE FROM players WHERE id LIKE $1").execute(Tuple.of("bench-" + run + "-%")));
    // the 100,000 rows just deleted (and their older versions) are dead tuples: reclaim them now, for a PostgreSQL
    // that runs without autovacuum (as this machine's test server does) would otherwise grow with every run
    await(pg.query("VACUUM players").execute());
  }

  private static long ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  static <T> T await(Future<T> f) {
    return Await.await(f, Duration.ofSeconds(120));
  }

}
