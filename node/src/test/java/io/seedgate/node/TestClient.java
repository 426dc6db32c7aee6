package io.seedgate.node;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.seedgate.testsupport.Await.await;

/** A real WebSocket client for tests, read from the test thread: messages queue up until taken. */
final class TestClient implements AutoCloseable, ReceivingClient {

  /** How long a connect or a write may take: a failed one is an AssertionError, which some tests catch. */
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final WebSocketClient client;
  private WebSocket ws;
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<Short> closed = new CompletableFuture<>();

  private TestClient(WebSocketClient client) {
    this.client = client;
  }

  /**
   * Listens on the WebSocket; called on its event loop as the connection completes, so that nothing the server sends
   * at once (an error and a close) arrives before the handlers.
   */
  private WebSocket listen(WebSocket socket) {
    socket.textMessageHandler(received::add);
    socket.binaryMessageHandler(b -> received.add(b.toString()));
    socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
    return socket;
  }

  static TestClient connect(Vertx vertx, int port) {
    return connect(vertx, port, "/", MultiMap.caseInsensitiveMultiMap());
  }

  static TestClient connect(Vertx vertx, int port, String uri, MultiMap headers) {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 22)
      .setMaxMessageSize(1 << 22));
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    headers.forEach(options::addHeader);
    TestClient c = new TestClient(client);
    c.ws = await(client.connect(options).map(c::listen), TIMEOUT);
    return c;
  }

  /** Sends JSON in a binary frame, as the 2021 Unity client does. */
  TestClient sendBinary(JsonObject json) {
    await(ws.writeBinaryMessage(json.toBuffer()), TIMEOUT);
    return this;
  }

  /** Sends a text frame, as the WebGL build does. */
  TestClient sendText(String text) {
    await(ws.writeTextMessage(text), TIMEOUT);
    return this;
  }

  TestClient sendRaw(Buffer bytes) {
    await(ws.writeBinaryMessage(bytes), TIMEOUT);
    return this;
  }

  @Override
  public String nextText(long timeoutMs) {
    try {
      return received.poll(Math.max(1, timeoutMs), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits for the server to close the connection; returns the close status code. */
  short awaitClose() {
    try {
      return closed.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("connection not closed by the server within 10 s", e);
    }
  }

  boolean isClosed() {
    return closed.isDone();
  }

  /** Drops the connection as a dying client process does: no close handshake, nothing awaited. */
  void closeNow() {
    client.close();
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      ws.close();
    }
    client.close();
  }
}
