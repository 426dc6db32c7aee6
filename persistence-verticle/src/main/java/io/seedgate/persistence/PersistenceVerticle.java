package io.seedgate.persistence;

import io.seedgate.common.Addresses;
import io.seedgate.common.BurstLog;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.Failures;
import io.seedgate.common.GatewayException;
import io.seedgate.common.LogContext;
import io.seedgate.common.config.ConfigException;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.common.lifecycle.LocalRoles;
import io.seedgate.common.redis.RedisTopology;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * The persistence role: keeps player state from Redis in PostgreSQL. A singleton per node; several nodes may run it.
 *
 * <p>Its deployment config is a node config ({@link NodeConfig}). {@link #start()} migrates the schema
 * ({@link SchemaMigrator}), connects to Redis and registers its consumers, then completes:
 * <ul>
 *   <li>{@link Addresses#SAVE_PLAYER}: writes the player, in a batch with the saves that came meanwhile
 *   ({@link LeaveSaves}); the reply fails with {@link ErrorCode#UNAVAILABLE} when Redis or PostgreSQL fails, so that
 *   the caller keeps the Redis state;</li>
 *   <li>{@link Addresses#LOAD_PLAYER}: the saved state of a player, as hash fields;</li>
 *   <li>{@link io.seedgate.common.Addresses#PERSISTENCE_STATS}: {@link #stats()}.</li>
 * </ul>
 * Every {@code persistence.flushIntervalSeconds} it flushes the changed online players ({@link Flusher}), one node
 * at a time. After a failed flush the next one is due an interval later, and meanwhile PostgreSQL ({@code SELECT 1})
 * and Redis ({@code PING}) are probed every {@link #PROBE_INTERVAL_MS}: when a probe finds them both answering
 * after one found either not answering, the flush runs at once. {@link #stop()} flushes once more before closing its
 * connections.
 */
public class PersistenceVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PersistenceVerticle.class);

  /** PostgreSQL cancels a statement running longer (sent as the {@code statement_timeout} session setting). */
  static final long STATEMENT_TIMEOUT_MS = 30_000;
  /** A statement not answered by then fails on our side too (the server may be unreachable). */
  static final long CLIENT_TIMEOUT_MS = 40_000;
  /** How long a save request may wait for a pooled connection. */
  static final int POOL_WAIT_SECONDS = 10;
  static final int POOL_MAX_WAITING = 1_024;
  /** How often PostgreSQL and Redis are probed while the flush is failing. */
  static final long PROBE_INTERVAL_MS = 1_000;
  /** A probe not answered by then counts as "not answering". */
  static final long PROBE_TIMEOUT_MS = 2_000;
  /** How long {@link #stop()} waits for this node's router to finish ending sessions. */
  private static final long ROUTER_STOP_BOUND_MS = 35_000;
  /** How long {@link #stop()} waits for another node's flush to release the lock. */
  static final long STOP_LOCK_WAIT_MS = 10_000;
  private static final long STOP_LOCK_POLL_MS = 100;
  /**
   * At most one WARN a minute for failed flush cycles and loads: while PostgreSQL is away every cycle (one per
   * interval) and every JWT login's load fails, and a line each buried the rest of the log.
   */
  static final long FAILURE_WARN_EVERY_MS = 60_000;
  private final BurstLog flushFailures = new BurstLog(LOG, FAILURE_WARN_EVERY_MS);
  private final BurstLog loadFailures = new BurstLog(LOG, FAILURE_WARN_EVERY_MS);

  private final UnaryOperator<PlayerStore> storeDecorator;

  private Pool pool;
  private FlushConnection flushRedis;
  private PlayerStore store;
  private RedisPlayerReader reader;
  private Flusher flusher;
  private LeaveSaves saves;
  private final Fingerprints fingerprints = new Fingerprints();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private long intervalMs;
  private long flushTimer = -1;
  private long probeTimer = -1;
  /** This instance counted as the node's running persistence, from the end of its start until its stop ends. */
  private LocalRoles.Registration role;
  /** When the last failed cycle started ({@link System#nanoTime}). */
  private long failedCycleStartNs;
  /** When the last probe that found PostgreSQL or Redis not answering was sent. */
  private long probeFailedNs;
  /** Whether that probe was sent after the last failed cycle started: the flush then waits for them to answer. */
  private volatile boolean unreachable;
  private final AtomicLong probesAnswered = new AtomicLong();
  /** Whether a probe's statements are still out (even past its timeout): at most one is. */
  private boolean probeInFlight;
  private Future<Flusher.Result> runningFlush;
  private boolean stopping;
  private volatile FlushStats stats = FlushStats.initial("");

  public PersistenceVerticle() {
    this(UnaryOperator.identity());
  }

  /**
   * @param storeDecorator wraps the PostgreSQL {@link PlayerStore} (to observe or replace it, e.g. in tests)
   */
  public PersistenceVerticle(UnaryOperator<PlayerStore> storeDecorator) {
    this.storeDecorator = storeDecorator;
  }

  /** The flush statistics; safe to call from any thread. */
  public FlushStats stats() {
    return stats;
  }

  @Override
  public Future<?> start() {
    NodeConfig config = NodeConfig.load(config(), Map.of());
    String nodeId = config.get(Settings.NODE_ID).isEmpty() ? "node" : config.get(Settings.NODE_ID);
    String owner = nodeId + "-" + UUID.randomUUID().toString().substring(0, 8);
    stats = FlushStats.initial(owner);
    intervalMs = config.get(Settings.FLUSH_INTERVAL) * 1000L;
    RedisTopology redis;
    try {
      redis = config.redis();
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }

    PgConnectOptions connect = PgConnectOptions.fromUri(config.get(Settings.POSTGRES_URL))
      .setCachePreparedStatements(true)
      .addProperty("statement_timeout", Long.toString(STATEMENT_TIMEOUT_MS))
      .addProperty("application_name", "seed-persistence")
      // every statement here has one good plan whatever its parameters (a key lookup per row of a batch); a custom
      // plan for a large batch could turn the update of players into a scan of the whole table
      .addProperty("plan_cache_mode", "force_generic_plan");
    PoolOptions poolOptions = new PoolOptions()
      .setMaxSize(config.get(Settings.PG_POOL_SIZE))
      .setMaxWaitQueueSize(POOL_MAX_WAITING)
      .setConnectionTimeout(POOL_WAIT_SECONDS)
      .setConnectionTimeoutUnit(TimeUnit.SECONDS)
      // encode and decode on event loops of their own: a flush builds large statements
      .setEventLoopSize(config.get(Settings.PG_POOL_SIZE));
    pool = PgBuilder.pool().with(poolOptions).connectingTo(connect).using(vertx).build();
    store = storeDecorator.apply(new PgPlayerStore(pool, CLIENT_TIMEOUT_MS));

    return vertx.executeBlocking(SchemaMigrator::loadMigrations)
      .compose(migrations -> new SchemaMigrator(pool).migrate(migrations))
      .compose(applied -> {
        flushRedis = new FlushConnection(vertx, redis, owner + "-flush");
        reader = new RedisPlayerReader(flushRedis);
        return flushRedis.open();
      })
      .compose(opened -> {
        FlushLock lock = new FlushLock(flushRedis, owner, 2 * intervalMs);
        flusher = new Flusher(vertx, flushRedis, store, lock, fingerprints, config.get(Settings.FLUSH_BATCH_SIZE),
          config.get(Settings.PG_POOL_SIZE));
        saves = new LeaveSaves(context, flushRedis, reader, store, fingerprints, rows -> stats = stats.saved(rows),
          () -> stats.node());
        return Future.all(
          register(Addresses.SAVE_PLAYER, this::save),
          register(Addresses.LOAD_PLAYER, this::load),
          register(Addresses.PERSISTENCE_STATS, msg -> msg.reply(stats.toJson())));
      })
      .onSuccess(v -> {
        role = LocalRoles.started(vertx, Settings.ROLE_PERSISTENCE);
        LOG.info("[persistence: {}] started, flushing every {} ms", owner, intervalMs);
        scheduleFlush(intervalMs);
      })
      .recover(err -> closeAll().transform(ignored -> Future.failedFuture(err)));
  }

  /**
   * Stops taking requests, waits for a running flush and the saves still queued, flushes once more (waiting up to
   * {@link #STOP_LOCK_WAIT_MS} for another node's flush to end), then closes the connections. Fails when that last
   * flush failed: the Redis state is then still there for another node to flush.
   */
  @Override
  public Future<?> stop() {
    return LocalRoles.whenStopped(vertx, Settings.ROLE_ROUTER, ROUTER_STOP_BOUND_MS)
      .transform(routerDone -> stopAfterRouter())
      .eventually(() -> {
        if (role != null) {
          role.stopped();
        }
        return Future.succeededFuture();
      });
  }

  /** The router saves leaving players through this verticle: stop only once it is done. */
  private Future<?> stopAfterRouter() {
    stopping = true;
    vertx.cancelTimer(flushTimer);
    stopProbing();
    List<Future<?>> unregistering = new ArrayList<>();
    consumers.forEach(c -> unregistering.add(c.unregister()));
    Future<?> running = Future.join(runningFlush == null ? Future.succeededFuture() : runningFlush,
      saves == null ? Future.succeededFuture() : saves.whenIdle());
    Promise<Void> finalFlush = Promise.promise();
    Future.join(unregistering)
      .transform(v -> running.transform(ignored -> Future.succeededFuture()))
      .transform(v -> finalFlush(System.currentTimeMillis() + STOP_LOCK_WAIT_MS))
      .onComplete(finalFlush);
    return finalFlush.future()
      .transform(flushed -> closeAll().transform(closed -> {
        if (flushed.failed()) {
          Failures.error(LOG, "[persistence: {}] last flush failed, {} changed players left in Redis: {}",
            stats.node(), stats.backlog(), flushed.cause());
          return Future.failedFuture(flushed.cause());
        }
        return Future.succeededFuture();
      }));
  }

  private Future<Void> finalFlush(long deadline) {
    if (flusher == null) {
      return Future.succeededFuture();
    }
    return runFlush().compose(result -> {
      if (result.ran()) {
        return result.failure() == null ? Future.succeededFuture() : Future.failedFuture(result.failure());
      }
      if (System.currentTimeMillis() >= deadline) {
        return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE,
          "the flush lock stayed held by another node"));
      }
      return vertx.timer(STOP_LOCK_POLL_MS).compose(t -> finalFlush(deadline));
    });
  }

  private <T> Future<Void> register(String address, io.vertx.core.Handler<Message<T>> handler) {
    MessageConsumer<T> consumer = vertx.eventBus().consumer(address, handler);
    consumers.add(consumer);
    return consumer.completion();
  }

  private void scheduleFlush(long delayMs) {
    if (!stopping) {
      flushTimer = vertx.setTimer(delayMs, t -> afterRunning().onComplete(ar -> scheduleFlush(nextDelay())));
    }
  }

  /**
   * Runs a flush cycle now, after the one running if any (for tools and benchmarks; call from any thread).
   *
   * @return the statistics once it has run; fails only when the verticle is not started
   */
  Future<FlushStats> flushNow() {
    Promise<FlushStats> done = Promise.promise();
    if (context == null || flusher == null) {
      return Future.failedFuture(new IllegalStateException("not started"));
    }
    context.runOnContext(v -> afterRunning().map(r -> stats).onComplete(done));
    return done.future();
  }

  /** Runs a cycle once the running one (if any) has ended; on the verticle's context. */
  private Future<Flusher.Result> afterRunning() {
    Future<?> before = runningFlush == null ? Future.succeededFuture() : runningFlush;
    Future<Flusher.Result> cycle = before.transform(ignored -> runFlush());
    runningFlush = cycle;
    cycle.onComplete(ar -> {
      if (runningFlush == cycle) {
        runningFlush = null;
      }
    });
    return cycle;
  }

  /**
   * The interval, after a good cycle and after a failed one alike: a longer wait after failures (it was
   * interval x 2^(failures-1), up to 5 minutes) left every player's state unwritten long after PostgreSQL was back.
   * A failed cycle is retried sooner when the probes see the servers come back ({@link #startProbing}).
   */
  private long nextDelay() {
    return intervalMs;
  }

  /** Whether a probe since the last failed cycle found PostgreSQL or Redis not answering (for tests). */
  boolean unreachable() {
    return unreachable;
  }

  /** Batches of saves on leave written since start (for tests). */
  long saveBatches() {
    return saves == null ? 0 : saves.batches();
  }

  /** Probes that found both servers answering, since start (for tests). */
  long probesAnswered() {
    return probesAnswered.get();
  }

  /**
   * After a failed cycle (started at {@code cycleStartNs}): probes at once, then every {@link #PROBE_INTERVAL_MS},
   * until a cycle succeeds or the verticle stops.
   */
  private void startProbing(long cycleStartNs) {
    failedCycleStartNs = cycleStartNs;
    unreachable = probeTimer != -1 && probeFailedNs - cycleStartNs > 0;
    if (probeTimer != -1 || stopping) {
      return;
    }
    probeTimer = vertx.setPeriodic(1, PROBE_INTERVAL_MS, t -> probe());
  }

  private void stopProbing() {
    if (probeTimer != -1) {
      vertx.cancelTimer(probeTimer);
      probeTimer = -1;
    }
    unreachable = false;
  }

  /**
   * Asks PostgreSQL {@code SELECT 1} (one pooled connection, never more: a probe still out skips the next tick) and
   * Redis {@code PING} over the flush's connection (reopened if lost). When one answers after a probe found either
   * not answering since the last failed cycle started, that failure is taken for their outage and the flush runs at
   * once (a cycle running meanwhile is waited for: the next probe looks again). A failure that is not an outage
   * (a statement too slow, the lock lost) is retried an interval later, never in a loop.
   */
  private void probe() {
    if (probeInFlight || stopping) {
      return;
    }
    probeInFlight = true;
    long sentNs = System.nanoTime();
    Future<?> postgres = pool.query("SELECT 1").execute();
    Future<?> redis = flushRedis.open().compose(v -> flushRedis.send(Request.cmd(Command.PING)));
    Future.join(postgres, redis).onComplete(ar -> probeInFlight = false);
    Future.all(postgres, redis).timeout(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(ar -> {
      if (probeTimer == -1) {
        return;
      }
      if (ar.failed()) {
        if (!unreachable) {
          Failures.log(LOG, Level.DEBUG, "[persistence: {}] probe while the flush fails: {}", stats.node(),
            ar.cause());
        }
        probeFailedNs = sentNs;
        unreachable = sentNs - failedCycleStartNs > 0;
        return;
      }
      probesAnswered.incrementAndGet();
      if (unreachable && runningFlush == null) {
        unreachable = false;
        LOG.info("[persistence: {}] PostgreSQL and Redis answer again: flushing now", stats.node());
        flushAtOnce();
      }
    });
  }

  /** Runs a cycle now, in place of the one scheduled. */
  private void flushAtOnce() {
    if (stopping) {
      return;
    }
    vertx.cancelTimer(flushTimer);
    afterRunning().onComplete(ar -> scheduleFlush(nextDelay()));
  }

  /** Runs one flush cycle and records it in {@link #stats}. Never fails: a failure is in the result. */
  private Future<Flusher.Result> runFlush() {
    long start = System.nanoTime();
    return flusher.flush().transform(ar -> {
      long durationMs = (System.nanoTime() - start) / 1_000_000;
      Flusher.Result r = ar.succeeded() ? ar.result() : new Flusher.Result(true, 0, 0, ar.cause());
      if (!r.ran()) {
        stats = stats.skippedCycle();
        return Future.succeededFuture(r);
      }
      stats = stats.cycle(Instant.now(), r.written(), durationMs, r.backlog(), r.failure());
      if (r.failure() != null) {
        startProbing(start);
      } else {
        stopProbing();
      }
      if (r.failure() != null) {
        flushFailures.failed("[persistence: {}] flush failed after {} rows, {} left for the next one: {}",
          stats.node(), r.written(), r.backlog(), r.failure());
      } else {
        flushFailures.recovered("[persistence: {}] flushed again, {} rows", stats.node(), r.written());
      }
      if (r.failure() == null && r.written() > 0) {
        LOG.debug("[persistence: {}] flushed {} rows in {} ms", stats.node(), r.written(), durationMs);
      }
      return Future.succeededFuture(r);
    });
  }

  private void save(Message<JsonObject> msg) {
    JsonObject body = msg.body();
    String player = body == null ? null : body.getString("player");
    String token = body == null ? null : body.getString("token");
    if (player == null || player.isEmpty() || token == null || token.isEmpty()) {
      msg.fail(ErrorCode.MALFORMED.code(), "save-player needs 'player' and 'token'");
      return;
    }
    saves.save(player, token, body.getString("map")).onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(new JsonObject().put("saved", ar.result()));
      } else {
        // a failed burst is logged once, by LeaveSaves; the caller keeps the Redis state
        msg.fail(ErrorCode.UNAVAILABLE.code(), String.valueOf(ar.cause().getMessage()));
      }
    });
  }

  private void load(Message<JsonObject> msg) {
    JsonObject body = msg.body();
    String player = body == null ? null : body.getString("player");
    if (player == null || player.isEmpty()) {
      msg.fail(ErrorCode.MALFORMED.code(), "load-player needs 'player'");
      return;
    }
    store.load(player).onComplete(ar -> {
      if (ar.failed()) {
        try (LogContext ignored = LogContext.of(LogContext.PLAYER, player)) {
          loadFailures.failed("[persistence: {}, player: {}] load failed: {}", stats.node(), player, ar.cause());
        }
        msg.fail(ErrorCode.UNAVAILABLE.code(), String.valueOf(ar.cause().getMessage()));
      } else if (ar.result() == null) {
        loadFailures.recovered("[persistence: {}] loads work again", stats.node());
        msg.reply(new JsonObject().put("found", false));
      } else {
        loadFailures.recovered("[persistence: {}] loads work again", stats.node());
        PlayerState state = ar.result();
        JsonObject fields = new JsonObject();
        state.toHashFields().forEach(fields::put);
        msg.reply(new JsonObject().put("found", true).put("map", state.mapId()).put("fields", fields));
      }
    });
  }

  private Future<Void> closeAll() {
    List<Future<?>> closing = new ArrayList<>();
    if (flushRedis != null) {
      closing.add(flushRedis.close());
    }
    if (pool != null) {
      closing.add(pool.close());
    }
    return Future.join(closing).mapEmpty();
  }
}
