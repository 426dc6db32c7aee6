package io.seedgate.gateway.session;

import io.vertx.core.Future;

/**
 * The hand-overs of one gateway instance's resumable sessions to and from other incarnations: the
 * {@link HandoverGiver} and the {@link HandoverTaker}, both shown every marker, the taker every delivery. Used on
 * the instance's event loop.
 */
final class Handovers implements DeliveryDispatch.HandoverTap {

  private final HandoverGiver giver;
  private final HandoverTaker taker;

  Handovers(HandoverGiver giver, HandoverTaker taker) {
    this.giver = giver;
    this.taker = taker;
  }

  HandoverTaker taker() {
    return taker;
  }

  /** Answers hand-over requests for this instance's sessions. */
  Future<Void> start() {
    return giver.start();
  }

  /** Stops answering them. */
  Future<Void> stop() {
    return giver.stop();
  }

  @Override
  public void marker(String marker, String markerChannel) {
    giver.marker(marker, markerChannel);
    taker.marker(marker, markerChannel);
  }

  @Override
  public boolean splitOff(Session s, String channel) {
    return giver.splitOff(s, channel);
  }

  @Override
  public void delivered(String channel, boolean broadcast, OutboundMessage message) {
    taker.delivered(channel, broadcast, message);
  }
}
