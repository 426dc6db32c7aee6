package io.seedgate.gateway.udp;

import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UdpSessionsTest {

  private static UdpChannel channel(int port) {
    return new UdpChannel(null, SocketAddress.inetSocketAddress(port, "127.0.0.1"), "127.0.0.1:" + port, 100);
  }

  @Test
  void pendingSessionsAreCountedUntilAuthenticatedOrGone() {
    UdpStats stats = new UdpStats();
    UdpSessions sessions = new UdpSessions(2, stats);
    UdpChannel a = channel(1);
    UdpChannel b = channel(2);
    sessions.bind(a);
    sessions.bind(b);
    assertFalse(sessions.admits(), "two pending of at most two");
    assertEquals(2, stats.pending());
    assertSame(a, sessions.get(a.key()));

    sessions.unbind(a);
    assertTrue(sessions.admits());
    assertNull(sessions.get(a.key()));
    assertEquals(1, stats.addresses());

    UdpChannel c = channel(3);
    sessions.bind(c);
    markAuthenticated(c, sessions);
    assertEquals(1, sessions.pending(), "an authenticated session is no longer pending");
    sessions.unbind(c);
    assertEquals(1, sessions.pending(), "its end does not count twice");
    assertEquals(1, stats.addresses());
  }

  @Test
  void aChannelAuthenticatedAfterItWasForgottenChangesNothing() {
    UdpSessions sessions = new UdpSessions(4, new UdpStats());
    UdpChannel a = channel(1);
    sessions.bind(a);
    sessions.unbind(a);
    markAuthenticated(a, sessions);
    assertEquals(0, sessions.pending());
    assertEquals(0, sessions.size());
  }

  /** What {@link UdpChannel#onAuthenticated()} does, without a transport. */
  private static void markAuthenticated(UdpChannel channel, UdpSessions sessions) {
    channel.markAuthenticated();
    sessions.authenticated(channel);
  }
}
