package io.seedgate.gateway.session;

import io.seedgate.common.RedisKeys;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Where a hand-over's marker goes, so that it splits a session's deliveries at the same place for its holder and its
 * taker (see {@link HandoverGiver}). Redis orders messages per connection: one marker can only split the
 * deliveries that come on the same connection as itself.
 *
 * <ul>
 *   <li>{@link #classic}: every delivery channel comes on one connection, so one {@code PUBLISH} on
 *   {@link RedisKeys#HANDOVER_CHANNEL}, which every instance subscribes, splits them all at once;</li>
 *   <li>{@link #sharded}: each channel comes on the connection to its own shard, so the marker is {@code SPUBLISH}ed
 *   once per channel of the session, on {@link RedisKeys#handoverMarker(String) a marker channel in the channel's
 *   slot} (the same shard, the same connection), which both sides subscribe for the hand-over; each copy splits its
 *   own channel's deliveries, and the split is whole once every copy arrived.</li>
 * </ul>
 */
public final class HandoverMarkers {

  private final boolean perChannel;
  private final BiFunction<String, String, Future<?>> publish;

  private HandoverMarkers(boolean perChannel, BiFunction<String, String, Future<?>> publish) {
    this.perChannel = perChannel;
    this.publish = publish;
  }

  /** One marker on {@link RedisKeys#HANDOVER_CHANNEL}, {@code publish} given the marker. */
  public static HandoverMarkers classic(Function<String, Future<?>> publish) {
    return new HandoverMarkers(false, (channel, marker) -> publish.apply(marker));
  }

  /** A marker per channel, {@code spublish} given the marker channel and the marker. */
  public static HandoverMarkers sharded(BiFunction<String, String, Future<?>> spublish) {
    return new HandoverMarkers(true, spublish);
  }

  /** Whether markers go one per channel. */
  boolean perChannel() {
    return perChannel;
  }

  /** The channels every instance subscribes for markers, whatever its hand-overs. */
  List<String> standing() {
    return perChannel ? List.of() : List.of(RedisKeys.HANDOVER_CHANNEL);
  }

  /** The marker channels both sides subscribe for a hand-over of a session on these channels. */
  List<String> channelsFor(List<String> sessionChannels) {
    if (!perChannel) {
      return List.of();
    }
    List<String> markers = new ArrayList<>(sessionChannels.size());
    sessionChannels.forEach(c -> markers.add(RedisKeys.handoverMarker(c)));
    return markers;
  }

  /** Whether a channel carries markers. */
  boolean isMarkerChannel(String channel) {
    return perChannel ? RedisKeys.isHandoverMarker(channel) : channel.equals(RedisKeys.HANDOVER_CHANNEL);
  }

  /** The delivery channel a marker channel splits, or {@code null} for all of them (classic). */
  String splits(String markerChannel) {
    return perChannel ? RedisKeys.channelOfHandoverMarker(markerChannel) : null;
  }

  /** Publishes the marker for a session on these channels. */
  Future<?> publish(String marker, List<String> sessionChannels) {
    if (!perChannel) {
      return publish.apply(RedisKeys.HANDOVER_CHANNEL, marker);
    }
    List<Future<?>> sent = new ArrayList<>(sessionChannels.size());
    for (String c : sessionChannels) {
      sent.add(publish.apply(RedisKeys.handoverMarker(c), marker));
    }
    return Future.all(sent);
  }
}
