package io.seedgate.node;

import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link RedisClusterShardedTest} with sharded action channels too ({@code routing.actionChannels} 16): the gateway
 * sends each action with {@code SPUBLISH} on {@code action:<model>:<n>} after its {@code HSET} is acknowledged, and
 * the example service subscribes the 16 channels of each model with {@code SSUBSCRIBE} on each channel's master.
 * The whole inherited protocol runs that way (every move and load goes through a sharded action channel, as the
 * classic one has no subscriber); beyond it: the action channels spread over the masters, each subscribed on its own
 * master only, and the classic action channels nowhere.
 */
class RedisClusterShardedActionsTest extends RedisClusterShardedTest {

  private static final int CHANNELS = 16;

  @Override
  protected int actionChannels() {
    return CHANNELS;
  }

  @Test
  void theActionChannelsSpreadOverTheMastersEachSubscribedOnItsOwnAndTheClassicOnesNowhere() throws IOException {
    String prefix = node.config.get(Settings.ACTION_CHANNEL_PREFIX);
    Set<Integer> owners = new HashSet<>();
    for (String model : List.of("move", "api")) {
      for (int n = 0; n < CHANNELS; n++) {
        String channel = RedisKeys.shardedActionChannel(prefix, model, n);
        int owner = cluster.masterOf(channel);
        owners.add(owner);
        for (int master : cluster.masters()) {
          List<?> numsub = (List<?>) cluster.call(master, "PUBSUB", "SHARDNUMSUB", channel);
          assertEquals(master == owner ? 1 : 0, Long.parseLong(String.valueOf(numsub.get(1))),
            channel + ": the service subscribed on its master " + owner + " only, asked " + master);
        }
      }
      for (int master : cluster.masters()) {
        List<?> numsub = (List<?>) cluster.call(master, "PUBSUB", "NUMSUB", prefix + model);
        assertEquals(0, Long.parseLong(String.valueOf(numsub.get(1))), "no classic subscriber of " + prefix + model);
      }
    }
    assertEquals(Set.copyOf(cluster.masters()), owners, "the action channels live on every master");
  }
}
