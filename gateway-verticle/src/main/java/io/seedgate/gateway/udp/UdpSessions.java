package io.seedgate.gateway.udp;

import java.util.HashMap;
import java.util.Map;

/**
 * Which client address has which session on the UDP port, and how many of those sessions are still waiting for
 * their token to be checked ("pending"). An address has at most one session; at most {@code maxPending} sessions
 * are pending at a time, so datagrams with made-up tokens cannot pile up sessions. Used on one event loop.
 */
final class UdpSessions {

  private final Map<String, UdpChannel> byAddress = new HashMap<>();
  private final int maxPending;
  private final UdpStats stats;
  private int pending;

  /** @param stats where the number of addresses and of pending sessions is published */
  UdpSessions(int maxPending, UdpStats stats) {
    this.maxPending = maxPending;
    this.stats = stats;
  }

  /** The channel bound to {@code ip:port}, or {@code null}. */
  UdpChannel get(String key) {
    return byAddress.get(key);
  }

  /** Whether another pending session may be opened. */
  boolean admits() {
    return pending < maxPending;
  }

  /** Binds a new, pending channel to its address. */
  void bind(UdpChannel channel) {
    byAddress.put(channel.key(), channel);
    pending++;
    publish();
  }

  /** The channel's session authenticated: it no longer counts as pending. */
  void authenticated(UdpChannel channel) {
    if (byAddress.get(channel.key()) == channel) {
      pending--;
      publish();
    }
  }

  /** Forgets the channel's address (it was closed). */
  void unbind(UdpChannel channel) {
    if (byAddress.remove(channel.key(), channel)) {
      if (!channel.authenticated()) {
        pending--;
      }
      publish();
    }
  }

  private void publish() {
    stats.addresses.set(byAddress.size());
    stats.pending.set(pending);
  }

  int size() {
    return byAddress.size();
  }

  int pending() {
    return pending;
  }
}
