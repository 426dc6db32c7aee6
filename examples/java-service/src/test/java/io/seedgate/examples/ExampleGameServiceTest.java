package io.seedgate.examples;

import ch.qos.logback.classic.Level;
import io.seedgate.examples.TestRedis.Listener;
import io.seedgate.examples.TestRedis.Message;
import io.seedgate.testsupport.LogCapture;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.seedgate.testsupport.Await.await;
import static io.seedgate.testsupport.Await.failureOf;
import static io.seedgate.testsupport.Eventually.until;
import static io.seedgate.examples.TestRedis.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service against a real Redis, as the gateway would drive it. Every test uses its own map ids and
 * tokens, and (except the one on the default channel) its own action channel prefix, so that it neither
 * sees nor disturbs other tests using the same Redis.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExampleGameServiceTest {

  private static final double GEO_PRECISION = 1e-4;

  private Vertx vertx;
  private Redis redis;
  private final List<String> keys = new ArrayList<>();
  private final List<Listener> listeners = new ArrayList<>();
  private ExampleGameService service;
  private String prefix;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.redis = Redis.createClient(vertx, TestRedis.url());
    this.prefix = "test-action-" + UUID.randomUUID() + ":";
  }

  @AfterEach
  void tearDown() {
    listeners.forEach(Listener::close);
    if (!keys.isEmpty()) {
      send(redis, Command.DEL, keys.toArray());
    }
    await(redis.close());
  }

  @Test
  void moveUpOnTheDefaultChannelIsBroadcastAndStored() throws Exception {
    deploy(new JsonObject());
    String map = newMap();
    Player p = newPlayer(map, 1.5, 2.0);
    Listener onMap = listen(GameChannels.mapChannel(map));

    publish("action:move", envelope(p, map, "move/up"));

    Message m = onMap.next();
    assertEquals("{\"players\":[{\"id\":" + p.id + ",\"action\":\"move_up\",\"position\":[1.5,2.5]}]}", m.payload());
    double[] stored = geopos(map, p.token);
    assertEquals(1.5, stored[0], GEO_PRECISION);
    assertTrue(stored[1] > 2.0 + GEO_PRECISION, "GEOPOS y did not grow: " + stored[1]);
  }

  @Test
  void movesFromTheOriginInEveryDirectionInOrder() throws Exception {
    deploy(new JsonObject().put("actionChannelPrefix", prefix).put("step", 0.25));
    String map = newMap();
    Player p = newPlayer(map);
    Listener onMap = listen(GameChannels.mapChannel(map));

    for (String method : List.of("right", "up", "up", "left", "down")) {
      publish(prefix + "move", envelope(p, map, "move/" + method));
    }

    assertMove(onMap.next(), p, "move_right", 0.25, 0.0);
    assertMove(onMap.next(), p, "move_up", 0.25, 0.25);
    assertMove(onMap.next(), p, "move_up", 0.25, 0.5);
    assertMove(onMap.next(), p, "move_left", 0.0, 0.5);
    assertMove(onMap.next(), p, "move_down", 0.0, 0.25);
    double[] stored = geopos(map, p.token);
    assertEquals(0.0, stored[0], GEO_PRECISION);
    assertEquals(0.25, stored[1], GEO_PRECISION);
    until("5 actions processed", Duration.ofSeconds(10), () -> service.counters().processed() == 5);
  }

  @Test
  void movesStopAtTheEdgeOfTheGeoRange() throws Exception {
    deploy(new JsonObject().put("actionChannelPrefix", prefix));
    String map = newMap();
    Player ne = newPlayer(map, 179.8, 84.8);
    Player sw = newPlayer(map, -179.9, -84.9);
    Listener onMap = listen(GameChannels.mapChannel(map));

    publish(prefix + "move", envelope(ne, map, "move/right"));
    assertMove(onMap.next(), ne, "move_right", 180.0, 84.8);
    publish(prefix + "move", envelope(ne, map, "move/up"));
    assertMove(onMap.next(), ne, "move_up", 180.0, 85.0);
    publish(prefix + "move", envelope(ne, map, "move/up"));
    assertMove(onMap.next(), ne, "move_up", 180.0, 85.0);
    publish(prefix + "move", envelope(sw, map, "move/left"));
    assertMove(onMap.next(), sw, "move_left", -180.0, -84.9);
    publish(prefix + "move", envelope(sw, map, "move/down"));
    assertMove(onMap.next(), sw, "move_down", -180.0, -85.0);

    double[] stored = geopos(map, ne.token);
    assertEquals(180.0, stored[0], GEO_PRECISION);
    assertEquals(85.0, stored[1], GEO_PRECISION);
    stored = geopos(map, sw.token);
    assertEquals(-180.0, stored[0], GEO_PRECISION);
    assertEquals(-85.0, stored[1], GEO_PRECISION);
  }

  @Test
  void loadListsThePlayersOnTheMapThenAnnouncesTheJoin() throws Exception {
    deploy(new JsonObject().put("actionChannelPrefix", prefix));
    String map = newMap();
    Player me = newPlayer(map, 1.5, 2.0);
    Player other = newPlayer(map, -3.25, 4.0);
    send(redis, Command.HSET, other.token, "id", "bob-7", "action", "move_left");
    String gone = newToken();
    send(redis, Command.GEOADD, GameChannels.mapGeoSet(map), 5, 5, gone);
    newPlayer(newMap(), 9, 9);
    Listener listener = listen(GameChannels.tokenChannel(me.token), GameChannels.mapChannel(map));

    publish(prefix + "api", envelope(me, map, "api/load"));

    JsonObject reply = listener.next(GameChannels.tokenChannel(me.token)).json();
    assertEquals("load", reply.getString("action"));
    assertEquals(new JsonArray(), reply.getJsonArray("enemys"));
    assertEquals(new JsonArray(), reply.getJsonArray("objects"));
    assertEquals(new JsonObject().put("data", ""), reply.getJsonObject("map"));
    Set<String> players = reply.getJsonArray("players").stream()
      .map(o -> ((JsonObject) o).encode()).collect(Collectors.toSet());
    assertEquals(Set.of(
      "{\"id\":" + me.id + ",\"action\":\"idle\",\"position\":[1.5,2.0]}",
      "{\"id\":\"bob-7\",\"action\":\"move_left\",\"position\":[-3.25,4.0]}"), players, "players of " + reply);

    Message join = listener.next(GameChannels.mapChannel(map));
    assertEquals("{\"players\":[{\"id\":" + me.id + ",\"action\":\"idle\",\"position\":[1.5,2.0]}]}", join.payload());
  }

  @Test
  void saveIsAcknowledged() throws Exception {
    deploy(new JsonObject().put("actionChannelPrefix", prefix));
    String map = newMap();
    Player p = newPlayer(map, 1, 1);
    Listener toPlayer = listen(GameChannels.tokenChannel(p.token));

    publish(prefix + "api", envelope(p, map, "api/save"));

    assertEquals("{\"action\":\"save\",\"ok\":true}", toPlayer.next().payload());
  }

  @Test
  void unknownActionsAreAnsweredWithAnError() throws Exception {
    deploy(new JsonObject().put("actionChannelPrefix", prefix));
    String map = newMap();
    Player p = newPlayer(map, 1, 1);
    Listener toPlayer = listen(GameChannels.tokenChannel(p.token));

    publish(prefix + "move", envelope(p, map, "move/jump"));
    publish(prefix + "api", envelope(p, map, "api/index"));

    assertEquals("{\"error\":\"unknown action move/jump\"}", toPlayer.next().payload());
    assertEquals("{\"error\":\"unknown action api/index\"}", toPlayer.next().payload());
    until("2 actions processed", Duration.ofSeconds(10), () -> service.counters().processed() == 2);
    assertEquals(new ExampleGameService.Counters(2, 0, 0), service.counters());
  }

  @Test
  void malformedEnvelopesAreCountedAndTheServiceGoesOn() throws Exception {
    deploy(new JsonObject().put("actionChannelPrefix", prefix));
    String map = newMap();
    Player p = newPlayer(map, 1, 1);
    Listener onMap = listen(GameChannels.mapChannel(map));

    publish(prefix + "move", "not json");
    publish(prefix + "move", "[1,2]");
    publish(prefix + "move", new JsonObject().put("token", p.token).put("action", "move/up").encode());
    publish(prefix + "api", new JsonObject().put("player", "1").put("map", map).put("token", p.token).encode());
    publish(prefix + "move", envelope(p, map, "move/up"));

    assertMove(onMap.next(), p, "move_up", 1.0, 1.5);
    until("the valid action processed", Duration.ofSeconds(10), () -> service.counters().processed() == 1);
    assertEquals(new ExampleGameService.Counters(1, 4, 4), service.counters());
  }

  @Test
  void aBurstOfFailedActionsLogsOneWarningNotOneEach() throws Exception {
    try (LogCapture lines = LogCapture.of(ExampleGameService.class)) {
      deploy(new JsonObject().put("actionChannelPrefix", prefix));
      String map = newMap();
      // the map's GEO set is not one: every move fails in Redis (WRONGTYPE), as every action does while it is away
      send(redis, Command.SET, GameChannels.mapGeoSet(map), "not a geo set");
      int moves = 30;
      for (int i = 0; i < moves; i++) {
        publish(prefix + "move", envelope(newPlayer(map), map, "move/up"));
      }
      until(moves + " actions failed", Duration.ofSeconds(10), () -> service.counters().failed() == moves);
      send(redis, Command.DEL, GameChannels.mapGeoSet(map));
      Player p = newPlayer(map, 1, 1);
      Listener onMap = listen(GameChannels.mapChannel(map));
      publish(prefix + "move", envelope(p, map, "move/up"));
      assertMove(onMap.next(), p, "move_up", 1.0, 1.5);
      assertEquals(1, lines.count(Level.WARN), "WARN lines for " + moves + " failed actions");
      until("the recovery line", Duration.ofSeconds(10),
        () -> lines.messages(Level.INFO).contains("actions played again, after " + moves + " failed"));
    }
  }

  @Test
  void resubscribesAfterTheConnectionIsLost() throws Exception {
    deploy(new JsonObject().put("actionChannelPrefix", prefix));
    String map = newMap();
    Player p = newPlayer(map, 1, 1);
    Listener onMap = listen(GameChannels.mapChannel(map));
    long before = subscriberClientId();

    send(redis, Command.CLIENT, "KILL", "ID", before);

    until("subscribed again on a new connection", Duration.ofSeconds(10),
      () -> subscriberClientId() > 0 && subscriberClientId() != before && subscribers(prefix + "move") == 1);
    publish(prefix + "move", envelope(p, map, "move/left"));
    assertMove(onMap.next(), p, "move_left", 0.5, 1.0);
  }

  @Test
  void startFailsWhenRedisCannotBeReached() {
    ExampleGameService unreachable = new ExampleGameService();
    assertInstanceOf(Exception.class, failureOf(vertx.deployVerticle(unreachable,
      new DeploymentOptions().setConfig(new JsonObject().put("redisUrl", "redis://127.0.0.1:1")))));
  }

  private void deploy(JsonObject config) {
    service = new ExampleGameService();
    await(vertx.deployVerticle(service, new DeploymentOptions().setConfig(config.put("redisUrl", TestRedis.url()))));
  }

  private long subscriberClientId() {
    return service.subscriberClientId();
  }

  private long subscribers(String channel) {
    Response numsub = send(redis, Command.PUBSUB, "NUMSUB", channel);
    return numsub.get(1).toLong();
  }

  private Listener listen(String... channels) throws InterruptedException {
    Listener l = Listener.subscribe(vertx, channels);
    listeners.add(l);
    return l;
  }

  private String newMap() {
    String map = "test-" + UUID.randomUUID();
    keys.add(GameChannels.mapGeoSet(map));
    return map;
  }

  private String newToken() {
    String token = UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
    keys.add(GameChannels.playerHash(token));
    return token;
  }

  /** A signed-in player: its hash exists, but it has no position yet. */
  private Player newPlayer(String map) {
    Player p = new Player(ThreadLocalRandom.current().nextLong(1, 1_000_000_000L), newToken());
    send(redis, Command.HSET, p.token, "id", p.id, "map_id", map, "action", "idle");
    return p;
  }

  /** A signed-in player online on the map at (x, y). */
  private Player newPlayer(String map, double x, double y) {
    Player p = newPlayer(map);
    send(redis, Command.GEOADD, GameChannels.mapGeoSet(map), x, y, p.token);
    return p;
  }

  private void publish(String channel, String payload) {
    send(redis, Command.PUBLISH, channel, payload);
  }

  private static String envelope(Player p, String map, String action) {
    int slash = action.indexOf('/');
    return new JsonObject()
      .put("player", Long.toString(p.id)).put("map", map).put("token", p.token)
      .put("model", action.substring(0, slash)).put("method", action.substring(slash + 1)).put("action", action)
      .put("data", new JsonObject().put("pingTime", 0.23).put("map", new JsonObject().put("instanceID", 12345)))
      .put("node", "node-test").put("session", "node-test-1").put("ip", "127.0.0.1")
      .put("ts", System.currentTimeMillis())
      .encode();
  }

  private double[] geopos(String map, String token) {
    Response r = send(redis, Command.GEOPOS, GameChannels.mapGeoSet(map), token).get(0);
    assertNotNull(r, "no GEOPOS for " + token);
    return new double[] {r.get(0).toDouble(), r.get(1).toDouble()};
  }

  private static void assertMove(Message m, Player p, String action, double x, double y) {
    assertEquals(new JsonObject().put("players", new JsonArray().add(new JsonObject()
      .put("id", p.id).put("action", action).put("position", new JsonArray().add(x).add(y)))).encode(), m.payload());
  }

  private record Player(long id, String token) {
  }
}
