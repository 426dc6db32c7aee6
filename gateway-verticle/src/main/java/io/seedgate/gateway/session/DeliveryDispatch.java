package io.seedgate.gateway.session;

import io.seedgate.common.RedisKeys;
import io.vertx.core.buffer.Buffer;

/**
 * Hands what arrives on a gateway instance's Redis channels to its sessions: a token's or player's channel to that
 * one session, a map's to the sessions on the map, the broadcast channel to every session; and shows the
 * {@link Handovers} of resumed sessions every delivery and every marker. On the instance's event loop, straight to
 * the sockets.
 */
final class DeliveryDispatch {

  /** What the hand-overs of resumed sessions see of the deliveries, in the order they arrive. */
  interface HandoverTap {
    HandoverTap NONE = new HandoverTap() {
      @Override
      public void marker(String marker, String markerChannel) {
      }

      @Override
      public void delivered(String channel, boolean broadcast, OutboundMessage message) {
      }

      @Override
      public boolean splitOff(Session s, String channel) {
        return false;
      }
    };

    /** A marker on a marker channel ({@link HandoverMarkers}). */
    void marker(String marker, String markerChannel);

    /** Whether the session's hand-over already split the channel off: its deliveries are the taker's now. */
    boolean splitOff(Session s, String channel);

    /** A delivery on the channel (the broadcast channel when {@code broadcast}). */
    void delivered(String channel, boolean broadcast, OutboundMessage message);
  }

  private final SessionIndex index;
  private final String broadcastChannel;
  private final HandoverTap handovers;
  private final HandoverMarkers markers;
  private volatile long delivered;

  DeliveryDispatch(SessionIndex index, String broadcastChannel) {
    this(index, broadcastChannel, HandoverTap.NONE, HandoverMarkers.classic(m -> null));
  }

  DeliveryDispatch(SessionIndex index, String broadcastChannel, HandoverTap handovers, HandoverMarkers markers) {
    this.index = index;
    this.broadcastChannel = broadcastChannel;
    this.handovers = handovers;
    this.markers = markers;
  }

  /** A message from Redis for the channel: to the one player, the map's players, or everyone. */
  void dispatch(String channel, Buffer payload) {
    if (markers.isMarkerChannel(channel)) {
      handovers.marker(payload.toString(), channel);
      return;
    }
    // its frame is encoded once per transport and the same buffer written to every socket (see OutboundMessage)
    OutboundMessage message = OutboundMessage.delivery(payload);
    try {
      handovers.delivered(channel, channel.equals(broadcastChannel), message);
      if (channel.startsWith(RedisKeys.MAP_PREFIX)) {
        for (Session s : index.onMap(channel.substring(RedisKeys.MAP_PREFIX.length()))) {
          deliver(s, channel, message);
        }
      } else if (channel.startsWith(RedisKeys.TOKEN_CHANNEL_PREFIX)) {
        deliver(index.byToken(channel.substring(RedisKeys.TOKEN_CHANNEL_PREFIX.length())), channel, message);
      } else if (channel.startsWith(RedisKeys.PLAYER_CHANNEL_PREFIX)) {
        deliver(index.byPlayer(channel.substring(RedisKeys.PLAYER_CHANNEL_PREFIX.length())), channel, message);
      } else if (channel.equals(broadcastChannel)) {
        for (Session s : index.all()) {
          deliver(s, channel, message);
        }
      }
    } finally {
      message.endDelivery();
    }
  }

  /** Messages handed to sessions since start; readable from any thread (one writer, the event loop). */
  long delivered() {
    return delivered;
  }

  private void deliver(Session s, String channel, OutboundMessage message) {
    if (s != null && !handovers.splitOff(s, channel)) {
      delivered++;
      s.deliver(message);
    }
  }
}
