package io.seedgate.gateway.session;

import io.seedgate.common.RedisKeys;
import io.vertx.core.buffer.Buffer;

/**
 * Hands what arrives on a gateway instance's Redis channels to its sessions: a token's or player's channel to that
 * one session, a map's to the sessions on the map, the broadcast channel to every session. On the instance's event
 * loop, straight to the sockets.
 */
final class DeliveryDispatch {

  private final SessionIndex index;
  private final String broadcastChannel;
  private volatile long delivered;

  DeliveryDispatch(SessionIndex index, String broadcastChannel) {
    this.index = index;
    this.broadcastChannel = broadcastChannel;
  }

  /** A message from Redis for the channel: to the one player, the map's players, or everyone. */
  void dispatch(String channel, Buffer payload) {
    OutboundMessage message = OutboundMessage.of(payload);
    if (channel.startsWith(RedisKeys.MAP_PREFIX)) {
      for (Session s : index.onMap(channel.substring(RedisKeys.MAP_PREFIX.length()))) {
        deliver(s, message);
      }
    } else if (channel.startsWith(RedisKeys.TOKEN_CHANNEL_PREFIX)) {
      deliver(index.byToken(channel.substring(RedisKeys.TOKEN_CHANNEL_PREFIX.length())), message);
    } else if (channel.startsWith(RedisKeys.PLAYER_CHANNEL_PREFIX)) {
      deliver(index.byPlayer(channel.substring(RedisKeys.PLAYER_CHANNEL_PREFIX.length())), message);
    } else if (channel.equals(broadcastChannel)) {
      for (Session s : index.all()) {
        deliver(s, message);
      }
    }
  }

  /** Messages handed to sessions since start; readable from any thread (one writer, the event loop). */
  long delivered() {
    return delivered;
  }

  private void deliver(Session s, OutboundMessage message) {
    if (s != null) {
      delivered++;
      s.deliver(message);
    }
  }
}
