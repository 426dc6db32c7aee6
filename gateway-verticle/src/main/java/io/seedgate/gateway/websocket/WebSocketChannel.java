package io.seedgate.gateway.websocket;

import io.seedgate.gateway.session.ClientChannel;
import io.seedgate.gateway.session.OutboundMessage;
import io.vertx.core.http.ServerWebSocket;

/** A WebSocket connection as a {@link ClientChannel}: each message one text frame (2021 clients read text). */
final class WebSocketChannel implements ClientChannel {

  static final String TRANSPORT = "websocket";

  private final ServerWebSocket ws;
  private final String ip;

  WebSocketChannel(ServerWebSocket ws) {
    this.ws = ws;
    this.ip = ws.remoteAddress() == null ? "" : ws.remoteAddress().hostAddress();
  }

  /**
   * Sends one text frame. Between the WebSocket closing and its close handler ending the session, deliveries may
   * still come: they are dropped here (Vert.x throws on a closed WebSocket's {@code writeQueueFull}, which would
   * abort a map broadcast for every later player).
   */
  @Override
  public void send(OutboundMessage message) {
    if (!ws.isClosed()) {
      // A failed write means the connection is gone; its close handler ends the session.
      ws.writeTextMessage(message.text());
    }
  }

  @Override
  public boolean writeQueueFull() {
    return !ws.isClosed() && ws.writeQueueFull();
  }

  @Override
  public void close() {
    ws.close();
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
