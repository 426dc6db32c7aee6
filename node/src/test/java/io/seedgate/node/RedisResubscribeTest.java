package io.seedgate.node;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.seedgate.examples.ExampleGameService;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.seedgate.testsupport.Eventually.until;
import static io.seedgate.testsupport.Await.await;

/**
 * A node whose Redis connections drop while Redis refuses SUBSCRIBE (here: an ACL change; in production a
 * failover to a replica that is not ready, or a proxy in the way) must not stay up with its delivery channels
 * unsubscribed: once Redis accepts SUBSCRIBE again, deliveries reach the node's players without any restart.
 */
class RedisResubscribeTest {

  private final String user = "seed-resub-" + UUID.randomUUID().toString().substring(0, 8);
  private final String password = UUID.randomUUID().toString();
  private Redis adminClient;
  private RedisAPI admin;
  private io.vertx.core.Vertx vertx;

  @BeforeEach
  void createUser() {
    vertx = io.vertx.core.Vertx.vertx();
    adminClient = Redis.createClient(vertx, TestSupport.backingServices().get(Settings.REDIS_URL));
    admin = RedisAPI.api(adminClient);
    await(admin.acl(List.of("SETUSER", user, "on", ">" + password, "~*", "&*", "+@all")));
  }

  @AfterEach
  void deleteUser() {
    await(admin.acl(List.of("DELUSER", user)));
    adminClient.close();
    await(vertx.close());
  }

  @Test
  void deliveriesResumeOnceRedisAcceptsSubscribeAgainAfterAReconnectItRefused() {
    String adminUrl = TestSupport.backingServices().get(Settings.REDIS_URL);
    URI redis = URI.create(adminUrl);
    String userUrl = "redis://" + user + ":" + password + "@" + redis.getHost() + ":" + redis.getPort();
    try (TestNode node = TestNode.startWithoutService(Map.of(Settings.REDIS_URL.path(), userUrl))) {
      // the game service is not the node under test: it keeps the default user
      await(node.vertx.deployVerticle(ExampleGameService::new, new DeploymentOptions().setConfig(new JsonObject()
        .put("redisUrl", adminUrl)
        .put("actionChannelPrefix", node.config.get(Settings.ACTION_CHANNEL_PREFIX)))));
      String player = "9" + (int) (Math.random() * 1_000_000);
      String token = node.signIn(player, "m" + UUID.randomUUID());
      try (TestClient c = node.client()) {
        c.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
        c.nextContaining("\"load\"");
        while (c.nextText(300) != null) {
          // the rest of the login's answers
        }

        await(admin.acl(List.of("SETUSER", user, "-subscribe")));
        await(admin.client(List.of("KILL", "USER", user)));
        until(Duration.ofSeconds(5), () -> await(admin.client(List.of("LIST"))).toString().contains("user=" + user));
        await(admin.publish(RedisKeys.playerChannel(player), "{\"during\":\"refused\"}"));
        c.expectNothing(500); // proves SUBSCRIBE was really refused: the channel is not live

        await(admin.acl(List.of("SETUSER", user, "+subscribe")));
        long deadline = System.currentTimeMillis() + 10_000;
        String received = null;
        while (received == null && System.currentTimeMillis() < deadline) {
          await(admin.publish(RedisKeys.playerChannel(player), "{\"after\":\"accepted\"}"));
          received = c.nextText(200);
        }
        if (received == null || !received.contains("accepted")) {
          throw new AssertionError("no delivery within 10 s after SUBSCRIBE was allowed again: " + received);
        }
      }
    }
  }
}
