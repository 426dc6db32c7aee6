package io.seedgate.node;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.seedgate.testsupport.RedisClusterServers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole client protocol on a real Redis Cluster of three masters started by the test ({@code redis.mode}
 * {@code cluster}), with classic Pub/Sub here and sharded in {@link RedisClusterShardedTest}: login, actions through the example service, deliveries by token, player, map and
 * broadcast, kick and set-map on the control channel, the periodic flush and leaving. The players are picked so that
 * each one's hash (its token) and directory entry ({@code seed:session:<player>}) live on a different master, and
 * the map on one of them: every command that touches keys of several players, or a player and its map, crosses
 * shards. Skipped, with the reason, where {@code redis-server} or {@code redis-cli} is missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisClusterTest {

  protected RedisClusterServers cluster;
  protected TestNode node;
  /** One node of the cluster, for classic PUBLISHes in order. */
  private io.vertx.redis.client.RedisAPI onOneNode;

  /** The {@code routing.pubsub} this class runs with. */
  protected String pubsub() {
    return Settings.PUBSUB_CLASSIC;
  }

  /** The {@code routing.actionChannels} this class runs with (0: classic action channels). */
  protected int actionChannels() {
    return 0;
  }

  /**
   * How a service publishes a delivery in this class's mode: SPUBLISH for sharded subscriptions (the cluster client
   * sends it to the channel's shard), else PUBLISH on one node's connection (through the cluster client it would go
   * to any node, and two messages through different nodes may arrive in either order).
   */
  protected void deliver(String channel, String payload) {
    await(Settings.PUBSUB_SHARDED.equals(pubsub()) ? node.redis.spublish(channel, payload)
      : onOneNode.publish(channel, payload));
  }

  @BeforeAll
  void start() {
    Assumptions.assumeTrue(RedisClusterServers.available(), RedisClusterServers::whyUnavailable);
    cluster = RedisClusterServers.start(3, 0);
    Map<String, Object> settings = new HashMap<>();
    settings.put(Settings.REDIS_MODE.path(), Settings.REDIS_CLUSTER);
    settings.put(Settings.REDIS_ENDPOINTS.path(), new JsonArray(cluster.seeds().subList(0, 2)));
    settings.put(Settings.ROLES.path(), new JsonArray(List.of("gateway", "router", "persistence")));
    settings.put(Settings.FLUSH_INTERVAL.path(), 1);
    settings.put(Settings.PUBSUB.path(), pubsub());
    settings.put(Settings.ACTION_CHANNELS.path(), actionChannels());
    node = TestNode.start(settings);
    onOneNode = io.vertx.redis.client.RedisAPI.api(io.vertx.redis.client.Redis.createClient(node.vertx,
      cluster.seeds().get(0)));
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void playersOnThreeShardsLoadMoveAndSeeEachOthersMovesOnTheirMap() {
    String map = newMap();
    List<Player> players = onEveryMaster(map);
    List<TestClient> clients = new ArrayList<>();
    try {
      for (Player p : players) {
        clients.add(loggedIn(p.token));
      }
      clients.get(0).sendBinary(new JsonObject().put("action", "move/up"));
      for (TestClient c : clients) {
        JsonObject move = c.nextContaining("move_up");
        assertEquals(Long.parseLong(players.get(0).id), move.getJsonArray("players").getJsonObject(0).getLong("id"));
      }
      Response hash = await(node.redis.hgetall(players.get(0).token));
      assertEquals("move/up", hash.get("action").toString(), "the action's HSET reached the hash's master");
      assertEquals(players.get(0).id, hash.get("id").toString());
      for (Player p : players) {
        Response owner = await(node.redis.get(RedisKeys.sessionOwner(p.id)));
        assertTrue(owner != null && owner.toString().endsWith("|" + p.token), "directory entry: " + owner);
        assertEquals(p.id, String.valueOf(await(node.redis.hget(RedisKeys.onlineShard(p.token), p.token))));
      }
      assertEquals(tokens(players), mapMembers(map), "every player in the map's GEO set");
    } finally {
      clients.forEach(TestClient::close);
    }
  }

  @Test
  void deliveriesByTokenPlayerMapAndBroadcastReachPlayersOfEveryShard() {
    String map = newMap();
    List<Player> players = onEveryMaster(map);
    List<TestClient> clients = new ArrayList<>();
    try {
      for (Player p : players) {
        clients.add(loggedIn(p.token));
      }
      for (int i = 0; i < players.size(); i++) {
        Player p = players.get(i);
        String toToken = "{\"to\":\"token\",\"n\":" + i + "}";
        deliver(RedisKeys.tokenChannel(p.token), toToken);
        assertEquals(new JsonObject(toToken), clients.get(i).nextContaining("\"token\""), "token delivery to player " + i);
        String toPlayer = "{\"to\":\"player\",\"n\":" + i + "}";
        deliver(RedisKeys.playerChannel(p.id), toPlayer);
        assertEquals(new JsonObject(toPlayer), clients.get(i).nextContaining("\"player\""), "player delivery to player " + i);
      }
      String toMap = "{\"to\":\"map\",\"n\":\"" + UUID.randomUUID() + "\"}";
      deliver(RedisKeys.mapChannel(map), toMap);
      String everyone = "{\"to\":\"everyone\",\"n\":\"" + UUID.randomUUID() + "\"}";
      deliver(node.config.get(Settings.BROADCAST_CHANNEL), everyone);
      for (TestClient c : clients) {
        assertEquals(new JsonObject(toMap), c.nextContaining("\"map\""));
        assertEquals(new JsonObject(everyone), c.nextContaining("everyone"));
      }
    } finally {
      clients.forEach(TestClient::close);
    }
  }

  @Test
  void aKickAndAMapChangeOnTheControlChannelWorkForPlayersOfEveryShard() {
    String from = newMap();
    String to = newMap();
    List<Player> players = onEveryMaster(from);
    List<TestClient> clients = new ArrayList<>();
    try {
      for (Player p : players) {
        clients.add(loggedIn(p.token));
      }
      Player moved = players.get(1);
      await(node.redis.publish(node.config.get(Settings.CONTROL_CHANNEL), new JsonObject().put("type", "set-map")
        .put("player", moved.id).put("map", to).encode()));
      until(Duration.ofSeconds(5), () -> to.equals(String.valueOf(await(node.redis.hget(moved.token,
        RedisKeys.F_MAP_ID)))) && mapMembers(to).contains(moved.token));
      assertEquals(Set.of(players.get(0).token, players.get(2).token), mapMembers(from));
      deliver(RedisKeys.mapChannel(to), "{\"new\":1}");
      assertEquals(new JsonObject().put("new", 1), clients.get(1).nextContaining("new"), "the moved player hears its new map");

      Player kicked = players.get(2);
      await(node.redis.publish(node.config.get(Settings.CONTROL_CHANNEL), new JsonObject().put("type", "kick")
        .put("player", kicked.id).encode()));
      assertEquals("kicked", clients.get(2).nextContaining("error").getString("error"));
      clients.get(2).awaitClose();
      until(Duration.ofSeconds(10), () -> await(node.redis.get(RedisKeys.sessionOwner(kicked.id))) == null
        && !mapMembers(from).contains(kicked.token));
    } finally {
      clients.forEach(TestClient::close);
    }
  }

  @Test
  void theFlushSavesThePlayersOfEveryShardAndLeavingSavesAndCleansUpAcrossShards() {
    String map = newMap();
    List<Player> players = onEveryMaster(map);
    List<TestClient> clients = new ArrayList<>();
    for (Player p : players) {
      TestClient c = loggedIn(p.token);
      c.sendBinary(new JsonObject().put("action", "move/right"));
      c.nextContaining("move_right");
      clients.add(c);
    }
    until(Duration.ofSeconds(15), () -> savedRows(players).stream()
      .filter(r -> "move/right".equals(r.getString("action")) && Double.valueOf(0.5).equals(r.getDouble("position_x")))
      .count() == players.size());

    clients.forEach(TestClient::close);
    until(Duration.ofSeconds(15), () -> savedRows(players).stream()
      .filter(r -> RedisKeys.ACTION_OFFLINE.equals(r.getString("action"))).count() == players.size());
    until(Duration.ofSeconds(10), () -> mapMembers(map).isEmpty());
    for (Player p : players) {
      until(Duration.ofSeconds(10), () -> await(node.redis.exists(List.of(p.token))).toInteger() == 0);
      assertNull(await(node.redis.get(RedisKeys.sessionOwner(p.id))), "directory entry gone");
      assertNull(await(node.redis.hget(RedisKeys.onlineShard(p.token), p.token)), "online entry gone");
    }
    Row saved = savedRows(players.subList(0, 1)).get(0);
    assertEquals(0.5, saved.getDouble("position_x"), 0.001, "the position saved on leave");
  }

  /**
   * A resumable client drops and resumes four times; the node runs two gateway instances, so its reconnections land
   * on both and the session is handed over between them: the directory entry, the old and the new instance's index
   * of sessions (three keys, here on different masters) move in steps that keep to one slot each. With sharded
   * subscriptions the session's channels come on three shards' connections, split by a marker each.
   */
  @Test
  void aResumableSessionIsHandedOverBetweenGatewayInstancesAndMissesNothing() {
    String map = newMap();
    Player p = onEveryMaster(map).get(0);
    Set<String> incarnations = new HashSet<>();
    TestClient c = node.client();
    c.sendBinary(new JsonObject().put("token", p.token).put("action", "api/load").put("resume", true));
    String resume = c.next().getJsonObject("session").getString("resume");
    long seq = 0;
    int sent = 0;
    try {
      String holder = incarnationOfSession(p);
      boolean shift = false;
      for (int round = 0; round < 10 && (round < 4 || incarnations.size() < 2); round++) {
        incarnations.add(holder);
        c.closeNow();
        for (int i = 0; i < 3; i++) {
          deliver(RedisKeys.playerChannel(p.id), "{\"missed\":" + sent++ + "}");
        }
        // the instances take connections in turn, but other connections shift whose turn it is: when the last
        // resume stayed on its instance, a spare connection first makes this one land on the other
        TestClient spare = shift ? node.client() : null;
        c = node.client();
        if (spare != null) {
          spare.close();
        }
        c.sendBinary(new JsonObject().put("resume", resume).put("seq", seq));
        JsonObject resumed = c.nextContaining("resumed").getJsonObject("resumed");
        resume = resumed.getString("resume");
        // the first login's own deliveries (load, join) are numbered too: take what comes until the missed ones end
        int expected = sent - 3;
        while (expected < sent) {
          JsonObject d = c.next();
          seq = d.getLong("seq");
          Object msg = d.getValue("msg");
          if (msg instanceof JsonObject m && m.containsKey("missed")) {
            assertEquals(expected++, m.getInteger("missed"), "in order, none lost, none twice: " + d);
          }
        }
        String now = incarnationOfSession(p);
        shift = now.equals(holder);
        holder = now;
      }
      incarnations.add(incarnationOfSession(p));
      assertTrue(incarnations.size() >= 2, "handed over between the instances at least once: " + incarnations);
      assertEquals(Set.of(p.token), mapMembers(map), "still on its map");
    } finally {
      c.close();
    }
  }

  /**
   * The same, with a map delivery published every 10 ms throughout, so that deliveries arrive while each hand-over
   * splits them (classic: at one marker; sharded: at a marker per channel, each on its shard's connection): every
   * one reaches the client once, in order, across six resumes.
   */
  @Test
  void resumesUnderAFlowOfMapDeliveriesLoseNothingAndRepeatNothing() throws Exception {
    String map = newMap();
    Player p = onEveryMaster(map).get(0);
    boolean sharded = Settings.PUBSUB_SHARDED.equals(pubsub());
    // one connection, so that the flow is published in order (a pooled client may use several)
    io.vertx.redis.client.RedisConnection publisher = await(io.vertx.redis.client.Redis.createClient(node.vertx,
      sharded ? node.config.redis().commandOptions()
        : new io.vertx.redis.client.RedisOptions().setConnectionString(cluster.seeds().get(0))).connect());
    java.util.concurrent.atomic.AtomicInteger published = new java.util.concurrent.atomic.AtomicInteger();
    long timer = node.vertx.setPeriodic(10, t -> publisher.send(io.vertx.redis.client.Request.cmd(sharded
        ? io.vertx.redis.client.Command.SPUBLISH : io.vertx.redis.client.Command.PUBLISH)
      .arg(RedisKeys.mapChannel(map)).arg("{\"live\":" + published.getAndIncrement() + "}")));
    Set<String> incarnations = new HashSet<>();
    TestClient c = node.client();
    int last = -1;
    long seq = 0;
    try {
      c.sendBinary(new JsonObject().put("token", p.token).put("action", "api/load").put("resume", true));
      String resume = c.next().getJsonObject("session").getString("resume");
      String holder = incarnationOfSession(p);
      boolean shift = false;
      for (int round = 0; round < 6; round++) {
        incarnations.add(holder);
        // read some of the flow, then drop the connection in the middle of it
        int read = 0;
        while (read < 10) {
          JsonObject d = c.next();
          seq = d.getLong("seq", seq);
          if (d.getValue("msg") instanceof JsonObject m && m.containsKey("live")) {
            // the flow started before the login: it is followed from the first delivery the session got
            assertEquals(last < 0 ? m.getInteger("live") : last + 1, m.getInteger("live"),
              "in order, none lost, none twice: " + d);
            last = m.getInteger("live");
            read++;
          }
        }
        c.closeNow();
        TestClient spare = shift ? node.client() : null;
        c = node.client();
        if (spare != null) {
          spare.close();
        }
        c.sendBinary(new JsonObject().put("resume", resume).put("seq", seq));
        JsonObject resumed = c.nextContaining("resumed").getJsonObject("resumed");
        assertNotNull(resumed, "resumed");
        resume = resumed.getString("resume");
        String now = incarnationOfSession(p);
        shift = now.equals(holder);
        holder = now;
      }
      incarnations.add(holder);
      int target = published.get() + 5;
      while (last < target) {
        JsonObject d = c.next();
        seq = d.getLong("seq", seq);
        if (d.getValue("msg") instanceof JsonObject m && m.containsKey("live")) {
          assertEquals(last + 1, m.getInteger("live"), "in order, none lost, none twice: " + d);
          last++;
        }
      }
      assertTrue(incarnations.size() >= 2, "handed over between the instances: " + incarnations);
    } finally {
      node.vertx.cancelTimer(timer);
      publisher.close();
      c.close();
    }
  }

  protected String incarnationOfSession(Player p) {
    String owner = String.valueOf(await(node.redis.get(RedisKeys.sessionOwner(p.id))));
    String[] parts = owner.split("\\|");
    assertEquals(3, parts.length, "directory entry: " + owner);
    return io.seedgate.common.lifecycle.Incarnation.idOfSession(parts[1]);
  }

  /** A player of its own, whose token and directory entry live on a given master. */
  protected record Player(String id, String token) {
  }

  /** Three signed-in players on the map, the first one's keys on the first master, and so on. */
  protected List<Player> onEveryMaster(String map) {
    List<Integer> masters = cluster.masters();
    assertEquals(3, masters.size(), "three masters");
    List<Player> players = new ArrayList<>();
    for (int master : masters) {
      String id = keyOn(master, i -> Long.toString(7_000_000_000L + (long) (Math.random() * 1_000_000_000L)),
        RedisKeys::sessionOwner);
      String token = keyOn(master, i -> UUID.randomUUID().toString().toUpperCase(), RedisKeys::playerHash);
      await(node.redis.hset(List.of(token, RedisKeys.F_ID, id, RedisKeys.F_MAP_ID, map)));
      players.add(new Player(id, token));
    }
    return players;
  }

  /** A value whose key ({@code keyOf(value)}) lives on the master. */
  protected String keyOn(int master, java.util.function.IntFunction<String> candidates,
                              java.util.function.Function<String, String> keyOf) {
    for (int i = 0; i < 10_000; i++) {
      String value = candidates.apply(i);
      if (cluster.masterOf(keyOf.apply(value)) == master) {
        return value;
      }
    }
    throw new AssertionError("no key on master " + master);
  }

  protected TestClient loggedIn(String token) {
    TestClient c = node.client();
    c.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
    c.nextContaining("\"load\"");
    return c;
  }

  private static Set<String> tokens(List<Player> players) {
    Set<String> tokens = new HashSet<>();
    players.forEach(p -> tokens.add(p.token));
    return tokens;
  }

  protected Set<String> mapMembers(String map) {
    Set<String> members = new HashSet<>();
    for (Response r : await(node.redis.zrange(List.of(RedisKeys.mapGeoSet(map), "0", "-1")))) {
      members.add(r.toString());
    }
    return members;
  }

  protected List<Row> savedRows(List<Player> players) {
    SqlClient pg = PgBuilder.client()
      .connectingTo(PgConnectOptions.fromUri(TestSupport.backingServices().get(Settings.POSTGRES_URL)))
      .using(node.vertx).build();
    try {
      List<Row> rows = new ArrayList<>();
      await(pg.preparedQuery("select id, action, position_x from players where id = any($1)")
        .execute(Tuple.of(players.stream().map(Player::id).toArray(String[]::new)))).forEach(rows::add);
      return rows;
    } finally {
      pg.close();
    }
  }

  private static String newMap() {
    return "m" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static void until(Duration within, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + within);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
