package io.seedgate.node;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.vertx.core.Vertx;
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

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;

import static io.seedgate.testsupport.Eventually.until;
import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The faults production brings, over real processes (the shaded jar) on real Redis and PostgreSQL, with real
 * WebSocket clients; each scenario counts what was lost, left behind or wrong, and fails on any.
 */
class FaultSuiteIT {

  /** How soon after a crash no ghost of it may be left (the lease, 10 s by default, plus a sweep or two). */
  private static final long GHOST_FREE_WITHIN_MS = 15_000;
  /** Players of the mass-disconnect scenarios. */
  private static final int MASS = 2_000;
  /** Maps they are spread over: a few dozen players each, as in the 2021 game. */
  private static final int MAPS = 50;
  /** Players of the rolling restart. */
  private static final int ROLLING_PLAYERS = 60;

  private final Vertx vertx = Vertx.vertx();
  private final RedisAPI redis = RedisAPI.api(Redis.createClient(vertx,
    TestSupport.backingServices().get(Settings.REDIS_URL)));
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<TestClient> clients = new ArrayList<>();
  /** The client protocol's errors that are not followed by a close (README, "Client protocol"). */
  private static final Set<String> NOT_FATAL = Set.of("action not delivered, try again", "unknown model",
    "too many messages");
  /** What the rolling restart's players were told that was not "reconnect". */
  private final List<String> wrongErrors = new java.util.concurrent.CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws Exception {
    clients.forEach(TestClient::close);
    for (NodeProcess n : nodes) {
      n.close();
    }
    await(vertx.close());
  }

  /** A 2021 player: its token hash as the sign-in app wrote it, and its socket once logged in. */
  private final class Player {
    final String id;
    final String token;
    TestClient client;

    Player(String id, String map) {
      this.id = id;
      this.token = UUID.randomUUID().toString().toUpperCase();
      await(redis.hset(List.of(token, "id", id, "map_id", map)));
    }

    Player logIn(NodeProcess node) {
      client = TestClient.connect(vertx, node.wsPort);
      clients.add(client);
      client.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
      client.nextContaining("\"load\"");
      return this;
    }

    /** Whether anything it received said it was closed for another login, or its socket is closed. */
    boolean kicked() {
      boolean told = false;
      for (String text = client.nextText(0); text != null; text = client.nextText(0)) {
        told |= text.contains("logged in elsewhere");
      }
      return told || client.isClosed();
    }
  }

  @Test
  void killNineThenRestartWithTheSameNodeIdLeavesNoGhostAndClosesNoInnocentPlayer() throws Exception {
    NodeProcess node = NodeProcess.start("crash", new JsonObject());
    nodes.add(node);
    String map = "m" + UUID.randomUUID();
    List<Player> before = players(100, "71", map);
    before.forEach(p -> p.logIn(node));
    before.forEach(p -> p.client.sendBinary(new JsonObject().put("action", "move/up").put("pingTime", 0.25)));
    until("every move recorded", 10_000, () -> before.stream()
      .allMatch(p -> "move/up".equals(String.valueOf(await(redis.hget(p.token, "action"))))));

    node.kill9();
    long killedAt = System.currentTimeMillis();
    node.start();
    // at once, before the dead incarnation's sessions are ended: 100 players who were not online log in, then
    // half of the crashed ones come back; the stale entries of the first run must close none of them
    List<Player> innocent = players(100, "72", map);
    innocent.forEach(p -> p.logIn(node));
    List<Player> back = before.subList(0, 50);
    List<Player> gone = before.subList(50, 100);
    back.forEach(p -> p.logIn(node));

    Set<String> online = new HashSet<>();
    innocent.forEach(p -> online.add(p.token));
    back.forEach(p -> online.add(p.token));
    until("no ghost on the map", killedAt + GHOST_FREE_WITHIN_MS - System.currentTimeMillis(),
      () -> mapMembers(map).equals(online));
    long ghostFreeMs = System.currentTimeMillis() - killedAt;
    until("no session entry of a player who did not come back", 2_000,
      () -> gone.stream().allMatch(p -> await(redis.get(RedisKeys.sessionOwner(p.id))) == null));
    System.out.println("kill -9 and restart: no ghost " + ghostFreeMs + " ms after the kill");

    long wrongKicks = innocent.stream().filter(Player::kicked).count()
      + back.stream().filter(Player::kicked).count();
    assertEquals(0, wrongKicks, "players closed though they did nothing");
    for (Player p : innocent) {
      p.client.sendBinary(new JsonObject().put("action", "api/load"));
      p.client.nextContaining("\"load\"");
    }
    long ghostsOnline = gone.stream()
      .filter(p -> await(redis.hget(RedisKeys.onlineShard(p.token), p.token)) != null).count();
    assertEquals(0, ghostsOnline, "crashed players still listed online");
    assertEquals(2, incarnationsOf(node.id), "only the two gateway instances of the running node listed");
    List<Row> rows = savedRows(gone);
    assertEquals(gone.size(), rows.size(), () -> "every crashed player who did not come back saved; of them "
      + whereUnsaved(gone, rows) + "; node log: " + node.log);
    long notOffline = rows.stream().filter(r -> !"offline".equals(r.getString("action"))).count();
    assertEquals(0, notOffline, "rows not marked offline");
    long lostMoves = rows.stream().filter(r -> r.getDouble("ping") == null || r.getDouble("ping") != 0.25).count();
    assertEquals(0, lostMoves, "rows without the last move's ping");

    // the same node id dies again at once (a crash loop): its second run is cleaned up like the first
    node.kill9();
    long againAt = System.currentTimeMillis();
    node.start();
    until("no ghost of the second crash", againAt + GHOST_FREE_WITHIN_MS - System.currentTimeMillis(),
      () -> mapMembers(map).isEmpty());
    long secondMs = System.currentTimeMillis() - againAt;
    long left = java.util.stream.Stream.concat(innocent.stream(), back.stream())
      .filter(p -> await(redis.get(RedisKeys.sessionOwner(p.id))) != null).count();
    System.out.println("the same node id killed again: no ghost " + secondMs + " ms after the kill, " + left
      + " session entries left");
    assertEquals(0, left, "session entries of the second run left");
    assertEquals(2, incarnationsOf(node.id), "only the third run's two gateway instances listed");
  }

