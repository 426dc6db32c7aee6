package io.seedgate.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * A gateway client over WebSocket. Sends binary frames as the Unity client does (or text frames, as the WebGL
 * build does); the gateway answers in text frames.
 */
final class WebSocketGatewayClient extends GatewayClient {

  private final WebSocketClient client;
  private final WebSocketConnectOptions target;
  private final boolean textFrames;
  private WebSocket ws;
  private String text;
  private Buffer lastText;

  /**
   * @param client the WebSocket client of the worker and source address (its options carry the local address)
   */
  WebSocketGatewayClient(Worker worker, WebSocketClient client, WebSocketConnectOptions target, Buffer action,
                         byte[] replyPrefix, boolean textFrames) {
    super(worker, action, replyPrefix);
    this.client = client;
    this.target = target;
    this.textFrames = textFrames;
  }

  @Override
  Future<Void> connect() {
    return client.connect(target).map(socket -> {
      ws = socket;
      ws.handler(this::onMessage);
      ws.closeHandler(v -> onClosed());
      ws.exceptionHandler(e -> { });
      return null;
    });
  }

  @Override
  protected void send(Buffer message) {
    WebSocket s = ws;
    if (s == null || state == State.CLOSED) {
      worker.error();
      return;
    }
    if (textFrames) {
      if (message != lastText) {
        lastText = message;
        text = message.toString();
      }
      s.writeTextMessage(text).onFailure(e -> worker.error());
    } else {
      s.writeBinaryMessage(message).onFailure(e -> worker.error());
    }
  }

  @Override
  Future<Void> close() {
    if (ws == null || state == State.CLOSED) {
      state = State.CLOSED;
      return Future.succeededFuture();
    }
    state = State.CLOSING;
    return ws.close();
  }
}
