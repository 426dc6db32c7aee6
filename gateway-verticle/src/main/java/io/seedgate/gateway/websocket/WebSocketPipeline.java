package io.seedgate.gateway.websocket;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.seedgate.gateway.netty.SessionPipeline;
import io.seedgate.gateway.session.SessionHub;
import io.seedgate.gateway.vertx.InstanceContext;


/**
 * The pipeline of one gateway instance's WebSocket connections, installed on the instance's event loop when a
 * connection is registered there:
 *
 * <ol>
 *   <li>{@link HttpServerCodec} with Vert.x's default bounds (request line 4 KB, headers 8 KB) and a small
 *       {@link HttpObjectAggregator} for the upgrade request; both leave when the handshake is done;</li>
 *   <li>{@link UpgradeRequired}: anything but an upgrade request is answered (426, or 400/414/431) and closed;</li>
 *   <li>Netty's {@link WebSocketServerProtocolHandler}: the handshake on any path, no extensions (permessage-deflate
 *       is declined: a zlib deflater and inflater per connection cost hundreds of KB of native memory for messages of
 *       a few hundred bytes), ping/pong, the close handshake, UTF-8 validation of text frames (1007), and frames
 *       over the hard limit cut off before they are buffered (1009);</li>
 *   <li>{@link WebSocketFrameAggregator}: a fragmented message arrives whole, also within the hard limit;</li>
 *   <li>{@link WebSocketChannel}: the connection's session.</li>
 * </ol>
 *
 * <p>No Vert.x connection object is involved: no per-connection outbound queue, and nothing of the handshake request
 * is kept after it. Writes happen on the connection's event loop only. Not thread-safe: used on the instance's event
 * loop.
 */
final class WebSocketPipeline extends SessionPipeline {

  static final int MAX_INITIAL_LINE_BYTES = 4096;
  static final int MAX_HEADER_BYTES = 8192;
  /** An upgrade request has no body; a plain request with a larger one is refused by the aggregator (413). */
  static final int MAX_REQUEST_BODY_BYTES = 8192;

  final int maxMessageBytes;
  final long handshakeTimeoutMs;
  private final int hardLimit;
  private final HttpDecoderConfig httpConfig;
  private final WebSocketServerProtocolConfig protocolConfig;

  /**
   * @param context            the gateway instance's context: its event loop runs every connection of the pipeline
   * @param maxMessageBytes    largest client message; {@value WebSocketTransport#HARD_LIMIT_FACTOR} times as much
   *                           is cut off unbuffered
   * @param maxQueuedBytes     unwritten bytes over which the connection counts as not writable (too slow)
   * @param handshakeTimeoutMs how long a connection may take to complete its WebSocket handshake
   */
  WebSocketPipeline(InstanceContext context, SessionHub hub, int maxMessageBytes, int maxQueuedBytes,
                    long handshakeTimeoutMs) {
    super(context, hub, maxQueuedBytes);
    this.maxMessageBytes = maxMessageBytes;
    this.handshakeTimeoutMs = handshakeTimeoutMs;
    this.hardLimit = maxMessageBytes * WebSocketTransport.HARD_LIMIT_FACTOR;
    this.httpConfig = new HttpDecoderConfig().setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)
      .setMaxHeaderSize(MAX_HEADER_BYTES);
    this.protocolConfig = WebSocketServerProtocolConfig.newBuilder()
      .websocketPath("/")
      .checkStartsWith(true)
      .handshakeTimeoutMillis(Math.max(1, handshakeTimeoutMs))
      // WebSocketChannel sends its own close frame, and only once the handshake is done
      .sendCloseFrame(null)
      .decoderConfig(WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength(hardLimit)
        .allowExtensions(false)
        .closeOnProtocolViolation(true)
        .withUTF8Validator(true)
        .build())
      .build();
  }

  @Override
  protected void addHandlers(Channel ch) {
    ch.pipeline().addLast(
      new HttpServerCodec(httpConfig),
      new HttpObjectAggregator(MAX_REQUEST_BODY_BYTES),
      UpgradeRequired.INSTANCE,
      new WebSocketServerProtocolHandler(protocolConfig),
      new WebSocketFrameAggregator(hardLimit),
      new WebSocketChannel(this));
  }
}