  @Test
  void sigtermDuringAMassDisconnectRecordsEverySessionEndAndSavesEveryone() throws Exception {
    NodeProcess node = NodeProcess.start("massleave", new JsonObject()
      .put("ops", new JsonObject().put("shutdownTimeoutSeconds", 30)));
    nodes.add(node);
    String map = "m" + UUID.randomUUID();
    List<Player> all = players(MASS, "73", map, MAPS);
    all.forEach(p -> p.logIn(node));
    all.forEach(p -> p.client.sendBinary(new JsonObject().put("action", "move/up").put("pingTime", 0.5)));
    until("every move recorded", 30_000, () -> all.stream()
      .allMatch(p -> "move/up".equals(String.valueOf(await(redis.hget(p.token, "action"))))));
    int warningsBefore = node.count(" WARN ") + node.count(" ERROR ");

    // the client process dies: every socket closes at once; the node is stopped while their ends are under way
    all.forEach(p -> p.client.closeNow());
    Thread.sleep(300);
    long stopAt = System.currentTimeMillis();
    int exit = node.sigterm(40);
    long stopMs = System.currentTimeMillis() - stopAt;
    assertTrue(exit == 0 || exit == 143, "a clean stop, not the watchdog's halt: " + exit);

    long sessionsLeft = all.stream().filter(p -> await(redis.get(RedisKeys.sessionOwner(p.id))) != null).count();
    long onlineLeft = all.stream()
      .filter(p -> await(redis.hget(RedisKeys.onlineShard(p.token), p.token)) != null).count();
    long onMap = IntStream.range(0, MAPS).map(i -> mapMembers(map + "-" + i).size()).sum();
    List<Row> rows = savedRows(all);
    long notOffline = rows.stream().filter(r -> !"offline".equals(r.getString("action"))).count();
    long lostMoves = rows.stream().filter(r -> r.getDouble("ping") == null || r.getDouble("ping") != 0.5).count();
    int warnings = node.count(" WARN ") + node.count(" ERROR ") - warningsBefore;
    System.out.printf("SIGTERM %d ms into a mass disconnect of %d: stopped in %d ms; left: %d sessions, %d online, "
        + "%d on the map, %d incarnations; %d rows missing, %d not offline, %d without the last move; %d WARN/ERROR "
        + "lines%n", 300, MASS, stopMs, sessionsLeft, onlineLeft, onMap, incarnationsOf(node.id), MASS - rows.size(),
      notOffline, lostMoves, warnings);
    assertEquals(0, sessionsLeft, "session entries left");
    assertEquals(0, onlineLeft, "online entries left");
    assertEquals(0, onMap, "ghosts on the map");
    assertEquals(0, incarnationsOf(node.id), "the stopped node's incarnations still listed");
    assertEquals(MASS, rows.size(), "players not saved");
    assertEquals(0, notOffline, "rows not marked offline");
    assertEquals(0, lostMoves, "rows without the last move");
    assertTrue(warnings <= 5, warnings + " WARN/ERROR lines for one burst:\n" + String.join("\n",
      java.nio.file.Files.readAllLines(node.log).stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
        .limit(20).toList()));
  }

