package io.seedgate.bench;

import io.seedgate.gateway.tcp.TcpTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;

/**
 * A gateway client over UDP, 2021 framing: a client datagram is JSON followed by {@code ||}, a server datagram is
 * bare JSON. The "connection" is this client's own socket address (one socket per client). UDP has no close: the
 * node ends the session by its idle timeout. A lost datagram is an unanswered action (see the worker's answer
 * timeout).
 */
final class UdpGatewayClient extends GatewayClient {

  private final Vertx vertx;
  private final String localAddress;
  private final String host;
  private final int port;
  private DatagramSocket socket;
  private Buffer lastMessage;
  private Buffer lastFramed;

  UdpGatewayClient(Worker worker, String localAddress, String host, int port, Buffer action, byte[] replyPrefix) {
    super(worker, action, replyPrefix);
    this.vertx = worker.vertx();
    this.localAddress = localAddress;
    this.host = host;
    this.port = port;
  }

  @Override
  Future<Void> connect() {
    DatagramSocket s = vertx.createDatagramSocket(new DatagramSocketOptions().setReceiveBufferSize(65536));
    return s.listen(0, localAddress == null ? "127.0.0.1" : localAddress).map(bound -> {
      socket = bound;
      bound.handler(packet -> onMessage(packet.data()));
      bound.exceptionHandler(e -> worker.error());
      return null;
    });
  }

  @Override
  protected void send(Buffer message) {
    DatagramSocket s = socket;
    if (s == null || state == State.CLOSED) {
      worker.error();
      return;
    }
    if (message != lastMessage) {
      lastMessage = message;
      lastFramed = message.copy().appendString(TcpTransport.DELIMITER);
    }
    s.send(lastFramed, port, host).onFailure(e -> worker.error());
  }

  @Override
  Future<Void> close() {
    state = State.CLOSED;
    return socket == null ? Future.succeededFuture() : socket.close();
  }
}
