package io.seedgate.gateway.tcp;

import io.seedgate.gateway.session.ClientChannel;
import io.seedgate.gateway.session.OutboundMessage;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * A TCP connection as a {@link ClientChannel}: each message is written as its payload followed by
 * {@value TcpTransport#DELIMITER}, in one buffer. Once {@link #close()} is called nothing more is written, and what
 * still arrives is read and dropped unparsed (reading on, rather than pausing, lets the socket close with FIN
 * instead of a reset that could cost the client the error it was just sent).
 */
final class TcpChannel implements ClientChannel {

  static final String TRANSPORT = "tcp";
  private static final Handler<Buffer> DISCARD = bytes -> { };

  private final NetSocket socket;
  private final String ip;
  private boolean closing;

  TcpChannel(NetSocket socket) {
    this.socket = socket;
    this.ip = socket.remoteAddress() == null ? "" : socket.remoteAddress().hostAddress();
  }

  @Override
  public void send(OutboundMessage message) {
    if (!closing) {
      // A failed write means the connection is gone; its close handler ends the session.
      socket.write(message.withSuffix(TcpTransport.DELIMITER_BYTES));
    }
  }

  @Override
  public boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  /** Stops parsing and closes after what was written so far. */
  @Override
  public void close() {
    if (!closing) {
      closing = true;
      socket.handler(DISCARD);
      socket.close();
    }
  }

  /** Whether {@link #close()} was called: frames still parsed from earlier reads are to be ignored. */
  boolean closing() {
    return closing;
  }

  @Override
  public String remoteIp() {
    return ip;
  }

  @Override
  public String transport() {
    return TRANSPORT;
  }
}