  @Test
  void killNineOfOneNodeOfTwoThenOfTheWholeClusterLeavesNoGhost() throws Exception {
    startCluster("kill", 2);
    NodeProcess one = nodes.get(0);
    NodeProcess two = nodes.get(1);
    String map = "m" + UUID.randomUUID();
    List<Player> onOne = players(50, "75", map);
    List<Player> onTwo = players(50, "76", map);
    onOne.forEach(p -> p.logIn(one));
    onTwo.forEach(p -> p.logIn(two));

    two.kill9();
    long killedAt = System.currentTimeMillis();
    Set<String> alive = new HashSet<>();
    onOne.forEach(p -> alive.add(p.token));
    until("no ghost of the killed node on the map", GHOST_FREE_WITHIN_MS, () -> mapMembers(map).equals(alive));
    long oneNodeMs = System.currentTimeMillis() - killedAt;
    long wrong = onOne.stream().filter(Player::kicked).count();
    assertEquals(0, wrong, "players of the surviving node closed");

    one.kill9();
    killedAt = System.currentTimeMillis();
    one.start();
    two.start();
    until("no ghost of the whole cluster on the map", GHOST_FREE_WITHIN_MS - (System.currentTimeMillis() - killedAt),
      () -> mapMembers(map).isEmpty());
    long clusterMs = System.currentTimeMillis() - killedAt;
    List<Player> all = new ArrayList<>(onOne);
    all.addAll(onTwo);
    until("no session entry left", 2_000,
      () -> all.stream().allMatch(p -> await(redis.get(RedisKeys.sessionOwner(p.id))) == null));
    List<Row> rows = savedRows(all);
    long notOffline = rows.stream().filter(r -> !"offline".equals(r.getString("action"))).count();
    System.out.printf("kill -9 of one node of two: no ghost after %d ms; of the whole cluster, restarted: after %d ms; "
      + "%d rows missing, %d not offline%n", oneNodeMs, clusterMs, all.size() - rows.size(), notOffline);
    assertEquals(all.size(), rows.size(), "players not saved");
    assertEquals(0, notOffline, "rows not marked offline");
    assertEquals(4, incarnationsOf(one.id) + incarnationsOf(two.id), "only the running incarnations listed");
  }

  /**
   * A JWT player that keeps moving right: each move is confirmed by its own echo in the map's update, which
   * carries its position; after any reconnect its position must go on from the last one confirmed.
   */
  private final class Mover {
    final String id;
    final String jwt;
    double confirmedX;
    int reconnects;
    long lost;
    long wrongCloses;
    TestClient client;

    Mover(String id, String map) {
      this.id = id;
      io.vertx.ext.auth.jwt.JWTAuth auth = io.vertx.ext.auth.jwt.JWTAuth.create(vertx,
        new io.vertx.ext.auth.jwt.JWTAuthOptions().addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions()
          .setAlgorithm("HS256").setBuffer(TestNode.JWT_SECRET)));
      this.jwt = auth.generateToken(new JsonObject().put("sub", id).put("map", map),
        new io.vertx.ext.auth.JWTOptions().setExpiresInSeconds(3600));
    }

    void connect(NodeProcess node) {
      client = TestClient.connect(vertx, node.wsPort, "/?token=" + jwt, io.vertx.core.MultiMap.caseInsensitiveMultiMap());
      clients.add(client);
      client.sendBinary(new JsonObject().put("action", "api/load"));
      client.nextContaining("\"load\"");
    }

