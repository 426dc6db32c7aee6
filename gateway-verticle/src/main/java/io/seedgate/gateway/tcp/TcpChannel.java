package io.seedgate.gateway.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.vertx.Buffers;
import io.seedgate.gateway.netty.SessionChannel;
import io.seedgate.gateway.session.OutboundMessage;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP connection as the session core's {@link io.seedgate.gateway.session.ClientChannel}, and the last handler of
 * its pipeline: it opens the session when the connection is up (after the TLS handshake, when the port speaks TLS),
 * hands it each message its {@link TcpFraming} cuts, writes each delivery as its payload followed by {@value TcpTransport#DELIMITER} in one buffer (built once
 * per message, however many sockets it goes to), and tells the session once when the connection is gone.
 *
 * <p>Once {@link #close()} is called nothing more is written or parsed; what still arrives is read and dropped rather
 * than left unread, which could turn the close into a reset that costs the client the error it was just sent.
 */
final class TcpChannel extends SessionChannel {

  /** A delivery's bytes and the delimiter in one direct buffer, shared by every TCP socket it goes to. */
  private static final OutboundMessage.Framing FRAMING = (message, alloc) -> {
    ByteBuf bytes = Buffers.byteBuf(message.bytes());
    ByteBuf delimiter = Buffers.byteBuf(TcpTransport.DELIMITER_BYTES);
    int n = bytes.readableBytes() + delimiter.readableBytes();
    ByteBuf frame = alloc.directBuffer(n, n);
    frame.writeBytes(bytes, bytes.readerIndex(), bytes.readableBytes());
    frame.writeBytes(delimiter, delimiter.readerIndex(), delimiter.readableBytes());
    return frame;
  };

  static final String TRANSPORT = "tcp";
  private static final Logger LOG = LoggerFactory.getLogger(TcpChannel.class);

  private final TcpPipeline port;
  private final TcpFraming framing;

  TcpChannel(TcpPipeline port) {
    super(port);
    this.port = port;
    this.framing = new TcpFraming(port.maxFrameBytes, new TcpFraming.Receiver() {
      @Override
      public void frame(Buffer frame) {
        session.onMessage(frame, frame.length());
      }

      @Override
      public void tooLarge() {
        LOG.debug("[session: {}] tcp frame over {} bytes", session.id(), port.maxFrameBytes);
        session.fail(ErrorCode.TOO_LARGE);
      }
    });
  }

  /** The connection is up: its session opens now, or once the TLS handshake is done when the port speaks TLS. */
  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (!port.tls()) {
      openSession();
      LOG.debug("[session: {}] tcp connection from {}", session.id(), remoteIp());
    }
    ctx.fireChannelActive();
  }

  /** With TLS: the handshake is done (a failed one is closed by the SslHandler, and reported to exceptionCaught). */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess() && session == null && !closing) {
      openSession();
      LOG.debug("[session: {}] tls connection from {}", session.id(), remoteIp());
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf bytes) || session == null || closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    Context previous = beginDispatch();
    try {
      framing.handle(bytes, ctx.alloc());
    } finally {
      endDispatch(previous);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    framing.stop();
    super.channelInactive(ctx);
  }

  /** A read failure, a TLS handshake that failed, or an exception thrown by the session: the connection is closed. */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("[session: {}] tcp connection failed, closing: {}", session == null ? "-" : session.id(),
      cause.toString());
    close();
  }

  /**
   * Writes the message and its delimiter, flushed at once. Deliveries that come after {@link #close()} or after the
   * connection is gone (until its session hears of it) are dropped.
   */
  @Override
  public void send(OutboundMessage message) {
    if (!closing && ctx.channel().isActive()) {
      // a delivery being handed out: message and delimiter encoded once into direct memory, the same buffer written
      // to every socket; anything else: a slice of the shared bytes with indices of its own that Netty cannot release.
      // A failed write fires exceptionCaught through the void promise, which closes the connection
      ByteBuf frame = message.sharedFrame(FRAMING, ctx.alloc());
      ctx.writeAndFlush(frame != null ? frame : Buffers.byteBuf(message.withSuffix(TcpTransport.DELIMITER_BYTES)),
        ctx.voidPromise());
    }
  }

  /**
   * A client too slow to receive: its {@code {"error":"too slow to receive"}||} was just queued after what was
   * waiting for it, past the high water mark; the connection is closed once that reached the socket, or after
   * {@link #LAST_WORDS_MS}. Any other error closes at once ({@link #close()}).
   */
  @Override
  public void close(ErrorCode reason) {
    if (reason != ErrorCode.SLOW_CONSUMER || closing) {
      close();
      return;
    }
    closing = true;
    framing.stop();
    // an empty write completes when everything written before it has reached the socket
    closeOnceWritten(ctx.writeAndFlush(Unpooled.EMPTY_BUFFER));
  }

  /** Stops parsing and closes after what was written so far reached the socket, as far as it had room for it. */
  @Override
  public void close() {
    if (!closing) {
      closing = true;
      framing.stop();
      ctx.channel().close();
    }
  }

  @Override
  public String transport() {
    return TRANSPORT;
  }
}
