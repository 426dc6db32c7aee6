package io.seedgate.gateway.udp;

import io.seedgate.gateway.session.ClientChannel;
import io.seedgate.gateway.session.OutboundMessage;
import io.seedgate.gateway.session.Session;
import io.vertx.core.net.SocketAddress;

/**
 * A client address (ip:port) on the node's UDP port as a {@link ClientChannel}: each message is one datagram of
 * bare JSON. UDP has no connection to close: {@link #close()} forgets the address, so its next datagram counts as
 * from an unknown address, and ends the session (on the next event-loop turn, as a socket's close handler would).
 * Until the session has authenticated, what is sent to the address is limited (see {@link UdpTransport}).
 */
final class UdpChannel implements ClientChannel {

  static final String TRANSPORT = "udp";

  private final UdpTransport transport;
  private final SocketAddress address;
  private final String key;
  private final int openingDatagramBytes;
  private Session session;
  private boolean authenticated;
  private boolean closed;

  /**
   * @param key                  the address as {@code ip:port}
   * @param openingDatagramBytes size of the datagram that opened the session: no reply before authentication is
   *                             larger
   */
  UdpChannel(UdpTransport transport, SocketAddress address, String key, int openingDatagramBytes) {
    this.transport = transport;
    this.address = address;
    this.key = key;
    this.openingDatagramBytes = openingDatagramBytes;
  }

  /** Gives the channel its session, once, right after {@code hub.open(channel)}. */
  void attach(Session s) {
    session = s;
    if (closed) {
      transport.later(s::onClosed);
    }
  }

  Session session() {
    return session;
  }

  SocketAddress address() {
    return address;
  }

  String key() {
    return key;
  }

  int openingDatagramBytes() {
    return openingDatagramBytes;
  }

  boolean authenticated() {
    return authenticated;
  }

  boolean closed() {
    return closed;
  }

  @Override
  public void send(OutboundMessage message) {
    if (!closed) {
      transport.send(this, message);
    }
  }

  /** Always false: the node's one UDP socket is shared by every client and has no per-client queue. */
  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    transport.release(this);
    if (session != null) {
      transport.later(session::onClosed);
    }
  }

  @Override
  public void onAuthenticated() {
    markAuthenticated();
    transport.authenticated(this);
  }

  /** From now on messages to the address go out unrestricted. */
  void markAuthenticated() {
    authenticated = true;
  }

  @Override
  public String remoteIp() {
    return address.hostAddress();
  }

  @Override
  public String transport() {
    return TRANSPORT;
  }
}
