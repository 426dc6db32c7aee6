package io.seedgate.gateway.udp;

import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of a node's UDP port since it opened. Written on the UDP listener's event loop, readable from any thread;
 * {@link Shareable} so tests and metrics can find it in the Vert.x local map {@value UdpTransport#SHARED_MAP} under
 * {@value UdpTransport#STATS_KEY}.
 */
public final class UdpStats implements Shareable {

  final AtomicLong received = new AtomicLong();
  final AtomicLong oversizedDropped = new AtomicLong();
  final AtomicLong unknownReplies = new AtomicLong();
  final AtomicLong repliesWithheld = new AtomicLong();
  final AtomicLong pendingRefused = new AtomicLong();
  final AtomicLong tooLargeOutbound = new AtomicLong();
  final AtomicLong sent = new AtomicLong();
  final AtomicLong sendFailures = new AtomicLong();
  final AtomicInteger addresses = new AtomicInteger();
  final AtomicInteger pending = new AtomicInteger();

  /** Addresses with a session now, authenticated or not. */
  public int addresses() {
    return addresses.get();
  }

  /** Sessions now waiting for their token to be checked. */
  public int pending() {
    return pending.get();
  }

  /** Datagrams received, including dropped ones. */
  public long received() {
    return received.get();
  }

  /** Client datagrams over {@code gateway.udp.maxDatagramBytes}, dropped unanswered. */
  public long oversizedDropped() {
    return oversizedDropped.get();
  }

  /** Error replies sent to addresses without an authenticated session. */
  public long unknownReplies() {
    return unknownReplies.get();
  }

  /**
   * Error replies to addresses without an authenticated session that were not sent: rate-limited, or larger than
   * the datagram they would have answered.
   */
  public long repliesWithheld() {
    return repliesWithheld.get();
  }

  /** Datagrams with a token that opened no session because too many sessions were already waiting for theirs. */
  public long pendingRefused() {
    return pendingRefused.get();
  }

  /** Server messages over {@code gateway.udp.maxOutboundDatagramBytes}, replaced by the "too large for udp" error. */
  public long tooLargeOutbound() {
    return tooLargeOutbound.get();
  }

  /** Datagrams handed to the socket. */
  public long sent() {
    return sent.get();
  }

  /** Datagrams the socket failed to send (UDP has no backpressure: this is where loss shows). */
  public long sendFailures() {
    return sendFailures.get();
  }

  @Override
  public String toString() {
    return "addresses=" + addresses + " pending=" + pending + " received=" + received + " oversizedDropped=" + oversizedDropped + " unknownReplies=" + unknownReplies
      + " repliesWithheld=" + repliesWithheld + " pendingRefused=" + pendingRefused + " tooLargeOutbound="
      + tooLargeOutbound + " sent=" + sent + " sendFailures=" + sendFailures;
  }
}
