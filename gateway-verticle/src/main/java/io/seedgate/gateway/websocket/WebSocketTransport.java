package io.seedgate.gateway.websocket;

import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.gateway.netty.SharedPort;
import io.seedgate.gateway.session.SessionHub;
import io.seedgate.gateway.vertx.InstanceContext;
import io.seedgate.gateway.vertx.NettyTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The WebSocket port, any path. The 2021 Unity client sends JSON in binary frames, the WebGL build in text
 * frames: both are accepted. A JWT may come in the handshake ({@code Authorization: Bearer <jwt>} or a
 * {@code token} query parameter), so the client needs no token message.
 *
 * <p>A message over {@code maxMessageBytes} is answered with an error and a close (the session core's own limit is
 * the largest of all transports'); anything over {@value #HARD_LIMIT_FACTOR} times that is cut off by the
 * WebSocket decoder (close code 1009) before it is buffered, a fragmented one by the frame aggregator (1009 too). A
 * text message is measured in UTF-8 bytes, like a binary one; a text frame that is not valid UTF-8 is closed with
 * 1007.
 *
 * <p>A connection must complete its WebSocket handshake within {@code handshakeTimeoutMs} (the authentication
 * deadline): one that sends nothing, dribbles its request head or stops half-way is closed then, so half-open
 * handshakes cannot pile up; a plain HTTP request is answered 426 and closed at once. After the handshake the
 * session core's deadlines apply.
 *
 * <p>The port is served by Netty directly ({@link WebSocketPipeline}), not by a Vert.x HTTP server: a Vert.x
 * connection carries a per-connection outbound queue (a 4 KB array) and, after the upgrade, the handshake's request,
 * response and headers, with no option to avoid them (what that costs per idle connection: BENCHMARKS.md, "Idle
 * connections"). Every gateway instance of a node serves the same port through one shared listening socket
 * ({@link SharedPort}), which hands each new
 * connection to the instances in turn.
 */
public final class WebSocketTransport {

  static final int HARD_LIMIT_FACTOR = 4;

  private final Vertx vertx;
  private final SessionHub hub;
  private final Options options;
  private SharedPort shared;

  /**
   * What the WebSocket port needs from the node config, read by {@link #from} (as the other transports' options are).
   *
   * @param host               interface to bind
   * @param port               port, 0 for any free one
   * @param maxMessageBytes    largest client message
   * @param maxQueuedBytes     outbound bytes queued for one client before it counts as too slow
   * @param handshakeTimeoutMs how long a WebSocket handshake may take (the authentication deadline)
   * @param backlog            the listening socket's backlog
   */
  public record Options(String host, int port, int maxMessageBytes, int maxQueuedBytes, long handshakeTimeoutMs,
                        int backlog) {

    /** Reads the {@code gateway.ws.*} settings and those the transports share. */
    public static Options from(NodeConfig config) {
      return new Options(config.get(Settings.GATEWAY_HOST), config.get(Settings.WS_PORT),
        config.get(Settings.WS_MAX_FRAME_BYTES), config.get(Settings.MAX_QUEUED_BYTES),
        config.get(Settings.AUTH_TIMEOUT) * 1000L, config.get(Settings.ACCEPT_BACKLOG));
    }
  }

  /**
   * @param hub     the gateway instance's sessions
   * @param options the port's settings ({@link Options#from})
   */
  public WebSocketTransport(Vertx vertx, SessionHub hub, Options options) {
    this.vertx = vertx;
    this.hub = hub;
    this.options = options;
  }

  /**
   * Listens; call on the gateway instance's context (its event loop will run this instance's connections). The
   * future completes when the port is open, and fails when it cannot be bound.
   */
  public Future<Void> listen() {
    InstanceContext context = InstanceContext.current(vertx);
    WebSocketPipeline pipeline = new WebSocketPipeline(context, hub, options.maxMessageBytes(),
      options.maxQueuedBytes(), options.handshakeTimeoutMs());
    return SharedPort.join(NettyTransport.of(vertx), WebSocketChannel.TRANSPORT, options.host(), options.port(),
        options.backlog(), context, pipeline)
      .map(joined -> {
        shared = joined;
        return null;
      });
  }

  /** The port listened on (useful when configured as 0), or -1 when not listening. */
  public int actualPort() {
    return shared == null ? -1 : shared.port();
  }

  /**
   * Stops taking connections on this instance and closes those still open; the last instance to close closes the
   * listening socket. Call on the instance's context.
   */
  public Future<Void> close() {
    return shared == null ? Future.succeededFuture() : shared.close();
  }
}
