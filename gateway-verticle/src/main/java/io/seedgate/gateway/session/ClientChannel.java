package io.seedgate.gateway.session;

import io.seedgate.common.ErrorCode;

/**
 * What a transport gives the session core: a way to send one message to the client, to see whether the
 * client keeps up, and to close. Framing (WebSocket frames, {@code ||} on TCP, datagrams) is the transport's.
 */
public interface ClientChannel {

  /** Sends one message; never blocks. */
  void send(OutboundMessage message);

  /** Whether the outbound queue is over its limit: the client does not read fast enough. */
  boolean writeQueueFull();

  /** Closes the connection; the transport then calls {@link Session#onClosed()} once. */
  void close();

  /**
   * Closes the connection for a fatal error, whose message was just sent: a transport that can say why in its own
   * terms (a WebSocket close frame's code and reason) or must take care that the message gets out (to a client too
   * slow to receive, whose socket is by definition full) does so here, within a bound; the default just closes.
   */
  default void close(ErrorCode reason) {
    close();
  }

  /** The client's IP address, as the 2021 hash field {@code ip} stores it. */
  String remoteIp();

  /** {@code websocket}, {@code tcp} or {@code udp}. */
  String transport();

  /**
   * Called once, on the session's event loop, when the session has authenticated and is about to handle its
   * first action. Transports that treat unauthenticated peers differently (UDP answers an unproven address only
   * sparingly) use it; the default does nothing.
   */
  default void onAuthenticated() {
  }
}
