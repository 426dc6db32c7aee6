package io.seedgate.node;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.seedgate.testsupport.RedisDatabase;
import io.seedgate.testsupport.TcpProxy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static io.seedgate.testsupport.Eventually.until;
import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis and PostgreSQL going away under load, over a real node process (the shaded jar) with real WebSocket
 * clients: each backing server is reached through a {@link TcpProxy} of this JVM, cut (every connection closed,
 * new ones refused, as when the server is stopped) and started again, or partitioned (nothing forwarded) and
 * healed; the machine's servers are never touched. Players keep moving throughout, and some leave during each
 * outage. Each scenario counts what was lost, left behind or wrong, prints its figures (BENCHMARKS.md, "Faults")
 * and fails on any, and on more than a handful of WARN/ERROR lines for the outage.
 *
 * <p>The node uses a Redis database of its own ({@link RedisDatabase#lease leased} per test), which the "came back
 * empty" scenario empties (FLUSHDB). Pub/Sub channels are not per database: every map id, and each node's control and broadcast channel,
 * is unique to the run.
 */
class BackingOutageIT {

  private static final int PLAYERS = 200;
  private static final int MAPS = 10;
  private static final long MOVE_EVERY_MS = 500;
  private static final int FLUSH_SECONDS = 5;
  /** How long PostgreSQL stays away (issue 16/22 asks for 60 s). */
  private static final long PG_OUTAGE_MS = 60_000;
  /** How long the network to PostgreSQL drops everything. */
  private static final long PG_PARTITION_MS = 20_000;
  /** How long Redis stays away: a restart. */
  private static final long REDIS_OUTAGE_MS = 3_000;
  /** Players who leave while PostgreSQL is away, from 10 s into it, one every {@link #LEAVE_EVERY_MS}. */
  private static final int LEAVERS = 20;
  private static final long LEAVE_EVERY_MS = 400;
  /** Players who log in again after Redis came back empty (the first session must be closed). */
  private static final int RELOGINS = 20;
  private static final String NOT_DELIVERED = "action not delivered";
  /** Players of the stop-while-Redis-is-away scenario. */
  private static final int STOP_PLAYERS = 50;
  /** How soon after a restart a dead run's sessions must be ended: the lease (10 s) plus a sweep or two. */
  private static final long GHOSTS_GONE_WITHIN_MS = 15_000;
  /**
   * WARN/ERROR lines one outage may cost, whatever the number of players: a line per failure kind (one per
   * failed save, flush, action... was 33 for the PostgreSQL outage and 161 for Redis coming back empty, with 200
   * players), plus for Redis one per lost connection (two per gateway instance, two for the router, the example
   * service's, the persistence's) and per gateway instance's lease.
   */
  private static final int PG_OUTAGE_MAX_WARNINGS = 5;
  private static final int REDIS_OUTAGE_MAX_WARNINGS = 20;

  private final Vertx vertx = Vertx.vertx();
  private final URI redisServer = URI.create(TestSupport.backingServices().get(Settings.REDIS_URL));
  private final RedisDatabase database = RedisDatabase.lease(redisServer.toString(), "BackingOutageIT");
  private final URI pgServer = URI.create(TestSupport.backingServices().get(Settings.POSTGRES_URL));
  /** The test's own connection: straight to the server, never through a proxy. */
  private final Redis redisClient = Redis.createClient(vertx, redisUrl(redisServer.getPort()));
  private final RedisAPI redis = RedisAPI.api(redisClient);
  private final WebSocketClient wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
    .setMaxFrameSize(1 << 22).setMaxMessageSize(1 << 22).setMaxConnections(10_000));
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<TcpProxy> proxies = new ArrayList<>();
  private final List<Player> players = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    players.forEach(Player::stopMoving);
    for (NodeProcess n : nodes) {
      if (n.alive()) {
        try {
          n.sigterm(45);
        } catch (AssertionError e) {
          System.out.println("node did not stop: " + e.getMessage().lines().findFirst().orElse(""));
        }
      }
      n.close();
    }
    for (TcpProxy p : proxies) {
      p.stop().otherwiseEmpty().toCompletionStage().toCompletableFuture().join();
    }
    try {
      await(vertx.close());
    } finally {
      database.close();
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 1. PostgreSQL stopped for 60 s under load

  @Test
  void postgresStoppedUnderLoadLosesNoUpdateAndNoLeave() throws Exception {
    postgresAway(false, PG_OUTAGE_MS);
  }

  /**
   * The same with the network to PostgreSQL dropping everything (no refusal, no close: statements and connection
   * attempts hang) and then healing: what was sent meanwhile arrives late.
   */
  @Test
  void postgresPartitionedUnderLoadLosesNoUpdateAndNoLeave() throws Exception {
    postgresAway(true, PG_PARTITION_MS);
  }

  /** PostgreSQL away for {@code outageMs}: stopped (refusing), or {@code partitioned} (silent). */
  private void postgresAway(boolean partitioned, long outageMs) throws Exception {
    String kind = partitioned ? "partitioned" : "stopped";
    TcpProxy pg = proxy(pgServer);
    NodeProcess node = start("pg" + kind, redisUrl(redisServer.getPort()), pgUrl(pg.port()));
    OpsHttp ops = new OpsHttp(vertx, node.opsPort, null);
    List<Player> all = players(PLAYERS, "81");
    logIn(all, node);
    all.forEach(Player::startMoving);
    until("every player's moves in Redis", 15_000, () -> stale(all) == 0);
    assertEquals(200, ops.get("/ready").status(), "ready before the outage");

    int logMark = logLines(node);
    if (partitioned) {
      pg.partition();
    } else {
      await(pg.stop());
    }
    long cutAt = System.currentTimeMillis();
    List<Player> leavers = all.subList(0, LEAVERS);
    List<Player> staying = all.subList(LEAVERS, all.size());
    long firstNotReadyMs = -1;
    int samples = 0;
    int readyAfterNotReady = 0;
    boolean stoppedLeavers = false;
    boolean left = false;
    while (System.currentTimeMillis() < cutAt + outageMs) {
      long tick = System.currentTimeMillis();
      long into = tick - cutAt;
      if (!stoppedLeavers && into > 9_000) {
        leavers.forEach(Player::stopMoving); // their last move well before the close
        stoppedLeavers = true;
      }
      if (!left && into > 10_000) {
        // one after the other, as players do, each save its own burst
        CompletableFuture.runAsync(() -> leavers.forEach(p -> {
          p.leave();
          WebSocketGatewayTest.sleep(LEAVE_EVERY_MS);
        }));
        left = true;
      }
      int status = ops.get("/ready").status();
      samples++;
      if (status != 200 && firstNotReadyMs < 0) {
        firstNotReadyMs = System.currentTimeMillis() - cutAt;
      } else if (status == 200 && firstNotReadyMs >= 0) {
        readyAfterNotReady++;
      }
      WebSocketGatewayTest.sleep(Math.max(0, 1_000 - (System.currentTimeMillis() - tick)));
    }
    // the leavers' saves failed (stopped) or still wait (partitioned): their state must still be in Redis, and
    // listed for a later save once it failed
    long leaversKept = leavers.stream().filter(p -> await(redis.exists(List.of(p.token))).toInteger() == 1
      && (partitioned || await(redis.sismember(RedisKeys.UNSAVED, p.token)).toBoolean())).count();
    long kickedDuringOutage = staying.stream().filter(Player::kicked).count();
    int outageWarnings = warnings(node, logMark).size();

    if (partitioned) {
      pg.heal();
    } else {
      await(pg.start());
    }
    long restoredAt = System.currentTimeMillis();
    long readyAgainMs = -1;
    while (System.currentTimeMillis() < restoredAt + 15_000) {
      if (ops.get("/ready").status() == 200) {
        readyAgainMs = System.currentTimeMillis() - restoredAt;
        break;
      }
      WebSocketGatewayTest.sleep(200);
    }
    WebSocketGatewayTest.sleep(2_000); // players keep moving a little after the restore
    staying.forEach(Player::stopMoving);
    long stoppedAt = System.currentTimeMillis();
    until("every staying player's last move in Redis", 5_000, () -> stale(staying) == 0);
    // every player's last update in PostgreSQL within one flush interval (+ a few seconds) of the last move
    long deadline = stoppedAt + FLUSH_SECONDS * 1000L + 5_000;
    long currentMs = -1;
    Counts pgState = null;
    while (System.currentTimeMillis() < deadline) {
      pgState = pgState(staying, leavers);
      if (pgState.wrong() == 0) {
        currentMs = System.currentTimeMillis() - restoredAt;
        break;
      }
      WebSocketGatewayTest.sleep(250);
    }
    if (currentMs < 0) {
      pgState = pgState(staying, leavers);
    }
    long leaverHashesLeft = leavers.stream().filter(p -> await(redis.exists(List.of(p.token))).toInteger() == 1)
      .count();
    long unsavedLeft = leavers.stream().filter(p -> await(redis.sismember(RedisKeys.UNSAVED, p.token)).toBoolean())
      .count();
    long kicked = staying.stream().filter(Player::kicked).count();
    List<String> burst = warnings(node, logMark);
    ops.close();

    System.out.printf("PostgreSQL " + kind + " %d s under %d players moving every %d ms on %d maps, %d leaving "
        + "during it: "
        + "/ready 503 %d ms after the cut (%d samples, %d answered 200 after that), 200 again %d ms after the "
        + "restore; %d of %d leavers kept in Redis for a later save; every row current %d ms after the restore "
        + "(flush every %d s); %d rows missing, %d stale, %d leavers not offline or stale, %d leaver hashes and %d "
        + "seed:unsaved entries left; %d players kicked; %d WARN/ERROR lines (%d during the outage):%n%s%n",
      outageMs / 1000, PLAYERS, MOVE_EVERY_MS, MAPS, LEAVERS, firstNotReadyMs, samples, readyAfterNotReady,
      readyAgainMs, leaversKept, LEAVERS, currentMs, FLUSH_SECONDS, pgState.missing, pgState.stale,
      pgState.leaversWrong, leaverHashesLeft, unsavedLeft, kicked, burst.size(), outageWarnings,
      String.join("\n", burst));
    assertTrue(firstNotReadyMs >= 0 && firstNotReadyMs <= 5_000, "/ready not 503 soon after the cut: "
      + firstNotReadyMs);
    assertEquals(0, readyAfterNotReady, "/ready answered 200 while PostgreSQL was away");
    assertTrue(readyAgainMs >= 0 && readyAgainMs <= 5_000, "/ready not 200 soon after the restore: " + readyAgainMs);
    assertEquals(LEAVERS, leaversKept, "leavers whose unsaved state was not kept in Redis");
    assertEquals(0, kickedDuringOutage, "players closed while PostgreSQL was away");
    assertEquals(0, pgState.missing, "rows missing");
    assertEquals(0, pgState.stale, "rows without the last move");
    assertEquals(0, pgState.leaversWrong, "leavers not saved offline with their last move");
    assertEquals(0, leaverHashesLeft, "leavers' hashes left in Redis after their save");
    assertEquals(0, unsavedLeft, "seed:unsaved entries left");
    assertEquals(0, kicked, "players closed");
    assertTrue(burst.size() <= PG_OUTAGE_MAX_WARNINGS, burst.size() + " WARN/ERROR lines for one outage");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 2. Redis restarted with persistence: every connection drops, the data stays

  @Test
  void redisConnectionsDroppedUnderLoadComeBackWithoutLosingAPlayer() throws Exception {
    TcpProxy rp = proxy(redisServer);
    NodeProcess node = start("redisdrop", redisUrl(rp.port()), pgUrl(pgServer.getPort()));
    List<Player> everyone = players(PLAYERS, "82");
    logIn(everyone, node);
    everyone.forEach(Player::startMoving);
    until("every player receives its map's moves", 15_000,
      () -> everyone.stream().allMatch(p -> p.mapDeliveries.get() > 0));
    until("every player's moves in Redis", 15_000, () -> stale(everyone) == 0);
    // some players close their game while Redis is away (their last move well before)
    List<Player> leavers = everyone.subList(0, LEAVERS);
    List<Player> all = everyone.subList(LEAVERS, everyone.size());
    leavers.forEach(Player::stopMoving);
    until("the leavers' last moves in Redis", 5_000, () -> stale(leavers) == 0);
    Map<Player, String> owners = sessionOwners(all);
    int logMark = logLines(node);

    await(rp.stop());
    long cutAt = System.currentTimeMillis();
    WebSocketGatewayTest.sleep(REDIS_OUTAGE_MS / 3);
    leavers.forEach(Player::leave);
    WebSocketGatewayTest.sleep(Math.max(0, cutAt + REDIS_OUTAGE_MS - System.currentTimeMillis()));
    await(rp.start());
    long restoredAt = System.currentTimeMillis();
    // the sessions that ended while Redis was away are ended once it is back: offline, saved, off the map
    CompletableFuture<Long> ghostsGone = CompletableFuture.supplyAsync(() -> {
      while (System.currentTimeMillis() < restoredAt + 15_000) {
        if (ghosts(leavers) == 0) {
          return System.currentTimeMillis() - restoredAt;
        }
        WebSocketGatewayTest.sleep(100);
      }
      return -1L;
    });
    Map<Player, Integer> deliveriesAtRestore = new HashMap<>();
    all.forEach(p -> deliveriesAtRestore.put(p, p.mapDeliveries.get()));

    long markersMs = publishMarkersUntilEveryoneHasOne(all, restoredAt + 20_000) - restoredAt;
    long noMarker = all.stream().filter(p -> p.markers.isEmpty()).count();
    until("every player receives moves after the restore", Math.max(1, restoredAt + 20_000
      - System.currentTimeMillis()), () -> all.stream()
      .allMatch(p -> p.mapDeliveries.get() > deliveriesAtRestore.get(p)));
    long movesBackMs = System.currentTimeMillis() - restoredAt;
    WebSocketGatewayTest.sleep(Math.max(0, restoredAt + 6_000 - System.currentTimeMillis()));
    all.forEach(Player::stopMoving);
    long refused = 0;
    long deadline = System.currentTimeMillis() + 5_000;
    while ((refused = stale(all)) > 0 && System.currentTimeMillis() < deadline) {
      WebSocketGatewayTest.sleep(200);
    }
    long kicked = all.stream().filter(Player::kicked).count();
    Map<Player, String> after = sessionOwners(all);
    long sessionsChanged = all.stream().filter(p -> owners.get(p) == null || !owners.get(p).equals(after.get(p)))
      .count();
    long notDelivered = all.stream().mapToLong(p -> p.errorsContaining(NOT_DELIVERED)).sum();
    long ghostsGoneMs = ghostsGone.join();
    long ghosts = ghosts(leavers);
    Counts leaverRows = pgState(List.of(), leavers);
    List<String> burst = warnings(node, logMark);

    System.out.printf("Redis connections cut for %d ms under %d players moving every %d ms on %d maps: every "
        + "player got a map:<id> delivery %d ms after the restore (%d never did), the service's moves again %d ms "
        + "after; %d players whose last action did not reach Redis, %d kicked, %d session entries changed; %d "
        + "'action not delivered' errors meanwhile; %d players leaving during the cut: ended %d ms after the restore, "
        + "%d still listed online (session, map or online entry), %d rows missing, %d not offline with the last "
        + "move; %d WARN/ERROR lines:%n%s%n",
      restoredAt - cutAt, PLAYERS, MOVE_EVERY_MS, MAPS, markersMs, noMarker, movesBackMs, refused, kicked,
      sessionsChanged, notDelivered, LEAVERS, ghostsGoneMs, ghosts, leaverRows.missing, leaverRows.leaversWrong,
      burst.size(), String.join("\n", burst));
    assertEquals(0, noMarker, "players who got no map delivery after the restore");
    assertEquals(0, refused, "players whose actions are not accepted after the restore");
    assertEquals(0, kicked, "players closed");
    assertEquals(0, sessionsChanged, "session entries lost or changed");
    assertEquals(0, ghosts, "players who left during the cut still listed online");
    assertEquals(0, leaverRows.missing, "rows of players who left during the cut missing");
    assertEquals(0, leaverRows.leaversWrong, "players who left during the cut not saved offline with their last move");
    assertTrue(burst.size() <= REDIS_OUTAGE_MAX_WARNINGS, burst.size() + " WARN/ERROR lines for one outage");
  }

  /**
   * SIGTERM while Redis is away, some players having left just before: the node stops at once (nothing it could
   * record waits), and once Redis is back a node started again with the same config ends every session the stop
   * could not record (the dead run's lease lapses; a router's sweep ends its sessions).
   */
  @Test
  void sigtermWhileRedisIsAwayLeavesNoGhostOnceItIsBack() throws Exception {
    TcpProxy rp = proxy(redisServer);
    NodeProcess node = start("redisstop", redisUrl(rp.port()), pgUrl(pgServer.getPort()));
    List<Player> all = players(STOP_PLAYERS, "84");
    logIn(all, node);
    all.forEach(Player::startMoving);
    until("every player's moves in Redis", 15_000, () -> stale(all) == 0);
    all.forEach(Player::stopMoving);
    until("every player's last move in Redis", 5_000, () -> stale(all) == 0);
    int logMark = logLines(node);

    await(rp.stop());
    all.subList(0, LEAVERS).forEach(Player::leave);
    WebSocketGatewayTest.sleep(1_000);
    long stopAt = System.currentTimeMillis();
    int exit = node.sigterm(45);
    long stopMs = System.currentTimeMillis() - stopAt;
    List<String> burst = warnings(node, logMark);
    await(rp.start());
    node.start();
    long restartedAt = System.currentTimeMillis();
    long ghostsGoneMs = -1;
    while (System.currentTimeMillis() < restartedAt + GHOSTS_GONE_WITHIN_MS) {
      if (ghosts(all) == 0) {
        ghostsGoneMs = System.currentTimeMillis() - restartedAt;
        break;
      }
      WebSocketGatewayTest.sleep(200);
    }
    long ghosts = ghosts(all);
    Counts rows = pgState(List.of(), all);
    long timeoutClaims = burst.stream().filter(l -> l.contains("still closing after")).count();

    System.out.printf("SIGTERM 1 s into a Redis cut, %d of %d players having left in it: exit %d after %d ms; once "
        + "Redis is back and the node started again, no ghost %d ms after the start (%d left), %d rows missing, %d "
        + "not offline with the last move; %d WARN/ERROR lines at the stop:%n%s%n", LEAVERS, STOP_PLAYERS, exit, stopMs,
      ghostsGoneMs, ghosts, rows.missing, rows.leaversWrong, burst.size(), String.join("\n", burst));
    assertTrue(exit == 0 || exit == 143, "a clean stop, not the watchdog's halt: " + exit);
    assertTrue(stopMs < 10_000, "the stop waited " + stopMs + " ms");
    assertEquals(0, timeoutClaims, "a shutdown timeout logged that did not happen");
    assertEquals(0, ghosts, "players still listed online");
    assertEquals(0, rows.missing, "rows missing");
    assertEquals(0, rows.leaversWrong, "players not saved offline with their last move");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 3. Redis restarted without persistence: it comes back empty

  @Test
  void redisComingBackEmptyGetsEveryLivePlayerBack() throws Exception {
    TcpProxy rp = proxy(redisServer);
    NodeProcess node = start("redisempty", redisUrl(rp.port()), pgUrl(pgServer.getPort()));
    List<Player> all = players(PLAYERS, "83");
    logIn(all, node);
    all.forEach(Player::startMoving);
    until("every player's moves in Redis", 15_000, () -> stale(all) == 0);
    until("every player in PostgreSQL", 15_000, () -> pgState(all, List.of()).missing == 0);
    int logMark = logLines(node);

    await(rp.stop());
    long cutAt = System.currentTimeMillis();
    await(redis.flushdb(List.of()));
    WebSocketGatewayTest.sleep(REDIS_OUTAGE_MS);
    await(rp.start());
    long restoredAt = System.currentTimeMillis();

    long backMs = -1;
    Counts back = null;
    while (System.currentTimeMillis() < restoredAt + 10_000) {
      back = redisState(all);
      if (back.wrong() == 0) {
        backMs = System.currentTimeMillis() - restoredAt;
        break;
      }
      WebSocketGatewayTest.sleep(200);
    }
    if (backMs < 0) {
      back = redisState(all);
    }
    WebSocketGatewayTest.sleep(Math.max(0, restoredAt + 5_000 - System.currentTimeMillis()));
    all.forEach(Player::stopMoving);
    long stoppedAt = System.currentTimeMillis();
    until("every player's last move in Redis", 5_000, () -> stale(all) == 0);
    long flushedMs = -1;
    Counts pgState = null;
    while (System.currentTimeMillis() < stoppedAt + FLUSH_SECONDS * 1000L + 5_000) {
      pgState = pgState(all, List.of());
      if (pgState.wrong() == 0) {
        flushedMs = System.currentTimeMillis() - stoppedAt;
        break;
      }
      WebSocketGatewayTest.sleep(250);
    }
    if (flushedMs < 0) {
      pgState = pgState(all, List.of());
    }
    Set<Player> kicked = new HashSet<>(all.stream().filter(Player::kicked).toList());

    // a second login of the same player still closes the first session
    List<Player> again = all.subList(0, RELOGINS);
    List<Player> seconds = new ArrayList<>();
    long secondRefused = 0;
    long firstNotClosed = 0;
    for (Player p : again) {
      Player second = new Player(p.id, p.token, p.map);
      try {
        second.logIn(node);
      } catch (AssertionError e) {
        secondRefused++;
        continue;
      }
      long until = System.currentTimeMillis() + 5_000;
      while (!(p.closed && p.errorsContaining("logged in elsewhere") > 0) && System.currentTimeMillis() < until) {
        WebSocketGatewayTest.sleep(20);
      }
      if (!(p.closed && p.errorsContaining("logged in elsewhere") > 0)) {
        firstNotClosed++;
      }
      players.add(second);
      seconds.add(second);
    }
    // the first sessions of those were closed on purpose: from now on only the others and the second ones count
    all.subList(RELOGINS, all.size()).stream().filter(Player::kicked).forEach(kicked::add);
    seconds.stream().filter(Player::kicked).forEach(kicked::add);
    List<String> burst = warnings(node, logMark);

    System.out.printf("Redis came back empty after %d ms away under %d players moving on %d maps: every live "
        + "player back %d ms after the restore (%d sessions, %d map members, %d online entries, %d hashes missing "
        + "or incomplete); moves after it in PostgreSQL %d ms after the last one (%d rows missing, %d stale); "
        + "second logins: %d refused, %d first sessions not closed; %d players kicked; %d WARN/ERROR lines:%n%s%n",
      restoredAt - cutAt, PLAYERS, MAPS, backMs, back.sessions, back.maps, back.online, back.hashes, flushedMs,
      pgState.missing, pgState.stale, secondRefused, firstNotClosed, kicked.size(), burst.size(),
      String.join("\n", burst));
    assertEquals(0, back.sessions, "session directory entries not back");
    assertEquals(0, back.maps, "players not back on their map");
    assertEquals(0, back.online, "online entries not back");
    assertEquals(0, back.hashes, "hashes without their id or map_id");
    assertEquals(0, pgState.missing, "rows missing");
    assertEquals(0, pgState.stale, "rows without the last move");
    assertEquals(0, secondRefused, "second logins refused");
    assertEquals(0, firstNotClosed, "first sessions not closed by a second login");
    assertEquals(0, kicked.size(), "players closed");
    assertTrue(burst.size() <= REDIS_OUTAGE_MAX_WARNINGS, burst.size() + " WARN/ERROR lines for one outage");
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** Missing or wrong entries, by kind. */
  private record Counts(long missing, long stale, long leaversWrong, long sessions, long maps, long online,
                        long hashes) {
    long wrong() {
      return missing + stale + leaversWrong + sessions + maps + online + hashes;
    }
  }

  /** A 2021 player: its token hash as the sign-in app wrote it, and its socket once logged in. */
  private final class Player {
    final String id;
    final String token;
    final String map;
    private volatile WebSocket ws;
    private Context context;
    private final Promise<Void> loaded = Promise.promise();
    private volatile boolean moving;
    private long timer = -1;
    private int seq;
    /** The pingTime of the last move written to the socket. */
    volatile double lastPing = -1;
    final AtomicInteger mapDeliveries = new AtomicInteger();
    final Set<String> markers = ConcurrentHashMap.newKeySet();
    final List<String> errors = new CopyOnWriteArrayList<>();
    volatile boolean closed;
    volatile boolean leftOnPurpose;

    Player(String id, String map) {
      this(id, UUID.randomUUID().toString().toUpperCase(), map);
      await(redis.hset(List.of(token, "id", id, "map_id", map)));
    }

    Player(String id, String token, String map) {
      this.id = id;
      this.token = token;
      this.map = map;
    }

    void logIn(NodeProcess node) {
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.wsPort)
        .setURI("/");
      ws = await(wsClient.connect(options).map(socket -> {
        context = Vertx.currentContext();
        socket.textMessageHandler(this::received);
        socket.binaryMessageHandler(b -> received(b.toString()));
        socket.closeHandler(v -> closed = true);
        return socket;
      }));
      await(ws.writeBinaryMessage(new JsonObject().put("token", token).put("action", "api/load").toBuffer()));
      await(loaded.future().timeout(10, java.util.concurrent.TimeUnit.SECONDS));
    }

    private void received(String text) {
      if (text.startsWith("{\"error\"")) {
        errors.add(text);
      } else if (text.startsWith("{\"marker\"")) {
        markers.add(new JsonObject(text).getString("marker"));
      } else if (text.contains("\"action\":\"load\"")) {
        loaded.tryComplete();
      } else if (text.contains("\"players\"")) {
        mapDeliveries.incrementAndGet();
      }
    }

    /** A move every {@link #MOVE_EVERY_MS}, each with a new pingTime, on the socket's own event loop. */
    void startMoving() {
      moving = true;
      context.runOnContext(v -> timer = vertx.setPeriodic(ThreadLocalRandom.current().nextLong(1, MOVE_EVERY_MS),
        MOVE_EVERY_MS, t -> move()));
    }

    private void move() {
      if (!moving || closed) {
        return;
      }
      seq++;
      double ping = seq / 1000.0;
      ws.writeBinaryMessage(new JsonObject().put("action", seq % 2 == 0 ? "move/down" : "move/up")
        .put("pingTime", ping).toBuffer()).onSuccess(v -> lastPing = ping);
    }

    void stopMoving() {
      moving = false;
      if (context != null) {
        context.runOnContext(v -> vertx.cancelTimer(timer));
      }
    }

    /** Closes the socket as a client leaving does (close handshake). */
    void leave() {
      leftOnPurpose = true;
      stopMoving();
      ws.close();
    }

    long errorsContaining(String fragment) {
      return errors.stream().filter(e -> e.contains(fragment)).count();
    }

    /** Closed though it did not leave, or told anything fatal (everything but "action not delivered"). */
    boolean kicked() {
      return (closed && !leftOnPurpose) || errors.stream().anyMatch(e -> !e.contains(NOT_DELIVERED));
    }
  }

  private List<Player> players(int n, String idPrefix) {
    String run = idPrefix + (int) (Math.random() * 100_000);
    String mapPrefix = "o" + UUID.randomUUID().toString().substring(0, 8) + "-";
    List<Player> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(new Player(run + String.format("%04d", i), mapPrefix + (i % MAPS)));
    }
    players.addAll(list);
    return list;
  }

  private static void logIn(List<Player> list, NodeProcess node) {
    list.forEach(p -> p.logIn(node));
  }

  /** Players still moving or not whose hash does not hold the ping of their last move. */
  private long stale(List<Player> list) {
    return list.stream().filter(p -> {
      Response ping = await(redis.hget(p.token, RedisKeys.F_PING));
      return p.lastPing < 0 || ping == null || Math.abs(Double.parseDouble(ping.toString()) - p.lastPing) > 1e-9;
    }).count();
  }

  /** Each player's row against its last move: {@code online} should be current, {@code left} also offline. */
  private Counts pgState(List<Player> online, List<Player> left) {
    List<Player> all = new ArrayList<>(online);
    all.addAll(left);
    Map<String, Row> rows = new HashMap<>();
    SqlClient pg = PgBuilder.client().connectingTo(PgConnectOptions.fromUri(pgServer.toString())).using(vertx).build();
    try {
      await(pg.preparedQuery("select id, action, ping from players where id = any($1)")
        .execute(Tuple.of(all.stream().map(p -> p.id).toArray(String[]::new))))
        .forEach(r -> rows.put(r.getString("id"), r));
    } finally {
      pg.close();
    }
    Predicate<Player> current = p -> {
      Row r = rows.get(p.id);
      return r.getDouble("ping") != null && Math.abs(r.getDouble("ping") - p.lastPing) < 1e-9;
    };
    long missing = all.stream().filter(p -> !rows.containsKey(p.id)).count();
    long stale = online.stream().filter(p -> rows.containsKey(p.id) && !current.test(p)).count();
    long leaversWrong = left.stream().filter(p -> rows.containsKey(p.id)
      && (!current.test(p) || !RedisKeys.ACTION_OFFLINE.equals(rows.get(p.id).getString("action")))).count();
    return new Counts(missing, stale, leaversWrong, 0, 0, 0, 0);
  }

  /** Players with any trace of a live session left: a session entry, map membership or online entry. */
  private long ghosts(List<Player> list) {
    Map<String, Set<String>> members = new HashMap<>();
    return list.stream().filter(p -> await(redis.get(RedisKeys.sessionOwner(p.id))) != null
      || members.computeIfAbsent(p.map, this::mapMembers).contains(p.token)
      || await(redis.hget(RedisKeys.onlineShard(p.token), p.token)) != null).count();
  }

  /** What a live player needs in Redis: its session entry, map membership, online entry, and hash id/map_id. */
  private Counts redisState(List<Player> list) {
    Map<String, Set<String>> members = new HashMap<>();
    long sessions = 0;
    long maps = 0;
    long online = 0;
    long hashes = 0;
    for (Player p : list) {
      Response owner = await(redis.get(RedisKeys.sessionOwner(p.id)));
      sessions += owner != null && owner.toString().endsWith("|" + p.token) ? 0 : 1;
      maps += members.computeIfAbsent(p.map, this::mapMembers).contains(p.token) ? 0 : 1;
      Response listed = await(redis.hget(RedisKeys.onlineShard(p.token), p.token));
      online += listed != null && p.id.equals(listed.toString()) ? 0 : 1;
      Response hash = await(redis.hmget(List.of(p.token, RedisKeys.F_ID, RedisKeys.F_MAP_ID)));
      hashes += p.id.equals(String.valueOf(hash.get(0))) && p.map.equals(String.valueOf(hash.get(1))) ? 0 : 1;
    }
    return new Counts(0, 0, 0, sessions, maps, online, hashes);
  }

  private Set<String> mapMembers(String map) {
    Set<String> members = new HashSet<>();
    for (Response r : await(redis.zrange(List.of(RedisKeys.mapGeoSet(map), "0", "-1")))) {
      members.add(r.toString());
    }
    return members;
  }

  private Map<Player, String> sessionOwners(List<Player> list) {
    Map<Player, String> owners = new HashMap<>();
    for (Player p : list) {
      Response owner = await(redis.get(RedisKeys.sessionOwner(p.id)));
      owners.put(p, owner == null ? null : owner.toString());
    }
    return owners;
  }

  /**
   * Publishes {@code {"marker":..}} on every map's channel, straight to Redis, every 500 ms until every player
   * received one or the deadline passed; returns when that was.
   */
  private long publishMarkersUntilEveryoneHasOne(List<Player> list, long deadline) {
    Set<String> maps = new HashSet<>();
    list.forEach(p -> maps.add(p.map));
    int round = 0;
    while (System.currentTimeMillis() < deadline) {
      if (list.stream().noneMatch(p -> p.markers.isEmpty())) {
        break;
      }
      String marker = "r" + round++;
      for (String m : maps) {
        await(redis.publish(RedisKeys.mapChannel(m), new JsonObject().put("marker", marker).encode()));
      }
      WebSocketGatewayTest.sleep(500);
    }
    return System.currentTimeMillis();
  }

  private NodeProcess start(String name, String redisUrl, String pgUrl) throws Exception {
    // Pub/Sub is not per database: control and broadcast channels of its own, or other tests' kicks of their own
    // players reach this node (and log a WARN each)
    String channels = "outage-" + UUID.randomUUID().toString().substring(0, 8);
    NodeProcess node = NodeProcess.start(name, new JsonObject()
      .put("routing", new JsonObject().put("controlChannel", channels + ":control")
        .put("broadcastChannel", channels + ":broadcast"))
      .put("redis", new JsonObject().put("url", redisUrl))
      .put("postgres", new JsonObject().put("url", pgUrl))
      .put("persistence", new JsonObject().put("flushIntervalSeconds", FLUSH_SECONDS))
      .put("ops", new JsonObject().put("shutdownTimeoutSeconds", 30)));
    nodes.add(node);
    return node;
  }

  private TcpProxy proxy(URI server) {
    TcpProxy proxy = new TcpProxy(vertx, server.getHost(), server.getPort());
    await(proxy.start());
    proxies.add(proxy);
    return proxy;
  }

  /** The machine's Redis (or one of its proxies, on {@code port}), on the test's database. */
  private String redisUrl(int port) {
    String auth = redisServer.getRawUserInfo() == null ? "" : redisServer.getRawUserInfo() + "@";
    return "redis://" + auth + "127.0.0.1:" + port + "/" + database.index();
  }

  /** The machine's PostgreSQL, or one of its proxies, on {@code port}. */
  private String pgUrl(int port) {
    String auth = pgServer.getRawUserInfo() == null ? "" : pgServer.getRawUserInfo() + "@";
    return "postgresql://" + auth + "127.0.0.1:" + port + pgServer.getRawPath();
  }

  private static int logLines(NodeProcess node) throws Exception {
    return Files.readAllLines(node.log).size();
  }

  /** The node's WARN and ERROR lines after line {@code from}, each cut to 300 characters. */
  private static List<String> warnings(NodeProcess node, int from) throws Exception {
    List<String> lines = Files.readAllLines(node.log);
    return lines.subList(Math.min(from, lines.size()), lines.size()).stream()
      .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
      .map(l -> l.length() > 300 ? l.substring(0, 300) + "..." : l).toList();
  }
}