    /**
     * One move; false when the connection went away (told to reconnect, or closed) before its echo came.
     */
    boolean move() {
      if (client.isClosed()) {
        return false;
      }
      try {
        client.sendBinary(new JsonObject().put("action", "move/right"));
      } catch (AssertionError | RuntimeException e) {
        return false;
      }
      long deadline = System.currentTimeMillis() + 5_000;
      while (System.currentTimeMillis() < deadline) {
        String text = client.nextText(Math.max(1, deadline - System.currentTimeMillis()));
        if (text == null) {
          break;
        }
        if (text.contains("\"error\"")) {
          JsonObject error = new JsonObject(text);
          if (NOT_FATAL.contains(error.getString("error"))) {
            // the README's errors that close nothing: this move was not played; the next one goes on from here
            wrongErrors.add(id + " (not fatal, retried): " + text);
            return true;
          }
          if (!Boolean.TRUE.equals(error.getBoolean("reconnect"))) {
            wrongCloses++;
            wrongErrors.add(id + ": " + text);
          }
          return false;
        }
        if (text.contains("move_right")) {
          JsonObject me = new JsonObject(text).getJsonArray("players").getJsonObject(0);
          if (id.equals(String.valueOf(me.getValue("id")))) {
            double x = me.getJsonArray("position").getDouble(0);
            if (x < confirmedX + 0.5 - 1e-6) {
              lost++;
            }
            confirmedX = x;
            return true;
          }
        }
      }
      return !client.isClosed();
    }
  }

  @Test
  void aRollingRestartOfThreeNodesUnderLoadLosesNoUpdateAndClosesNoInnocentPlayer() throws Exception {
    startCluster("roll", 3);
    String map = "m" + UUID.randomUUID();
    String run = Integer.toString((int) (Math.random() * 100_000));
    List<Mover> movers = new ArrayList<>();
    for (int i = 0; i < ROLLING_PLAYERS; i++) {
      Mover m = new Mover("74" + run + String.format("%04d", i), map + "-" + (i % 10));
      m.connect(nodes.get(i % 3));
      movers.add(m);
    }
    int[] at = new int[ROLLING_PLAYERS];
    for (int i = 0; i < ROLLING_PLAYERS; i++) {
      at[i] = i % 3;
    }
    List<String> timings = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      NodeProcess draining = nodes.get(n);
      long drainAt = System.currentTimeMillis();
      java.util.concurrent.CompletableFuture<Long> restarted = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try (OpsHttp http = new OpsHttp(vertx, draining.opsPort, TestNode.ADMIN_TOKEN)) {
          assertEquals(202, http.post("/admin/nodes/" + draining.id + "/drain", null).status());
          draining.awaitExit(60);
          long exited = System.currentTimeMillis();
          draining.start();
          return exited;
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      while (!restarted.isDone()) {
        moveAll(movers, at, n);
      }
      long exitedAt = restarted.join();
      timings.add(String.format("%s drained in %d ms, back in %d ms", draining.id, exitedAt - drainAt,
        System.currentTimeMillis() - exitedAt));
      for (int r = 0; r < 3; r++) {
        moveAll(movers, at, -1);
      }
    }
    long lost = movers.stream().mapToLong(m -> m.lost).sum();
    long wrong = movers.stream().mapToLong(m -> m.wrongCloses).sum();
    int reconnects = movers.stream().mapToInt(m -> m.reconnects).sum();
    for (NodeProcess node : nodes) {
      node.sigterm(40);
    }
    List<Row> rows = new ArrayList<>();
    SqlClient pg = PgBuilder.client()
      .connectingTo(PgConnectOptions.fromUri(TestSupport.backingServices().get(Settings.POSTGRES_URL)))
      .using(vertx).build();
    try {
      await(pg.preparedQuery("select id, position_x from players where id = any($1)")
        .execute(Tuple.of(movers.stream().map(m -> m.id).toArray(String[]::new)))).forEach(rows::add);
    } finally {
      pg.close();
    }
    java.util.Map<String, Double> saved = new java.util.HashMap<>();
    rows.forEach(r -> saved.put(r.getString("id"), r.getDouble("position_x")));
    long notSaved = movers.stream().filter(m -> saved.get(m.id) == null
      || Math.abs(saved.get(m.id) - m.confirmedX) > 1e-6).count();
    System.out.println("rolling restart of 3 nodes under " + ROLLING_PLAYERS + " moving players: " + timings
      + "; " + reconnects + " reconnects, " + lost + " lost updates, " + wrong + " wrong closes, " + notSaved
      + " last positions not saved; errors other than reconnect: " + wrongErrors);
    assertEquals(0, lost, "moves lost across a drain");
    assertEquals(0, wrong, "players closed for another reason than the drain: " + wrongErrors);
    assertEquals(0, notSaved, "last confirmed positions not in PostgreSQL");
    assertTrue(reconnects >= ROLLING_PLAYERS, "every player went through at least one drain: " + reconnects);
  }

  /**
   * Starts {@code n} clustered node processes (into {@link #nodes}) without the example service, and one example
   * service in this JVM for all of them: a node's own would stop with it, and two would play every action twice.
   */
  private void startCluster(String name, int n) throws Exception {
    String cluster = "seed-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    java.nio.file.Path xml = NodeProcess.clusterXml(cluster);
    String prefix = "action:" + cluster + ":";
    JsonObject conf = new JsonObject().put("routing", new JsonObject().put("actionChannelPrefix", prefix))
      .put("examples", new JsonObject().put("javaService", false));
    for (int i = 0; i < n; i++) {
      nodes.add(NodeProcess.start(name + i, conf, xml));
    }
    await(vertx.deployVerticle(io.seedgate.examples.ExampleGameService::new, new io.vertx.core.DeploymentOptions()
      .setConfig(new JsonObject().put("redisUrl", TestSupport.backingServices().get(Settings.REDIS_URL))
        .put("actionChannelPrefix", prefix))));
  }

  /** One move of every player; one told to reconnect (or cut off) connects to a node other than the draining one. */
  private void moveAll(List<Mover> movers, int[] at, int draining) {
    for (int i = 0; i < movers.size(); i++) {
      Mover m = movers.get(i);
      if (!m.move()) {
        m.client.close();
        at[i] = (at[i] + 1) % 3 == draining ? (at[i] + 2) % 3 : (at[i] + 1) % 3;
        m.connect(nodes.get(at[i]));
        m.reconnects++;
      }
    }
  }

  private List<Player> players(int n, String idPrefix, String map) {
    return players(n, idPrefix, map, 1);
  }

  /** Players spread over {@code maps} maps ({@code <map>-<i>}) when more than one. */
  private List<Player> players(int n, String idPrefix, String map, int maps) {
    List<Player> list = new ArrayList<>();
    String run = Integer.toString((int) (Math.random() * 100_000));
    for (int i = 0; i < n; i++) {
      list.add(new Player(idPrefix + run + String.format("%05d", i), maps == 1 ? map : map + "-" + (i % maps)));
    }
    return list;
  }

  private Set<String> mapMembers(String map) {
    Set<String> members = new HashSet<>();
    for (Response r : await(redis.zrange(List.of(RedisKeys.mapGeoSet(map), "0", "-1")))) {
      members.add(r.toString());
    }
    return members;
  }

  private int incarnationsOf(String nodeId) {
    int n = 0;
    for (Response value : await(redis.hvals(RedisKeys.INCARNATIONS))) {
      n += value.toString().startsWith(nodeId + "|") ? 1 : 0;
    }
    return n;
  }

  /** For a failed "saved" check: how many of the players without a row still have a hash, are listed unsaved. */
  private String whereUnsaved(List<Player> players, List<Row> rows) {
    Set<String> saved = new HashSet<>();
    rows.forEach(r -> saved.add(r.getString("id")));
    List<Player> missing = players.stream().filter(p -> !saved.contains(p.id)).toList();
    long withHash = missing.stream().filter(p -> await(redis.exists(List.of(p.token))).toInteger() == 1).count();
    long listedUnsaved = missing.stream()
      .filter(p -> await(redis.sismember(RedisKeys.UNSAVED, p.token)).toInteger() == 1).count();
    return missing.size() + " without a row, " + withHash + " with a hash in Redis, " + listedUnsaved
      + " in " + RedisKeys.UNSAVED;
  }

  private List<Row> savedRows(List<Player> players) {
    SqlClient pg = PgBuilder.client()
      .connectingTo(PgConnectOptions.fromUri(TestSupport.backingServices().get(Settings.POSTGRES_URL)))
      .using(vertx).build();
    try {
      List<Row> rows = new ArrayList<>();
      await(pg.preparedQuery("select id, action, ping from players where id = any($1)")
        .execute(Tuple.of(players.stream().map(p -> p.id).toArray(String[]::new)))).forEach(rows::add);
      return rows;
    } finally {
      pg.close();
    }
  }
}
