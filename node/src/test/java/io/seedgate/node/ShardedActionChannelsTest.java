package io.seedgate.node;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sharded action channels ({@code routing.actionChannels} 4) on one Redis server: the gateway SPUBLISHes each
 * action on {@code action:<model>:<n>}, the example service SSUBSCRIBEs the four channels of each model, and a
 * player's load and moves are answered as with classic channels; nothing subscribes the classic channels.
 */
class ShardedActionChannelsTest {

  @Test
  void actionsGoThroughShardedChannelsOnOneServerAndAreAnswered() {
    try (TestNode node = TestNode.start(Map.of(Settings.ACTION_CHANNELS.path(), 4))) {
      String prefix = node.config.get(Settings.ACTION_CHANNEL_PREFIX);
      for (String model : List.of("move", "api")) {
        Response numsub = await(node.redis.send(io.vertx.redis.client.Command.PUBSUB, "NUMSUB", prefix + model));
        assertEquals(0, numsub.get(1).toInteger(), "no classic subscriber of " + prefix + model);
        for (int n = 0; n < 4; n++) {
          String channel = RedisKeys.shardedActionChannel(prefix, model, n);
          Response shard = await(node.redis.send(io.vertx.redis.client.Command.PUBSUB, "SHARDNUMSUB", channel));
          assertEquals(1, shard.get(1).toInteger(), "the service subscribed " + channel);
        }
      }
      String map = "m" + UUID.randomUUID().toString().substring(0, 8);
      String player = Long.toString(5_000_000 + (long) (Math.random() * 1_000_000_000L));
      String token = node.signIn(player, map);
      try (TestClient c = node.client()) {
        c.sendBinary(new JsonObject().put("token", token).put("action", "api/load"));
        assertEquals(1, c.nextContaining("\"load\"").getJsonArray("players").size());
        for (int i = 1; i <= 3; i++) {
          c.sendBinary(new JsonObject().put("action", "move/up"));
          JsonObject moved = c.nextContaining("move_up").getJsonArray("players").getJsonObject(0);
          assertEquals(player, moved.getValue("id").toString());
        }
      }
    }
  }
}
