package io.seedgate.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.seedgate.common.vertx.Buffers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;

/**
 * A gateway client over WebSocket. Sends binary frames as the Unity client does (or text frames, as the WebGL
 * build does); the gateway answers in text frames.
 *
 * <p>A bare Netty pipeline (HTTP codec for the handshake, Netty's frame encoder for what the client sends, a
 * {@link FrameReader} for what it receives) on its worker's event loop, with the transport of the bench's Vert.x
 * (epoll on Linux): the load generator shares the machine with the node, and every microsecond it spends reading a
 * frame is one the node does not get. Each frame's bytes are looked at where they lie; no frame object, no UTF-8
 * check, no handler dispatch per frame.
 */
final class WebSocketGatewayClient extends GatewayClient {

  private static final int MAX_FRAME = 1 << 20;

  private final Bootstrap bootstrap;
  private final InetSocketAddress target;
  private final InetSocketAddress source;
  private final URI uri;
  private final boolean textFrames;
  private Channel channel;
  private Buffer lastMessage;
  private byte[] lastBytes;

  /**
   * @param source the local address to connect from, or null for any
   */
  WebSocketGatewayClient(Worker worker, String host, int port, String source, Buffer action, byte[] replyPrefix,
                         boolean textFrames) {
    super(worker, action, replyPrefix);
    this.target = new InetSocketAddress(host, port);
    this.source = source == null ? null : new InetSocketAddress(source, 0);
    this.uri = URI.create("ws://" + host + ":" + port + "/");
    this.textFrames = textFrames;
    this.bootstrap = worker.bootstrap();
  }

  @Override
  Future<Void> connect() {
    Promise<Void> connected = Promise.promise();
    WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
      .webSocketUri(uri)
      .version(WebSocketVersion.V13)
      .customHeaders(new DefaultHttpHeaders())
      .maxFramePayloadLength(MAX_FRAME)
      .handshakeTimeoutMillis(30_000)
      .withUTF8Validator(false)
      .build();
    bootstrap.handler(new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
          new WebSocketClientProtocolHandler(config), new Frames(connected));
      }
    });
    (source == null ? bootstrap.connect(target) : bootstrap.connect(target, source)).addListener(f -> {
      if (!f.isSuccess()) {
        connected.tryFail(f.cause());
      }
    });
    return connected.future();
  }

  /**
   * The handshake's end (then {@link FrameReader} takes over the reading), and any frame Netty's decoder read before
   * it did. Runs on the worker's event loop.
   */
  private final class Frames extends SimpleChannelInboundHandler<WebSocketFrame> {

    private final Promise<Void> connected;

    Frames(Promise<Void> connected) {
      this.connected = connected;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        channel = ctx.channel();
        ctx.pipeline().replace(WebSocketFrameDecoder.class, "seed-bench-frames", new FrameReader());
        channel.closeFuture().addListener(f -> onClosed());
        connected.tryComplete();
      } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
        connected.tryFail("WebSocket handshake timed out");
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
        ByteBuf content = frame.content();
        onMessage(Buffers.wrap(content));
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      connected.tryFail("closed before the WebSocket handshake completed");
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      connected.tryFail(cause);
      ctx.close();
    }
  }

  /**
   * Reads the gateway's frames in place, once the handshake is done, instead of Netty's frame decoder (which makes a
   * frame object per message): server frames are unmasked, so a text or binary frame's payload is handed over as a
   * slice of what was read. A close frame closes the connection; a ping is answered; the gateway does not fragment
   * its messages, so a continuation frame counts as an error.
   */
  private final class FrameReader extends ByteToMessageDecoder {

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      while (in.readableBytes() >= 2) {
        int start = in.readerIndex();
        int opcode = in.getByte(start) & 0x0F;
        int second = in.getByte(start + 1) & 0xFF;
        long length = second & 0x7F;
        int header = 2;
        if (length == 126) {
          if (in.readableBytes() < 4) {
            return;
          }
          length = in.getUnsignedShort(start + 2);
          header = 4;
        } else if (length == 127) {
          if (in.readableBytes() < 10) {
            return;
          }
          length = in.getLong(start + 2);
          header = 10;
        }
        if ((second & 0x80) != 0 || length > MAX_FRAME) {
          worker.error();
          ctx.close();
          in.skipBytes(in.readableBytes());
          return;
        }
        if (in.readableBytes() < header + length) {
          return;
        }
        ByteBuf payload = in.slice(start + header, (int) length);
        in.readerIndex(start + header + (int) length);
        switch (opcode) {
          case 1, 2 -> onMessage(Buffers.wrap(payload));
          case 8 -> ctx.close();
          case 9 -> ctx.writeAndFlush(new PongWebSocketFrame(payload.retain()));
          case 10 -> { }
          default -> worker.error();
        }
      }
    }
  }

  @Override
  protected void send(Buffer message) {
    Channel ch = channel;
    if (ch == null || state == State.CLOSED) {
      worker.error();
      return;
    }
    if (message != lastMessage) {
      lastMessage = message;
      lastBytes = message.getBytes();
    }
    ByteBuf payload = Unpooled.wrappedBuffer(lastBytes);
    WebSocketFrame frame = textFrames ? new TextWebSocketFrame(payload) : new BinaryWebSocketFrame(payload);
    ch.writeAndFlush(frame).addListener(f -> {
      if (!f.isSuccess()) {
        worker.error();
      }
    });
  }

  @Override
  Future<Void> close() {
    if (channel == null || state == State.CLOSED) {
      state = State.CLOSED;
      return Future.succeededFuture();
    }
    state = State.CLOSING;
    Promise<Void> closed = Promise.promise();
    channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
      .addListener(ChannelFutureListener.CLOSE);
    channel.closeFuture().addListener(f -> closed.tryComplete());
    return closed.future();
  }
}
