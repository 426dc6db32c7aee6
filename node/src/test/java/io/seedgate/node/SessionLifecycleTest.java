package io.seedgate.node;

import io.seedgate.common.RedisKeys;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.seedgate.testsupport.Eventually.until;
import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How sessions end: idle timeout, authentication deadline, node shutdown. Each test runs its own node. */
class SessionLifecycleTest {

  @Test
  void anIdleSessionGetsTheTimeoutErrorAndIsMarkedOfflineAndOffItsMap() {
    try (TestNode node = TestNode.start(Map.of("gateway.idleTimeoutSeconds", 1))) {
      String map = "m" + UUID.randomUUID();
      String player = "42" + (int) (Math.random() * 100000);
      String token = node.signIn(player, map);
      try (TestClient c = node.client()) {
        c.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
        c.nextContaining("\"load\"");
        assertEquals(player, await(node.redis.hget(RedisKeys.onlineShard(token), token)).toString(),
          "listed online while the session lasts");
        long start = System.currentTimeMillis();
        assertEquals("timeout", c.nextContaining("error").getString("error"));
        c.awaitClose();
        assertTrue(System.currentTimeMillis() - start >= 500, "not before the idle timeout");
      }
      until(Duration.ofSeconds(5), () -> await(node.redis.zscore("map:" + map, token)) == null);
      until(Duration.ofSeconds(5), () -> await(node.redis.hget(RedisKeys.onlineShard(token), token)) == null);
    }
  }

  @Test
  void aConnectionThatNeverSendsATokenIsClosedAfterTheAuthenticationDeadline() {
    try (TestNode node = TestNode.start(Map.of("gateway.authTimeoutSeconds", 1))) {
      try (TestClient c = node.client()) {
        assertEquals("authentication timeout", c.next().getString("error"));
        c.awaitClose();
      }
    }
  }

  @Test
  void onShutdownEveryClientGetsTheShutdownErrorAndIsRecordedAsLeft() {
    TestNode node = TestNode.start();
    try {
      String map = "m" + UUID.randomUUID();
      String token = node.signIn("77" + (int) (Math.random() * 100000), map);
      TestClient c = node.client();
      c.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
      c.nextContaining("\"load\"");
      TestClient unauthenticated = node.client();
      node.stopNode();
      assertEquals("server stopped", c.nextContaining("error").getString("error"));
      c.awaitClose();
      assertEquals("server stopped", unauthenticated.nextContaining("error").getString("error"));
      unauthenticated.awaitClose();
      assertNull(await(node.redis.zscore("map:" + map, token)), "off the map before the node finished stopping");
      Response hash = await(node.redis.hgetall(token));
      if (hash != null && hash.size() > 0) {
        assertEquals("offline", hash.get("action").toString(), "a kept hash is marked offline");
      }
      c.close();
      unauthenticated.close();
    } finally {
      node.close();
    }
  }
}
