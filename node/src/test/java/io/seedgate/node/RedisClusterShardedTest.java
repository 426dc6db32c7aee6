package io.seedgate.node;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link RedisClusterTest}'s protocol with {@code routing.pubsub} {@code sharded}: the gateway subscribes each
 * delivery channel with {@code SSUBSCRIBE} on the master that owns its slot, and the example service answers with
 * {@code SPUBLISH}. Beyond the inherited tests (a resumable session handed over between the node's instances among
 * them, its channels split by a marker per shard): every channel is subscribed on its own master and nowhere
 * else.
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
}
