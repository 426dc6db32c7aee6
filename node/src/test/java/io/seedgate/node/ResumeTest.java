package io.seedgate.node;

import io.seedgate.common.config.Settings;
import io.seedgate.gateway.LocalGateways;
import io.seedgate.gateway.resume.ResumeReason;
import io.seedgate.gateway.resume.ResumeToken;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Resumable sessions within one gateway instance (issue 17, part 1), end to end: real sockets on all three
 * transports, real Redis, the router and persistence roles, the example service. One gateway instance, so that a
 * reconnection lands on the instance that holds the session.
 */
class ResumeTest {

  private static final int WINDOW_SECONDS = 3;
  private static final int BUFFER_BYTES = 65_536;
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of(Settings.GATEWAY_INSTANCES.path(), 1,
      Settings.ROLES.path(), new JsonArray(List.of("gateway", "router", "persistence")),
      Settings.RESUME_WINDOW_SECONDS.path(), WINDOW_SECONDS, Settings.RESUME_BUFFER_BYTES.path(), BUFFER_BYTES));
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

  /** What a resumable client has seen: the sequence numbers and payloads, checked for gaps and duplicates. */
  private static final class Seen {
    final List<Long> seqs = new ArrayList<>();
    final List<Object> payloads = new ArrayList<>();
    String resume;

    long last() {
      return seqs.isEmpty() ? 0 : seqs.get(seqs.size() - 1);
    }

    /** The next message, which must be sequenced: kept, and returned. */
    JsonObject next(ReceivingClient c) {
      JsonObject m = c.next();
      assertTrue(m.containsKey("seq") && m.containsKey("msg"), "a sequenced delivery: " + m.encode());
      seqs.add(m.getLong("seq"));
      payloads.add(m.getValue("msg"));
      return m;
    }

    /** Sequenced messages until one whose payload contains the fragment. */
    JsonObject nextContaining(ReceivingClient c, String fragment) {
      for (int i = 0; i < 20; i++) {
        JsonObject m = next(c);
        if (m.getValue("msg").toString().contains(fragment)) {
          return m;
        }
      }
      throw new AssertionError("no delivery containing " + fragment);
    }

    void assertNoGapNoDuplicate() {
      for (int i = 0; i < seqs.size(); i++) {
        assertEquals(i + 1, seqs.get(i), "gap or duplicate at " + i + ": " + seqs);
      }
    }
  }

  /** Logs in asking for a resumable session: the session message first, then the load reply and the join. */
  private static Seen resumableLogin(ReceivingClient c, Runnable sendLogin) {
    sendLogin.run();
    JsonObject first = c.next();
    JsonObject session = first.getJsonObject("session");
    assertNotNull(session, "the session message comes before anything else: " + first.encode());
    assertEquals(0L, session.getLong("seq"));
    assertEquals(WINDOW_SECONDS, session.getInteger("windowSeconds"));
    assertNotNull(ResumeToken.parse(session.getString("resume")), "a resume token: " + session);
    Seen seen = new Seen();
    seen.resume = session.getString("resume");
    seen.nextContaining(c, "\"load\"");
    seen.nextContaining(c, "\"idle\"");
    return seen;
  }

  private static Seen wsLogin(TestClient c, String token) {
    return resumableLogin(c, () -> c.sendBinary(login(token)));
  }

  private static JsonObject login(String token) {
    return new JsonObject().put("token", token).put("action", "api/load").put("resume", true);
  }

  private static JsonObject resume(String resumeToken, long seq) {
    return new JsonObject().put("resume", resumeToken).put("seq", seq);
  }

  @Test
  void aDroppedWebSocketClientResumesWithExactlyWhatItMissedThenLiveOnes() {
    String map = newMap();
    String player = newPlayer();
    String token = node.signIn(player, map);
    long succeededBefore = LocalGateways.resumesSucceeded(node.vertx);
    Seen seen;
    try (TestClient c = node.client()) {
      seen = wsLogin(c, token);
      for (int i = 0; i < 5; i++) {
        await(node.redis.publish("token:" + token, "{\"n\":" + i + "}"));
        assertEquals(i, ((JsonObject) seen.next(c).getValue("msg")).getInteger("n"));
      }
      c.closeNow();
    }
    awaitDetached(seen);
    long last = seen.last();
    for (int i = 0; i < 10; i++) {
      String channel = i % 2 == 0 ? "player:" + player : "map:" + map;
      await(node.redis.publish(channel, "{\"missed\":" + i + "}"));
    }
    await(node.redis.publish("broadcast", "not json, a string"));
    until(() -> LocalGateways.bufferedBytes(node.vertx) > 0, "buffered");
    assertNotNull(await(node.redis.zscore("map:" + map, token)), "still on its map while detached");
    Response hash = await(node.redis.hgetall(token));
    assertEquals(player, hash.get("id").toString(), "still online while detached");
    assertNotEquals("offline", String.valueOf(hash.get("action")));
    assertTrue(LocalGateways.detached(node.vertx) >= 1);

    try (TestClient c = node.client()) {
      c.sendBinary(resume(seen.resume, last));
      JsonObject resumed = c.next().getJsonObject("resumed");
      assertNotNull(resumed);
      assertEquals(last, resumed.getLong("seq"));
      assertEquals(11, resumed.getInteger("replayed"));
      String newResume = resumed.getString("resume");
      assertNotEquals(seen.resume, newResume, "a new secret for every resume");
      for (int i = 0; i < 10; i++) {
        assertEquals(i, ((JsonObject) seen.next(c).getValue("msg")).getInteger("missed"), "in order");
      }
      assertEquals("not json, a string", seen.next(c).getValue("msg"));
      for (int i = 0; i < 3; i++) {
        await(node.redis.publish("token:" + token, "{\"live\":" + i + "}"));
        assertEquals(i, ((JsonObject) seen.next(c).getValue("msg")).getInteger("live"));
      }
      c.sendBinary(new JsonObject().put("action", "move/up"));
      seen.nextContaining(c, "move_up");
      c.expectNothing(200);
      seen.assertNoGapNoDuplicate();
      assertEquals("active", describe(seen).getString("state"), "the session carries on under its id");
      assertEquals(succeededBefore + 1, LocalGateways.resumesSucceeded(node.vertx));

      try (TestClient old = node.client()) {
        old.sendBinary(resume(seen.resume, last));
        assertEquals(failed(ResumeReason.UNKNOWN), old.next(), "the old token is spent");
      }
      seen.resume = newResume;
    }
    // a client that closes cleanly detaches too; the window then ends the session as usual
    assertEndedWithin(map, token, WINDOW_SECONDS * 1000L + 3_000);
  }

  @Test
  void theWindowPassingEndsTheSessionAndTheConnectionOfALateResumeMayLogInAfresh() {
    String map = newMap();
    String token = node.signIn(newPlayer(), map);
    Seen seen;
    try (TestClient c = node.client()) {
      seen = wsLogin(c, token);
      c.closeNow();
    }
    long detachedAt = System.currentTimeMillis();
    awaitDetached(seen);
    assertEndedWithin(map, token, WINDOW_SECONDS * 1000L + 3_000);
    assertTrue(System.currentTimeMillis() - detachedAt >= WINDOW_SECONDS * 1000L - 200, "not before the window");
    try (TestClient c = node.client()) {
      c.sendBinary(resume(seen.resume, seen.last()));
      assertEquals(failed(ResumeReason.EXPIRED), c.next());
      assertFalse(c.isClosed());
      String fresh = node.signIn(newPlayer(), map);
      c.sendBinary(new JsonObject().put("token", fresh).put("action", "api/load"));
      assertEquals("load", c.nextContaining("\"load\"").getString("action"), "a plain login on the same connection");
    }
  }

  @Test
  void badUnknownForeignAndOutOfRangeResumesAreAnsweredAndTheConnectionStaysOpen() {
    String map = newMap();
    String token = node.signIn(newPlayer(), map);
    try (TestClient held = node.client(); TestClient c = node.client()) {
      Seen seen = wsLogin(held, token);
      ResumeToken real = ResumeToken.parse(seen.resume);
      c.sendBinary(resume("garbage", 0));
      assertEquals(failed(ResumeReason.UNKNOWN), c.next());
      c.sendBinary(resume(ResumeToken.generate(real.incarnationId() + "-zzzz").encode(), 0));
      assertEquals(failed(ResumeReason.UNKNOWN), c.next(), "no such session");
      c.sendBinary(resume(ResumeToken.generate(real.sessionId()).encode(), 0));
      assertEquals(failed(ResumeReason.UNKNOWN), c.next(), "a wrong secret");
      c.sendBinary(resume(seen.resume, seen.last() + 5));
      assertEquals(failed(ResumeReason.UNKNOWN), c.next(), "a seq never sent");
      c.sendBinary(resume(ResumeToken.generate("other-node.abc-1").encode(), 0));
      assertEquals(failed(ResumeReason.ELSEWHERE), c.next(), "held by another incarnation");
      assertFalse(c.isClosed());
      await(node.redis.publish("token:" + token, "{\"still\":1}"));
      assertEquals(1, ((JsonObject) seen.next(held).getValue("msg")).getInteger("still"),
        "the failed attempts left the session alone");
    }
    assertEndedWithin(map, token, WINDOW_SECONDS * 1000L + 3_000);
  }

  @Test
  void aDetachedSessionPastItsBufferEndsAtOnce() {
    String map = newMap();
    String token = node.signIn(newPlayer(), map);
    Seen seen;
    try (TestClient c = node.client()) {
      seen = wsLogin(c, token);
      c.closeNow();
    }
    awaitDetached(seen);
    String kilobyte = "{\"pad\":\"" + "x".repeat(1000) + "\"}";
    long start = System.currentTimeMillis();
    for (int i = 0; i < BUFFER_BYTES / 1000 + 2; i++) {
      await(node.redis.publish("token:" + token, kilobyte));
    }
    assertEndedWithin(map, token, 3_000);
    assertTrue(System.currentTimeMillis() - start < WINDOW_SECONDS * 1000L, "ended before its window");
    try (TestClient c = node.client()) {
      c.sendBinary(resume(seen.resume, seen.last()));
      assertEquals(failed(ResumeReason.OVERFLOWED), c.next());
    }
  }

  @Test
  void aSecondLoginOfThePlayerEndsItsDetachedSession() {
    String map = newMap();
    String token = node.signIn(newPlayer(), map);
    Seen seen;
    try (TestClient c = node.client()) {
      seen = wsLogin(c, token);
      c.closeNow();
    }
    awaitDetached(seen);
    try (TestClient again = node.client()) {
      again.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
      again.nextContaining("\"load\"");
      until(() -> !describe(seen).getBoolean("found"), "the detached session ended");
      try (TestClient c = node.client()) {
        c.sendBinary(resume(seen.resume, seen.last()));
        assertEquals(failed(ResumeReason.REPLACED), c.next());
      }
      assertNotNull(await(node.redis.zscore("map:" + map, token)), "the new session keeps the player on its map");
    }
  }

  @Test
  void a2021ClientGetsByteIdenticalDeliveriesBesideAResumableOne() {
    String map = newMap();
    try (TestClient plain = node.client(); TestClient resumable = node.client()) {
      plain.sendBinary(new JsonObject().put("token", node.signIn(newPlayer(), map)).put("action", "api/load"));
      JsonObject first = plain.next();
      assertFalse(first.containsKey("session") || first.containsKey("seq"), "no session message: " + first);
      plain.nextContaining("\"idle\"");
      Seen seen = wsLogin(resumable, node.signIn(newPlayer(), map));
      plain.nextContaining("\"idle\"");
      String payload = "{ \"players\" : [ {\"id\":5,\"position\":[1.50,2]} ] }";
      await(node.redis.publish("map:" + map, payload));
      assertEquals(payload, plain.nextText(5_000), "byte for byte, not wrapped");
      long seq = seen.last() + 1;
      assertEquals("{\"seq\":" + seq + ",\"msg\":" + payload + "}", resumable.nextText(5_000),
        "the payload embedded byte for byte");
      await(node.redis.publish("map:" + map, "plain text"));
      assertEquals("plain text", plain.nextText(5_000));
      assertEquals("{\"seq\":" + (seq + 1) + ",\"msg\":\"plain text\"}", resumable.nextText(5_000));
    }
  }

  @Test
  void aTcpClientResumesOnANewConnection() {
    String map = newMap();
    String token = node.signIn(newPlayer(), map);
    int port = node.config.get(Settings.TCP_PORT);
    Seen seen;
    try (TcpTestClient c = TcpTestClient.connect(port)) {
      seen = resumableLogin(c, () -> c.send(login(token)));
    }
    awaitDetached(seen);
    for (int i = 0; i < 4; i++) {
      await(node.redis.publish("token:" + token, "{\"tcp\":" + i + "}"));
    }
    try (TcpTestClient c = TcpTestClient.connect(port)) {
      c.send(resume(seen.resume, seen.last()));
      assertEquals(4, c.next().getJsonObject("resumed").getInteger("replayed"));
      for (int i = 0; i < 4; i++) {
        assertEquals(i, ((JsonObject) seen.next(c).getValue("msg")).getInteger("tcp"));
      }
      await(node.redis.publish("token:" + token, "{\"tcp\":\"live\"}"));
      assertEquals("live", ((JsonObject) seen.next(c).getValue("msg")).getString("tcp"));
      seen.assertNoGapNoDuplicate();
      assertFalse(c.hadUnterminatedTail());
    }
    assertEndedWithin(map, token, WINDOW_SECONDS * 1000L + 3_000);
  }

  @Test
  void aUdpClientResumesFromANewAddress() {
    String map = newMap();
    String token = node.signIn(newPlayer(), map);
    int port = node.config.get(Settings.UDP_PORT);
    try (UdpTestClient a = UdpTestClient.open(port); UdpTestClient b = UdpTestClient.open(port)) {
      Seen seen = resumableLogin(a, () -> a.send(login(token)));
      long sawAtA = seen.last();
      for (int i = 0; i < 3; i++) {
        await(node.redis.publish("token:" + token, "{\"udp\":" + i + "}"));
      }
      // the client's address changes: what went to the old one is lost to it
      assertEquals(3, a.countFor(500));
      b.send(resume(seen.resume, sawAtA));
      JsonObject resumed = b.next().getJsonObject("resumed");
      assertEquals(3, resumed.getInteger("replayed"));
      for (int i = 0; i < 3; i++) {
        assertEquals(i, ((JsonObject) seen.next(b).getValue("msg")).getInteger("udp"));
      }
      await(node.redis.publish("token:" + token, "{\"udp\":\"live\"}"));
      assertEquals("live", ((JsonObject) seen.next(b).getValue("msg")).getString("udp"));
      assertEquals(0, a.countFor(300), "nothing more to the old address");
      b.send(new JsonObject().put("action", "move/up"));
      seen.nextContaining(b, "move_up");
      seen.assertNoGapNoDuplicate();
    }
  }

  private static JsonObject failed(ResumeReason reason) {
    return new JsonObject().put("error", "resume failed").put("reason", reason.wire());
  }

  /** The session ended as usual: off the map, saved, its hash removed. */
  private static void assertEndedWithin(String map, String token, long ms) {
    long deadline = System.currentTimeMillis() + ms;
    while (System.currentTimeMillis() < deadline && await(node.redis.zscore("map:" + map, token)) != null) {
      WebSocketGatewayTest.sleep(20);
    }
    assertNull(await(node.redis.zscore("map:" + map, token)), "off its map within " + ms + " ms");
    until(() -> await(node.redis.hget(token, "id")) == null, "saved, then its hash removed");
    assertEquals(0, await(node.redis.sismember("seed:unsaved", token)).toInteger(), "saved");
  }

  private static JsonObject describe(Seen seen) {
    return await(LocalGateways.describe(node.vertx, ResumeToken.parse(seen.resume).sessionId()));
  }

  private static void awaitDetached(Seen seen) {
    until(() -> "detached".equals(describe(seen).getString("state")), "the session is detached");
  }

  private static void until(BooleanSupplier condition, String what) {
    long deadline = System.currentTimeMillis() + 5_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not within 5 s: " + what);
      }
      WebSocketGatewayTest.sleep(20);
    }
  }
}
