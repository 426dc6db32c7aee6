package io.seedgate.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;

/** A gateway client over TCP, 2021 framing: every message in both directions is JSON followed by {@code ||}. */
final class TcpGatewayClient extends GatewayClient {

  static final String DELIMITER = "||";

  private final NetClient client;
  private final String host;
  private final int port;
  private NetSocket socket;
  private Buffer lastMessage;
  private Buffer lastFramed;

  TcpGatewayClient(Worker worker, NetClient client, String host, int port, Buffer action, byte[] replyPrefix) {
    super(worker, action, replyPrefix);
    this.client = client;
    this.host = host;
    this.port = port;
  }

  @Override
  Future<Void> connect() {
    return client.connect(port, host).map(s -> {
      socket = s;
      RecordParser.newDelimited(DELIMITER, s).handler(this::onMessage);
      s.closeHandler(v -> onClosed());
      s.exceptionHandler(e -> { });
      return null;
    });
  }

  @Override
  protected void send(Buffer message) {
    NetSocket s = socket;
    if (s == null || state == State.CLOSED) {
      worker.error();
      return;
    }
    if (message != lastMessage) {
      lastMessage = message;
      lastFramed = message.copy().appendString(DELIMITER);
    }
    s.write(lastFramed).onFailure(e -> worker.error());
  }

  @Override
  Future<Void> close() {
    if (socket == null || state == State.CLOSED) {
      state = State.CLOSED;
      return Future.succeededFuture();
    }
    state = State.CLOSING;
    return socket.close();
  }
}
