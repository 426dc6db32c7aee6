package io.seedgate.node;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RedisClusterTest}'s protocol with {@code routing.pubsub} {@code sharded}: the gateway subscribes each
 * delivery channel with {@code SSUBSCRIBE} on the master that owns its slot, and the example service answers with
 * {@code SPUBLISH}. Beyond the inherited tests: every channel is subscribed on its own master and nowhere else, and a
 * resume that lands on the other gateway instance is refused ({@code elsewhere}: no marker orders the deliveries of
 * several shards) so the client logs in afresh.
 */
class RedisClusterShardedTest extends RedisClusterTest {

  @Override
  protected String pubsub() {
    return Settings.PUBSUB_SHARDED;
  }

  @Test
  void eachDeliveryChannelIsSubscribedOnTheMasterOwningItsSlotAndNowhereElse() throws IOException {
    String map = "m" + java.util.UUID.randomUUID().toString().substring(0, 8);
    List<Player> players = onEveryMaster(map);
    List<TestClient> clients = new ArrayList<>();
    try {
      for (Player p : players) {
        clients.add(loggedIn(p.token()));
      }
      List<String> channels = new ArrayList<>(List.of(RedisKeys.mapChannel(map)));
      for (Player p : players) {
        channels.add(RedisKeys.tokenChannel(p.token()));
        channels.add(RedisKeys.playerChannel(p.id()));
      }
      for (String channel : channels) {
        int owner = cluster.masterOf(channel);
        for (int master : cluster.masters()) {
          Object listed = cluster.call(master, "PUBSUB", "SHARDCHANNELS", channel);
          Object classic = cluster.call(master, "PUBSUB", "CHANNELS", channel);
          assertEquals(master == owner ? List.of(channel) : List.of(), listed,
            channel + " subscribed on its master " + owner + " only, asked " + master);
          assertEquals(List.of(), classic, channel + " has no classic subscription on " + master);
        }
      }
    } finally {
      clients.forEach(TestClient::close);
    }
  }

  @Test
  void aResumeLandingOnTheOtherGatewayInstanceIsRefusedAndTheClientLogsInAfresh() {
    String map = "m" + java.util.UUID.randomUUID().toString().substring(0, 8);
    Player p = onEveryMaster(map).get(0);
    int refused = 0;
    int resumed = 0;
    TestClient c = node.client();
    c.sendBinary(new JsonObject().put("token", p.token()).put("action", "api/load").put("resume", true));
    String resume = c.next().getJsonObject("session").getString("resume");
    try {
      for (int round = 0; round < 4; round++) {
        c.closeNow();
        // the node's two instances take connections in turn: a spare one first in odd rounds shifts which one
        // the resume reaches, so that both cases come up
        TestClient spare = round % 2 == 1 ? node.client() : null;
        c = node.client();
        if (spare != null) {
          spare.close();
        }
        c.sendBinary(new JsonObject().put("resume", resume).put("seq", 0));
        JsonObject answer = c.next();
        if (answer.containsKey("resumed")) {
          resumed++;
          resume = answer.getJsonObject("resumed").getString("resume");
        } else {
          assertEquals("resume failed", answer.getString("error"), answer.encode());
          assertEquals("elsewhere", answer.getString("reason"), answer.encode());
          refused++;
          c.sendBinary(new JsonObject().put("token", p.token()).put("action", "api/load").put("resume", true));
          resume = c.nextContaining("session").getJsonObject("session").getString("resume");
        }
      }
      assertTrue(refused >= 1, "some reconnections landed on the other instance: refused " + refused);
      assertTrue(resumed >= 1, "and some on the holding one, resumed there: " + resumed);
      String probe = "{\"probe\":1}";
      deliver(RedisKeys.playerChannel(p.id()), probe);
      assertEquals(1, ((JsonObject) c.nextContaining("probe").getValue("msg")).getInteger("probe"));
    } finally {
      c.close();
    }
  }
}
