package io.seedgate.gateway.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.vertx.Buffers;
import io.seedgate.gateway.netty.SessionChannel;
import io.seedgate.gateway.session.OutboundMessage;
import io.vertx.core.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket connection as the session core's {@link io.seedgate.gateway.session.ClientChannel}, and the last
 * handler of its pipeline: it opens the session when the handshake is done (with the JWT of the handshake, if any),
 * hands it each whole message, sends each delivery as one text frame (2021 clients read text), and tells the session
 * once when the connection is gone.
 *
 * <p>A text frame goes out from the delivery's bytes as they are (checked once per message to be UTF-8, see
 * {@link OutboundMessage#utf8()}), not decoded and encoded again for every socket; a delivery for a thousand sockets
 * is one frame, encoded once into direct memory ({@link TextFrames}), written a thousand times.
 */
final class WebSocketChannel extends SessionChannel {

  static final String TRANSPORT = "websocket";
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketChannel.class);
  private static final String BEARER = "Bearer ";
  /** The close status of a client too slow to receive: policy violation, with the error's text. */
  static final WebSocketCloseStatus TOO_SLOW = new WebSocketCloseStatus(
    WebSocketCloseStatus.POLICY_VIOLATION.code(), ErrorCode.SLOW_CONSUMER.text());

  private final WebSocketPipeline port;
  private ScheduledFuture<?> handshakeDeadline;
  /** Whether the handshake is done: frames, close frames included, may be written. */
  private boolean upgraded;

  WebSocketChannel(WebSocketPipeline port) {
    super(port);
    this.port = port;
  }

  /** The connection must be a WebSocket by the handshake deadline, or it is closed. */
  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    super.handlerAdded(ctx);
    handshakeDeadline = ctx.executor().schedule(() -> {
      if (!upgraded) {
        ctx.channel().close();
      }
    }, port.handshakeTimeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
      handshakeDeadline.cancel(false);
      handshakeDeadline = null;
      ctx.pipeline().remove(UpgradeRequired.INSTANCE);
      upgraded = true;
      openSession();
      String token = handshakeToken(handshake.requestUri(), handshake.requestHeaders());
      if (token != null && !closing) {
        Context previous = beginDispatch();
        try {
          session.authenticateWith(token, handshakeResume(handshake.requestUri()));
        } finally {
          endDispatch(previous);
        }
      }
    }
    ReferenceCountUtil.release(evt);
  }

  /**
   * A whole message (the aggregator joined its fragments). The session reads it during the call only: it gets a
   * Vert.x view of the frame's bytes, no copy, and the frame is released after.
   */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (!(msg instanceof WebSocketFrame frame)) {
        // an HTTP request the handshake did not take (a second one, or not on a path): not ours to answer
        closing = true;
        ctx.channel().close();
        return;
      }
      if (session == null || closing) {
        return;
      }
      ByteBuf content = frame.content();
      int length = content.readableBytes();
      Context previous = beginDispatch();
      try {
        if (length > port.maxMessageBytes) {
          session.fail(ErrorCode.TOO_LARGE);
        } else {
          session.onMessage(Buffers.wrap(content.slice()), length);
        }
      } finally {
        endDispatch(previous);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (handshakeDeadline != null) {
      handshakeDeadline.cancel(false);
      handshakeDeadline = null;
    }
    super.channelInactive(ctx);
  }

  /**
   * A fragmented message over the hard limit (the aggregator's {@link TooLongFrameException}) is answered with close
   * code 1009. Netty's WebSocket handlers have already sent their close frame for a protocol violation (a
   * {@link CorruptedFrameException}: a frame over the limit, invalid UTF-8, a bad opcode); anything else, a read
   * failure among them, just closes.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("[session: {}] websocket connection failed, closing: {}", session == null ? "-" : session.id(),
      cause.toString());
    if (cause instanceof TooLongFrameException && upgraded && !closing) {
      closeWith(WebSocketCloseStatus.MESSAGE_TOO_BIG);
    } else {
      closing = true;
      ctx.channel().close();
    }
  }

  /**
   * Sends one text frame, written and flushed at once. Deliveries that come after {@link #close()} or after the
   * connection is gone (until its session hears of it) are dropped.
   */
  @Override
  public void send(OutboundMessage message) {
    if (!closing && ctx.channel().isActive()) {
      // a delivery being handed out: its frame encoded once, the same direct buffer written to every socket;
      // anything else: getByteBuf() is a slice of the shared bytes with indices of its own that Netty cannot release,
      // framed by the encoder. A failed write fires exceptionCaught through the void promise: the connection is closed
      ByteBuf frame = message.sharedFrame(TextFrames.INSTANCE, ctx.alloc());
      ctx.writeAndFlush(frame != null ? frame : new TextWebSocketFrame(Buffers.byteBuf(message.utf8())),
        ctx.voidPromise());
    }
  }

  /** A close frame (1000), then the connection is closed; the session hears of it once, when it is gone. */
  @Override
  public void close() {
    closeWith(WebSocketCloseStatus.NORMAL_CLOSURE);
  }

  /**
   * A client too slow to receive gets, after what was queued for it and the error, close code 1008 (policy) with
   * the reason {@code too slow to receive}; the frames are written past the high water mark, and the connection is
   * closed once they reached the socket or after {@link #LAST_WORDS_MS}. Any other error closes with 1000.
   */
  @Override
  public void close(ErrorCode reason) {
    if (reason != ErrorCode.SLOW_CONSUMER || closing) {
      close();
      return;
    }
    closing = true;
    Channel ch = ctx.channel();
    if (upgraded && ch.isActive()) {
      closeOnceWritten(ctx.writeAndFlush(new CloseWebSocketFrame(TOO_SLOW)));
    } else {
      ch.close();
    }
  }

  private void closeWith(WebSocketCloseStatus status) {
    if (closing) {
      return;
    }
    closing = true;
    Channel ch = ctx.channel();
    if (upgraded && ch.isActive()) {
      // flushed to the socket now when it has room; a client that reads nothing does not hold the close up
      ctx.writeAndFlush(new CloseWebSocketFrame(status), ctx.voidPromise());
    }
    ch.close();
  }

  @Override
  public String transport() {
    return TRANSPORT;
  }

  /** Whether the handshake asks for a resumable session: the query parameter {@code resume=1} (or {@code true}). */
  static boolean handshakeResume(String uri) {
    int q = uri.indexOf('?');
    if (q >= 0) {
      for (String pair : uri.substring(q + 1).split("&")) {
        if (pair.equals("resume=1") || pair.equals("resume=true")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The JWT of the handshake: {@code Authorization: Bearer <jwt>}, else the {@code token} query parameter; null when
   * neither is there (or the parameter is not valid percent-encoding: the client must then send its token).
   */
  static String handshakeToken(String uri, HttpHeaders headers) {
    String auth = headers.get("Authorization");
    if (auth != null && auth.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return auth.substring(BEARER.length()).trim();
    }
    int q = uri.indexOf('?');
    if (q >= 0) {
      for (String pair : uri.substring(q + 1).split("&")) {
        if (pair.startsWith("token=")) {
          try {
            return URLDecoder.decode(pair.substring("token=".length()), StandardCharsets.UTF_8);
          } catch (IllegalArgumentException e) {
            return null;
          }
        }
      }
    }
    return null;
  }
}
