package io.seedgate.node;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.seedgate.testsupport.RedisClusterServers;
import io.seedgate.testsupport.RedisSentinelServers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Node.js example service (examples/node-service) past one Redis, as a child process beside a node that runs no
 * service itself: on a real Redis Cluster of three masters ({@code redis.mode} cluster) with classic Pub/Sub and with
 * sharded ({@code REDIS_CLUSTER}, {@code SHARDED_PUBSUB}), and behind Sentinel through a failover
 * ({@code REDIS_SENTINELS}). On the cluster two players whose hashes live on two masters and whose map lives on the
 * third log in, move and load; every Redis command the masters run meanwhile is watched (MONITOR), so the test sees
 * where the service's replies were published: classic ones all on one node, sharded ones each on its channel's
 * master. Skipped where {@code node}, {@code redis-server} or {@code redis-cli} is missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeServiceClusterIT {

  private static final Path SERVICE_DIR = Path.of("../examples/node-service");

  private RedisClusterServers cluster;
  private final Map<Integer, Integer> masterOfSlot = new HashMap<>();
  private final List<Process> processes = new ArrayList<>();
  private final List<AutoCloseable> closeAfterEach = new ArrayList<>();

  @BeforeAll
  void install() throws Exception {
    NodeJs.assumeOnPath();
    NodeJs.install(SERVICE_DIR);
  }

  @AfterEach
  void stopEach() throws Exception {
    for (Process p : processes) {
      if (p.isAlive()) {
        NodeJs.stop(p);
      }
    }
    processes.clear();
    for (int i = closeAfterEach.size() - 1; i >= 0; i--) {
      closeAfterEach.get(i).close();
    }
    closeAfterEach.clear();
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private RedisClusterServers cluster() {
    Assumptions.assumeTrue(RedisClusterServers.available(), RedisClusterServers::whyUnavailable);
    if (cluster == null) {
      cluster = RedisClusterServers.start(3, 0);
    }
    return cluster;
  }

  @Test
  void onAClusterWithClassicPubSubTheServicePublishesEveryReplyThroughOneNode() throws Exception {
    playOnTheCluster(false, 0);
  }

  @Test
  void onAClusterWithShardedPubSubTheServiceAnswersWithSpublishOnEachChannelsMaster() throws Exception {
    playOnTheCluster(true, 0);
  }

  @Test
  void onAClusterWithShardedActionChannelsTooTheServiceHearsEachOnItsMaster() throws Exception {
    playOnTheCluster(true, 8);
  }

  private void playOnTheCluster(boolean sharded, int actionChannels) throws Exception {
    RedisClusterServers cluster = cluster();
    List<Integer> masters = cluster.masters();
    assertEquals(3, masters.size(), "three masters");
    Map<String, Object> settings = new HashMap<>();
    settings.put(Settings.REDIS_MODE.path(), Settings.REDIS_CLUSTER);
    settings.put(Settings.REDIS_ENDPOINTS.path(), new JsonArray(cluster.seeds().subList(0, 2)));
    settings.put(Settings.PUBSUB.path(), sharded ? Settings.PUBSUB_SHARDED : Settings.PUBSUB_CLASSIC);
    settings.put(Settings.ACTION_CHANNELS.path(), actionChannels);
    TestNode node = TestNode.startWithoutService(settings);
    closeAfterEach.add(node);

    // the map (its GEO set and channel) on the third master, the players' hashes on the first and the second, their
    // token channels off the map's master (so that sharded replies go to two masters at least)
    int mapMaster = masters.get(2);
    String map = valueOn(m -> masterOf(RedisKeys.mapGeoSet(m)) == mapMaster,
      () -> "m" + UUID.randomUUID().toString().substring(0, 8));
    String tokenA = valueOn(t -> masterOf(RedisKeys.playerHash(t)) == masters.get(0)
      && masterOf(RedisKeys.tokenChannel(t)) != mapMaster, () -> UUID.randomUUID().toString().toUpperCase());
    String tokenB = valueOn(t -> masterOf(RedisKeys.playerHash(t)) == masters.get(1)
      && masterOf(RedisKeys.tokenChannel(t)) != mapMaster, () -> UUID.randomUUID().toString().toUpperCase());
    String playerA = Long.toString(3_000_000 + (long) (Math.random() * 1_000_000_000L));
    String playerB = Long.toString(3_000_000 + (long) (Math.random() * 1_000_000_000L));
    await(node.redis.hset(List.of(tokenA, "id", playerA, "map_id", map)));
    await(node.redis.hset(List.of(tokenB, "id", playerB, "map_id", map)));

    Map<String, String> env = new HashMap<>(Map.of(
      "REDIS_CLUSTER", String.join(",", cluster.seeds()),
      "ACTION_CHANNEL_PREFIX", node.config.get(Settings.ACTION_CHANNEL_PREFIX),
      "SHARDED_PUBSUB", Boolean.toString(sharded),
      "ACTION_CHANNELS", Integer.toString(actionChannels)));
    startNodeService(env);
    String prefix = node.config.get(Settings.ACTION_CHANNEL_PREFIX);
    if (actionChannels == 0) {
      assertEquals(1, subscribers(masters, prefix + "move"), "the action channels subscribed on one node only");
      assertEquals(1, subscribers(masters, prefix + "api"), "the action channels subscribed on one node only");
    } else {
      for (String model : List.of("move", "api")) {
        assertEquals(0, subscribers(masters, prefix + model), "no classic subscriber of " + prefix + model);
        for (int n = 0; n < actionChannels; n++) {
          String channel = RedisKeys.shardedActionChannel(prefix, model, n);
          List<?> reply = (List<?>) cluster.call(masterOf(channel), "PUBSUB", "SHARDNUMSUB", channel);
          assertEquals(1, Integer.parseInt(String.valueOf(reply.get(1))), channel + " subscribed on its master");
        }
      }
    }

    List<Monitor> monitors = new ArrayList<>();
    for (int master : masters) {
      Monitor m = new Monitor(master);
      closeAfterEach.add(m);
      monitors.add(m);
    }
    try (TestClient a = node.client(); TestClient b = node.client()) {
      a.sendBinary(new JsonObject().put("token", tokenA).put("action", "api/load"));
      JsonObject[] firstLoad = loadAndJoin(a);
      assertEquals(1, firstLoad[0].getJsonArray("players").size());
      assertPlayer(firstLoad[1], playerA, "idle", 0, 0);

      b.sendBinary(new JsonObject().put("token", tokenB).put("action", "api/load"));
      assertEquals(Set.of(playerA, playerB), ids(b.nextContaining("\"load\"").getJsonArray("players")),
        "the load lists both players, their hashes read from two masters");
      assertPlayer(a.nextContaining(playerB), playerB, "idle", 0, 0);

      a.sendBinary(new JsonObject().put("action", "move/up"));
      assertPlayer(a.nextContaining("move_up"), playerA, "move_up", 0, 0.5);
      assertPlayer(b.nextContaining("move_up"), playerA, "move_up", 0, 0.5);
      b.sendBinary(new JsonObject().put("action", "move/right"));
      assertPlayer(a.nextContaining("move_right"), playerB, "move_right", 0.5, 0);
      assertPlayer(b.nextContaining("move_right"), playerB, "move_right", 0.5, 0);

      a.sendBinary(new JsonObject().put("action", "api/load"));
      JsonArray players = loadAndJoin(a)[0].getJsonArray("players");
      assertEquals(Set.of(playerA, playerB), ids(players), players.encode());
      for (Object p : players) {
        JsonObject player = (JsonObject) p;
        JsonArray at = player.getJsonArray("position");
        assertEquals(player.getValue("id").toString().equals(playerA) ? List.of(0.0, 0.5) : List.of(0.5, 0.0),
          List.of(at.getDouble(0), at.getDouble(1)), players.encode());
      }
    }

    // where the replies went: token:A and token:B (load), map:<map> (joins, moves)
    Set<String> replyChannels = Set.of(RedisKeys.tokenChannel(tokenA), RedisKeys.tokenChannel(tokenB),
      RedisKeys.mapChannel(map));
    Map<Integer, List<String>> published = new HashMap<>();
    Map<Integer, List<String>> spublished = new HashMap<>();
    for (Monitor m : monitors) {
      m.close();
      published.put(m.port, m.commands("PUBLISH").stream().filter(replyChannels::contains).toList());
      spublished.put(m.port, m.commands("SPUBLISH").stream().filter(replyChannels::contains).toList());
    }
    String where = "PUBLISH by node " + published + ", SPUBLISH by node " + spublished;
    if (sharded) {
      assertTrue(published.values().stream().allMatch(List::isEmpty), "no classic reply: " + where);
      for (int master : masters) {
        for (String channel : spublished.get(master)) {
          assertEquals(masterOf(channel), master, channel + " published on its own master: " + where);
        }
      }
      assertEquals(8, spublished.values().stream().mapToInt(List::size).sum(), "3 loads, 3 joins, 2 moves: " + where);
      assertTrue(nonEmpty(spublished).size() >= 2, "the channels of two masters at least: " + where);
    } else {
      assertTrue(spublished.values().stream().allMatch(List::isEmpty), "no sharded reply: " + where);
      assertEquals(8, published.values().stream().mapToInt(List::size).sum(), "3 loads, 3 joins, 2 moves: " + where);
      assertEquals(1, nonEmpty(published).size(), "every reply published through one node: " + where);
    }
  }

  /**
   * A cluster of three masters with a replica each: the master of the first seed holds the map, the service's
   * subscription and its publishing connection; killed, the replica takes over and the service follows by itself
   * (the subscription and the publisher on the next node, the commands through a cluster client made anew).
   */
  @Test
  void onAClusterTheServiceFollowsAFailoverOfTheMasterHoldingTheMapItsSubscriptionAndItsPublisher() throws Exception {
    Assumptions.assumeTrue(RedisClusterServers.available(), RedisClusterServers::whyUnavailable);
    RedisClusterServers failing = RedisClusterServers.start(3, 1);
    closeAfterEach.add(failing);
    Map<String, Object> settings = new HashMap<>();
    settings.put(Settings.REDIS_MODE.path(), Settings.REDIS_CLUSTER);
    settings.put(Settings.REDIS_ENDPOINTS.path(), new JsonArray(failing.seeds()));
    TestNode node = TestNode.startWithoutService(settings);
    closeAfterEach.add(node);
    String firstSeed = failing.seeds().get(0);
    int firstPort = Integer.parseInt(firstSeed.substring(firstSeed.lastIndexOf(':') + 1));
    assertTrue(failing.masters().contains(firstPort), "the first seed is a master: " + failing);
    String map = "m" + UUID.randomUUID().toString().substring(0, 8);
    while (failing.masterOf(RedisKeys.mapGeoSet(map)) != firstPort) {
      map = "m" + UUID.randomUUID().toString().substring(0, 8);
    }
    String player = Long.toString(3_000_000 + (long) (Math.random() * 1_000_000_000L));
    String token = node.signIn(player, map);
    Path log = startNodeService(Map.of(
      "REDIS_CLUSTER", String.join(",", failing.seeds()),
      "ACTION_CHANNEL_PREFIX", node.config.get(Settings.ACTION_CHANNEL_PREFIX)));
    assertTrue(Files.readString(log).contains("on " + firstSeed), "subscribed on the first seed: "
      + Files.readString(log));
    try (TestClient a = node.client()) {
      a.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
      a.nextContaining("\"load\"");
      a.sendBinary(new JsonObject().put("action", "move/up"));
      assertPlayer(a.nextContaining("move_up"), player, "move_up", 0, 0.5);

      failing.kill(firstPort);
      long killed = System.nanoTime();
      int newMaster = failing.awaitFailover(firstPort, Duration.ofSeconds(30));
      long promoted = System.nanoTime();
      assertNotEquals(firstPort, newMaster);

      long answeredAt = -1;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (answeredAt < 0 && System.nanoTime() < deadline) {
        a.sendBinary(new JsonObject().put("action", "move/right"));
        if (arrives(a, "move_right")) {
          answeredAt = System.nanoTime();
        }
      }
      assertTrue(answeredAt > 0, "a move answered after the failover: " + Files.readString(log));
      System.out.printf("[node service, cluster failover] promoted %.1f s after the kill; a move answered %.1f s "
        + "after the promotion%n", (promoted - killed) / 1e9, Math.max(0, answeredAt - promoted) / 1e9);
      assertTrue(answeredAt - promoted < Duration.ofSeconds(15).toNanos(), "within seconds of the promotion");
      String out = Files.readString(log);
      assertTrue(out.contains("[redis: subscriber " + firstSeed + "] connection lost"), out);
      assertTrue(out.contains("[redis: publisher] " + firstSeed + " failed"), "the publisher moved on: " + out);
    }
  }

  @Test
  void behindSentinelTheServiceFollowsAFailoverAndAnswersAgainWithinSeconds() throws Exception {
    Assumptions.assumeTrue(RedisSentinelServers.available(), RedisSentinelServers::whyUnavailable);
    RedisSentinelServers sentinels = RedisSentinelServers.start();
    closeAfterEach.add(sentinels);
    Map<String, Object> settings = new HashMap<>();
    settings.put(Settings.REDIS_MODE.path(), Settings.REDIS_SENTINEL);
    settings.put(Settings.REDIS_ENDPOINTS.path(), new JsonArray(sentinels.sentinels()));
    settings.put(Settings.REDIS_MASTER_NAME.path(), sentinels.masterName());
    TestNode node = TestNode.startWithoutService(settings);
    closeAfterEach.add(node);
    Path log = startNodeService(Map.of(
      "REDIS_SENTINELS", String.join(",", sentinels.sentinels()),
      "REDIS_MASTER_NAME", sentinels.masterName(),
      "ACTION_CHANNEL_PREFIX", node.config.get(Settings.ACTION_CHANNEL_PREFIX)));
    assertTrue(Files.readString(log).contains("on redis://127.0.0.1:" + sentinels.masterPort()),
      "subscribed on the master: " + Files.readString(log));

    String map = "m" + UUID.randomUUID().toString().substring(0, 8);
    String player = Long.toString(3_000_000 + (long) (Math.random() * 1_000_000_000L));
    String token = node.signIn(player, map);
    try (TestClient a = node.client()) {
      a.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
      a.nextContaining("\"load\"");
      a.sendBinary(new JsonObject().put("action", "move/up"));
      assertPlayer(a.nextContaining("move_up"), player, "move_up", 0, 0.5);

      int oldMaster = sentinels.killMaster();
      long killed = System.nanoTime();
      int newMaster = sentinels.awaitFailover(Duration.ofSeconds(30));
      assertNotEquals(oldMaster, newMaster);
      long promoted = System.nanoTime();

      long answeredAt = -1;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (answeredAt < 0 && System.nanoTime() < deadline) {
        a.sendBinary(new JsonObject().put("action", "move/right"));
        if (arrives(a, "move_right")) {
          answeredAt = System.nanoTime();
        }
      }
      assertTrue(answeredAt > 0, "a move answered through the new master: " + Files.readString(log));
      System.out.printf("[node service, sentinel failover] promoted %.1f s after the kill; a move answered %.1f s "
        + "after the promotion%n", (promoted - killed) / 1e9, Math.max(0, answeredAt - promoted) / 1e9);
      assertTrue(answeredAt - promoted < Duration.ofSeconds(15).toNanos(), "within seconds of the promotion");
      String out = Files.readString(log);
      assertTrue(out.contains("[redis: subscriber redis://127.0.0.1:" + newMaster + "] connected again"),
        "the subscriber followed the failover: " + out);
      assertTrue(out.contains("[redis: commands redis://127.0.0.1:" + newMaster + "] connected again"),
        "the commands followed the failover: " + out);
    }
  }

  /**
   * The answer to a load (on the player's token channel) and the join it publishes (on the map's channel), in
   * whichever order they come: with sharded Pub/Sub the two channels live on different masters, and Redis orders
   * nothing across shards.
   */
  private static JsonObject[] loadAndJoin(TestClient c) {
    JsonObject load = null;
    JsonObject join = null;
    while (load == null || join == null) {
      JsonObject m = c.nextContaining("\"players\"");
      if ("load".equals(m.getValue("action"))) {
        assertTrue(load == null, "one load answer: " + m.encode());
        load = m;
      } else {
        assertTrue(join == null, "one join: " + m.encode());
        join = m;
      }
    }
    return new JsonObject[] {load, join};
  }

  /** Starts {@code node index.js} with the environment; returns its log once it subscribed. */
  private Path startNodeService(Map<String, String> env) throws IOException, InterruptedException {
    Path log = Files.createTempFile("node-service", ".log");
    Map<String, String> all = new HashMap<>(env);
    all.put("STEP", "0.5");
    Process p = NodeJs.start(SERVICE_DIR, List.of("index.js"), all, log);
    processes.add(p);
    NodeJs.awaitLog(p, log, "subscribed to", 20_000);
    return log;
  }

  /** Subscribers of the classic channel, over every master. */
  private int subscribers(List<Integer> masters, String channel) throws IOException {
    int n = 0;
    for (int master : masters) {
      List<?> reply = (List<?>) cluster.call(master, "PUBSUB", "NUMSUB", channel);
      n += Integer.parseInt(String.valueOf(reply.get(1)));
    }
    return n;
  }

  /** A value that fits. */
  private static String valueOn(java.util.function.Predicate<String> fits, Supplier<String> candidates) {
    for (int i = 0; i < 10_000; i++) {
      String value = candidates.get();
      if (fits.test(value)) {
        return value;
      }
    }
    throw new AssertionError("no value fits");
  }

  /** The master of a key's (or a sharded channel's) slot, asked once per slot. */
  private int masterOf(String key) {
    return masterOfSlot.computeIfAbsent(RedisClusterServers.slotOf(key), cluster::portForSlot);
  }

  private static Set<Integer> nonEmpty(Map<Integer, List<String>> byNode) {
    Set<Integer> nodes = new HashSet<>();
    byNode.forEach((node, list) -> {
      if (!list.isEmpty()) {
        nodes.add(node);
      }
    });
    return nodes;
  }

  private static Set<String> ids(JsonArray players) {
    Set<String> ids = new HashSet<>();
    players.forEach(p -> ids.add(((JsonObject) p).getValue("id").toString()));
    return ids;
  }

  private static void assertPlayer(JsonObject update, String player, String action, double x, double y) {
    JsonObject p = update.getJsonArray("players").getJsonObject(0);
    assertEquals(player, p.getValue("id").toString(), update.encode());
    assertEquals(action, p.getString("action"), update.encode());
    assertEquals(x, p.getJsonArray("position").getDouble(0), 1e-9, update.encode());
    assertEquals(y, p.getJsonArray("position").getDouble(1), 1e-9, update.encode());
  }

  /** Whether a message containing the fragment reaches the client within a second. */
  private static boolean arrives(TestClient c, String fragment) {
    long deadline = System.currentTimeMillis() + 1_000;
    while (System.currentTimeMillis() < deadline) {
      String text = c.nextText(Math.max(1, deadline - System.currentTimeMillis()));
      if (text != null && text.contains(fragment)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code MONITOR} on one node: every command it runs, as lines
   * {@code +1700000000.123456 [0 127.0.0.1:54321] "PUBLISH" "map:m1" "{...}"}, read on a thread of its own.
   */
  private static final class Monitor implements AutoCloseable {

    private static final Pattern LINE = Pattern.compile("^\\+[0-9.]+ \\[[^\\]]*\\] \"([^\"]*)\"(?: \"((?:[^\"\\\\]|\\\\.)*)\")?");

    final int port;
    private final Socket socket;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    Monitor(int port) throws IOException {
      this.port = port;
      socket = new Socket("127.0.0.1", port);
      OutputStream out = socket.getOutputStream();
      out.write("*1\r\n$7\r\nMONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      if (!"+OK".equals(in.readLine())) {
        throw new IOException("MONITOR refused on " + port);
      }
      reader = new Thread(() -> {
        try {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            lines.add(line);
          }
        } catch (IOException closed) {
          // closed by close()
        }
      }, "monitor-" + port);
      reader.setDaemon(true);
      reader.start();
    }

    /** The first argument (a channel, a key) of every command of that name seen. */
    List<String> commands(String name) {
      List<String> args = new ArrayList<>();
      for (String line : lines) {
        Matcher m = LINE.matcher(line);
        if (m.find() && m.group(1).toUpperCase(Locale.ROOT).equals(name) && m.group(2) != null) {
          args.add(m.group(2));
        }
      }
      return args;
    }

    @Override
    public void close() throws IOException {
      if (!socket.isClosed()) {
        try {
          Thread.sleep(200); // the last commands' lines
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        socket.close();
      }
    }
  }
}
