package io.seedgate.gateway.websocket;

import io.seedgate.common.ErrorCode;
import io.seedgate.gateway.session.Session;
import io.seedgate.gateway.session.SessionHub;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * The WebSocket port, any path. The 2021 Unity client sends JSON in binary frames, the WebGL build in text
 * frames: both are accepted. A JWT may come in the handshake ({@code Authorization: Bearer <jwt>} or a
 * {@code token} query parameter), so the client needs no token message.
 *
 * <p>A message over {@code maxMessageBytes} is answered with an error and a close (the session core's own limit is
 * the largest of all transports'); anything over {@value #HARD_LIMIT_FACTOR} times that is cut off by the
 * WebSocket decoder (close code 1009) before it is buffered. A text message is measured in UTF-8 bytes, like a
 * binary one.
 *
 * <p>A connection must complete its WebSocket handshake within {@code handshakeTimeoutMs} (the authentication
 * deadline): one that sends nothing, dribbles its request head or makes plain HTTP requests is closed then, so
 * half-open handshakes cannot pile up. After the handshake the session core's deadlines apply.
 */
public final class WebSocketTransport {

  static final int HARD_LIMIT_FACTOR = 4;
  private static final String BEARER = "Bearer ";

  private final Vertx vertx;
  private final SessionHub hub;
  private final String host;
  private final int port;
  private final int maxMessageBytes;
  private final int maxQueuedBytes;
  private final long handshakeTimeoutMs;
  private final Set<HttpConnection> handshaking = new HashSet<>();
  private HttpServer server;

  public WebSocketTransport(Vertx vertx, SessionHub hub, String host, int port, int maxMessageBytes,
                            int maxQueuedBytes, long handshakeTimeoutMs) {
    this.vertx = vertx;
    this.handshakeTimeoutMs = handshakeTimeoutMs;
    this.hub = hub;
    this.host = host;
    this.port = port;
    this.maxMessageBytes = maxMessageBytes;
    this.maxQueuedBytes = maxQueuedBytes;
  }

  /** Listens; the future completes when the port is open. */
  public Future<HttpServer> listen() {
    int hardLimit = maxMessageBytes * HARD_LIMIT_FACTOR;
    HttpServerOptions options = new HttpServerOptions()
      .setHost(host).setPort(port)
      .setTcpNoDelay(true)
      // no HTTP/2 prior-knowledge sniffing: a connection is HTTP/1 (and under the handshake deadline) at once
      .setHttp2ClearTextEnabled(false)
      .setMaxWebSocketFrameSize(hardLimit)
      .setMaxWebSocketMessageSize(hardLimit)
      .setRegisterWebSocketWriteHandlers(false)
      // browsers offer permessage-deflate; accepting it costs a zlib deflater and inflater per connection (hundreds
      // of KB of native memory each) for messages of a few hundred bytes: decline it, as the 2021 server did
      .setPerMessageWebSocketCompressionSupported(false)
      .setPerFrameWebSocketCompressionSupported(false)
      // every write to a client happens on the event loop of the instance that accepted it, so the HTTP connection
      // needs no cross-thread outbound queue: Vert.x then skips its per-connection MPSC queue (a 4 KB array each)
      .setStrictThreadMode(true);
    server = vertx.createHttpServer(options)
      .connectionHandler(this::onConnection)
      .requestHandler(this::onRequest);
    return server.listen();
  }

  /** Each new connection gets until the handshake deadline to become a WebSocket. */
  private void onConnection(HttpConnection connection) {
    handshaking.add(connection);
    long deadline = vertx.setTimer(handshakeTimeoutMs, t -> {
      if (handshaking.remove(connection)) {
        connection.close();
      }
    });
    connection.closeHandler(v -> {
      handshaking.remove(connection);
      vertx.cancelTimer(deadline);
    });
  }

  private void onRequest(HttpServerRequest req) {
    if (!req.canUpgradeToWebSocket()) {
      req.response().setStatusCode(426).putHeader("Upgrade", "websocket").end("WebSocket only\n");
      return;
    }
    HttpConnection connection = req.connection();
    req.toWebSocket()
      .onSuccess(ws -> {
        handshaking.remove(connection);
        accept(ws);
      })
      .onFailure(e -> connection.close());
  }

  /** The port listened on (useful when configured as 0). */
  public int actualPort() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void accept(ServerWebSocket ws) {
    ws.setWriteQueueMaxSize(maxQueuedBytes);
    Session session = hub.open(new WebSocketChannel(ws));
    ws.textMessageHandler(text -> receive(session, text, utf8Length(text)));
    ws.binaryMessageHandler(bytes -> receive(session, bytes, bytes.length()));
    ws.closeHandler(v -> session.onClosed());
    ws.exceptionHandler(e -> ws.close());
    String handshakeToken = handshakeToken(ws);
    if (handshakeToken != null) {
      session.authenticateWith(handshakeToken);
    }
  }

  private void receive(Session session, Object message, int length) {
    if (length > maxMessageBytes) {
      session.fail(ErrorCode.TOO_LARGE);
    } else {
      session.onMessage(message, length);
    }
  }

  /** The length of the text in UTF-8 bytes, as it came over the wire. */
  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static String handshakeToken(ServerWebSocket ws) {
    String auth = ws.headers().get("Authorization");
    if (auth != null && auth.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return auth.substring(BEARER.length()).trim();
    }
    String query = ws.query();
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.startsWith("token=")) {
          return URLDecoder.decode(pair.substring("token=".length()), StandardCharsets.UTF_8);
        }
      }
    }
    return null;
  }
}
