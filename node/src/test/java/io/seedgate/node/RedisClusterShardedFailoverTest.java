package io.seedgate.node;

import io.seedgate.common.config.Settings;

import java.util.Map;

/**
 * {@link RedisClusterFailoverTest} with sharded Pub/Sub for deliveries ({@code routing.pubsub} sharded) and actions
 * ({@code routing.actionChannels} 16): when the master holding the map is killed under load, the gateway's
 * {@code SSUBSCRIBE}s of that shard and the example service's subscriptions of the action channels on it are made
 * again on the promoted replica (the gateway re-plans every shard, the service every master), and the same counts
 * hold: no acknowledged move lost, no player closed, none off its map or offline.
 */
class RedisClusterShardedFailoverTest extends RedisClusterFailoverTest {

  @Override
  protected Map<String, Object> moreSettings() {
    return Map.of(Settings.PUBSUB.path(), Settings.PUBSUB_SHARDED, Settings.ACTION_CHANNELS.path(), 16);
  }
}
