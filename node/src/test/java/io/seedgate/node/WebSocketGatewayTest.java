package io.seedgate.node;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One node, real Redis, the example service and real WebSocket clients: the 2021 contract end to end. */
class WebSocketGatewayTest {

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String newMap() {
    return "m" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String newPlayer() {
    return Long.toString(1_000_000 + (long) (Math.random() * 1_000_000_000L));
  }

  @Test
  void a2021ClientLoadsMovesAndItsHashIsKeptCurrent() {
    String map = newMap();
    String player = newPlayer();
    String token = node.signIn(player, map);
    try (TestClient c = node.client()) {
      c.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
      JsonObject load = c.nextContaining("\"load\"");
      assertEquals("load", load.getString("action"));
      JsonArray players = load.getJsonArray("players");
      assertEquals(1, players.size(), "the map lists the player itself");
      JsonObject join = c.nextContaining("\"players\"");
      assertEquals(Long.parseLong(player), join.getJsonArray("players").getJsonObject(0).getLong("id"));

      c.sendBinary(new JsonObject().put("action", "move/up").put("pingTime", 0.23)
        .put("map", new JsonObject().put("instanceID", 12345)));
      JsonObject move = c.nextContaining("move_up");
      JsonObject me = move.getJsonArray("players").getJsonObject(0);
      assertEquals("move_up", me.getString("action"));
      assertEquals(0.5, me.getJsonArray("position").getDouble(1), 0.001);

      Response hash = await(node.redis.hgetall(token));
      assertEquals("move/up", hash.get("action").toString());
      assertEquals("0.23", hash.get("ping").toString());
      assertEquals("127.0.0.1", hash.get("ip").toString());
      LocalDateTime written = LocalDateTime.parse(hash.get("datetime").toString(),
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
      assertTrue(Math.abs(java.time.Duration.between(written, LocalDateTime.now()).toSeconds()) < 5);
      Response members = await(node.redis.zrange(List.of("map:" + map, "0", "-1")));
      assertEquals(token, members.get(0).toString(), "the player is in the 2021 GEO set while online");
    }
    assertLeftMap(map, token);
  }

  @Test
  void aBrowserClientSendsTextFramesAndTheTokenAgainInEveryMessage() {
    String map = newMap();
    String token = node.signIn(newPlayer(), map);
    try (TestClient c = node.client()) {
      c.sendText("{\"token\":\"" + token + "\",\"action\":\"api/load\"}");
      c.nextContaining("\"load\"");
      c.sendText("{\"token\":\"" + token + "\",\"action\":\"move/right\",\"pingTime\":0,\"extra\":[1,2]}");
      assertEquals(0.5, c.nextContaining("move_right").getJsonArray("players").getJsonObject(0)
        .getJsonArray("position").getDouble(0), 0.001);
    }
  }

  @Test
  void twoPlayersOnAMapGetItsBroadcastAndAPlayerElsewhereDoesNot() {
    String map = newMap();
    try (TestClient a = loggedIn(node.signIn(newPlayer(), map));
         TestClient b = loggedIn(node.signIn(newPlayer(), map));
         TestClient other = loggedIn(node.signIn(newPlayer(), newMap()))) {
      String payload = "{\"players\":[{\"id\":1,\"action\":\"wave\"}],\"n\":" + UUID.randomUUID().hashCode() + "}";
      await(node.redis.publish("map:" + map, payload));
      assertEquals(new JsonObject(payload), a.nextContaining("wave"));
      assertEquals(new JsonObject(payload), b.nextContaining("wave"));
      other.expectNothing(300);
    }
  }

  @Test
  void deliveriesByTokenPlayerAndBroadcastArriveByteForByte() {
    String player = newPlayer();
    String token = node.signIn(player, newMap());
    try (TestClient c = loggedIn(token)) {
      String toToken = "{\"to\":\"token\",  \"spaced\" : true, \"utf8\":\"\u00e9\u043f\"}";
      await(node.redis.publish("token:" + token, toToken));
      assertEquals(toToken, c.nextText(5_000));
      String toPlayer = "{\"to\":\"player\"}";
      await(node.redis.publish("player:" + player, toPlayer));
      assertEquals(toPlayer, c.nextText(5_000));
      String everyone = "{\"to\":\"everyone\", \"n\":\"" + UUID.randomUUID() + "\"}";
      await(node.redis.publish("broadcast", everyone));
      String got = c.nextText(5_000);
      while (got != null && !got.contains("everyone")) {
        got = c.nextText(5_000);
      }
      assertEquals(everyone, got);
    }
  }

  @Test
  void compressionOfferedByABrowserIsDeclined() {
    io.vertx.core.http.WebSocketClient client = node.vertx.createWebSocketClient(
      new io.vertx.core.http.WebSocketClientOptions().setTryUsePerMessageCompression(true));
    try {
      io.vertx.core.http.WebSocket ws = await(client.connect(node.port, "127.0.0.1", "/"));
      assertEquals(null, ws.headers().get("Sec-WebSocket-Extensions"),
        "no per-connection deflater: the server must not accept permessage-deflate");
      await(ws.close());
    } finally {
      client.close();
    }
  }

  @Test
  void jwtInTheHandshakeHeaderNeedsNoTokenMessage() {
    String player = newPlayer();
    String jwt = node.jwt(player, newMap(), 60);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + jwt);
    try (TestClient c = TestClient.connect(node.vertx, node.port, "/", headers)) {
      c.sendBinary(new JsonObject().put("action", "api/load"));
      JsonObject load = c.nextContaining("\"load\"");
      assertEquals(Long.parseLong(player), load.getJsonArray("players").getJsonObject(0).getLong("id"));
    }
  }

  @Test
  void jwtInTheQueryOrTheFirstMessage() {
    String map = newMap();
    String viaQuery = node.jwt(newPlayer(), map, 60);
    try (TestClient c = TestClient.connect(node.vertx, node.port, "/game?token=" + viaQuery,
      MultiMap.caseInsensitiveMultiMap())) {
      c.sendBinary(new JsonObject().put("action", "api/load"));
      c.nextContaining("\"load\"");
    }
    String viaMessage = node.jwt(newPlayer(), map, 60);
    try (TestClient c = node.client()) {
      c.sendBinary(new JsonObject().put("token", viaMessage).put("action", "api/load"));
      c.nextContaining("\"load\"");
    }
  }

  @Test
  void badTokensGetAClearErrorAndAClose() {
    String expired = node.jwt(newPlayer(), "1", -60);
    assertRefused(expired, "token expired");
    String wronglySigned = node.jwt("another-secret-0123456789-0123456789-xyz", newPlayer(), "1", 60);
    assertRefused(wronglySigned, "invalid token");
    String unsignedHeader = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    String unsigned = unsignedHeader + "." + b64("{\"sub\":\"7\",\"exp\":" + (System.currentTimeMillis() / 1000 + 60)
      + "}") + ".";
    assertRefused(unsigned, "invalid token");
    assertRefused("garbage", "invalid token");
    assertRefused("eyJ.garbage.x", "invalid token");
    assertRefused(UUID.randomUUID().toString().toUpperCase(), "invalid token");
  }

  @Test
  void aMessageWithoutActionMalformedJsonOrAnOversizedFrameIsAnErrorAndAClose() {
    String map = newMap();
    try (TestClient bystander = loggedIn(node.signIn(newPlayer(), map))) {
      try (TestClient c = loggedIn(node.signIn(newPlayer(), map))) {
        c.sendBinary(new JsonObject().put("pingTime", 1));
        assertEquals("no action", c.nextContaining("error").getString("error"));
        c.awaitClose();
      }
      try (TestClient c = loggedIn(node.signIn(newPlayer(), map))) {
        c.sendText("{\"action\": \"move/up\"");
        assertEquals("malformed message", c.nextContaining("error").getString("error"));
        c.awaitClose();
      }
      try (TestClient c = node.client()) {
        c.sendText("[1,2,3]");
        assertEquals("malformed message", c.nextContaining("error").getString("error"));
        c.awaitClose();
      }
      try (TestClient c = loggedIn(node.signIn(newPlayer(), map))) {
        byte[] big = new byte[70_000];
        java.util.Arrays.fill(big, (byte) 'a');
        c.sendRaw(Buffer.buffer("{\"action\":\"move/up\",\"pad\":\"").appendBytes(big).appendString("\"}"));
        assertEquals("message too large", c.nextContaining("error").getString("error"));
        c.awaitClose();
      }
      bystander.sendBinary(new JsonObject().put("action", "move/down"));
      assertNotNull(bystander.nextContaining("move_down"), "the node still serves the other clients");
    }
  }

  @Test
  void aSecondLoginClosesTheFirst() {
    String player = newPlayer();
    String map = newMap();
    String token = node.signIn(player, map);
    try (TestClient first = loggedIn(token); TestClient second = loggedIn(token)) {
      assertEquals("logged in elsewhere", first.nextContaining("error").getString("error"));
      first.awaitClose();
      second.sendBinary(new JsonObject().put("action", "move/left"));
      second.nextContaining("move_left");
      Response members = await(node.redis.zrange(List.of("map:" + map, "0", "-1")));
      assertEquals(1, members.size(), "the replaced session did not take the player off the map");
    }
  }

  @Test
  void aSecondJwtLoginClosesTheFirstAndKeepsTheState() {
    String player = newPlayer();
    String map = newMap();
    try (TestClient first = TestClient.connect(node.vertx, node.port, "/?token=" + node.jwt(player, map, 60),
      MultiMap.caseInsensitiveMultiMap())) {
      first.sendBinary(new JsonObject().put("action", "move/up"));
      first.nextContaining("move_up");
      try (TestClient second = TestClient.connect(node.vertx, node.port, "/?token=" + node.jwt(player, map, 60),
        MultiMap.caseInsensitiveMultiMap())) {
        assertEquals("logged in elsewhere", first.nextContaining("error").getString("error"));
        second.sendBinary(new JsonObject().put("action", "move/up"));
        JsonObject move = second.nextContaining("move_up");
        assertEquals(1.0, move.getJsonArray("players").getJsonObject(0).getJsonArray("position").getDouble(1), 0.001,
          "the second session continues from the first one's position");
      }
    }
  }

  @Test
  void allowListRefusesOtherModelsButKeepsTheConnection() {
    try (TestNode strict = TestNode.start(java.util.Map.of("routing.allowedModels", new JsonArray(List.of("move"))))) {
      String token = strict.signIn(newPlayer(), newMap());
      try (TestClient c = strict.client()) {
        c.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
        assertEquals("unknown model", c.nextContaining("error").getString("error"));
        c.sendBinary(new JsonObject().put("action", "move/up"));
        c.nextContaining("move_up");
        assertFalse(c.isClosed());
      }
    }
  }

  @Test
  void aServiceMovesAPlayerToAnotherMap() {
    String player = newPlayer();
    String from = newMap();
    String to = newMap();
    String token = node.signIn(player, from);
    try (TestClient c = loggedIn(token)) {
      await(node.redis.publish("gateway:control", new JsonObject().put("type", "set-map").put("player", player)
        .put("map", to).encode()));
      long deadline = System.currentTimeMillis() + 5_000;
      while (!to.equals(await(node.redis.hget(token, "map_id")).toString()) && System.currentTimeMillis() < deadline) {
        sleep(20);
      }
      sleep(200);
      await(node.redis.publish("map:" + from, "{\"old\":1}"));
      await(node.redis.publish("map:" + to, "{\"new\":1}"));
      assertEquals(new JsonObject().put("new", 1), c.nextContaining("new"));
      c.expectNothing(200);
      assertEquals(0, await(node.redis.zrange(List.of("map:" + from, "0", "-1"))).size());
      assertEquals(token, await(node.redis.zrange(List.of("map:" + to, "0", "-1"))).get(0).toString());
    }
  }

  /** A client that sent its token with api/load and got both the load reply and its own join broadcast. */
  private static TestClient loggedIn(String token) {
    TestClient c = node.client();
    c.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
    c.nextContaining("\"load\"");
    c.nextContaining("\"idle\"");
    return c;
  }

  private static void assertRefused(String token, String error) {
    try (TestClient c = node.client()) {
      c.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
      assertEquals(error, c.next().getString("error"), "for token " + token);
      c.awaitClose();
    }
  }

  private static void assertLeftMap(String map, String token) {
    long deadline = System.currentTimeMillis() + 5_000;
    while (System.currentTimeMillis() < deadline) {
      if (await(node.redis.zscore("map:" + map, token)) == null) {
        return;
      }
      sleep(20);
    }
    throw new AssertionError("player still on map " + map + " after leaving");
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
