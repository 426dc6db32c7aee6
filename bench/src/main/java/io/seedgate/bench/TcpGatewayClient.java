package io.seedgate.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.seedgate.common.vertx.Buffers;
import io.seedgate.gateway.tcp.TcpTransport;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * A gateway client over TCP, 2021 framing: every message in both directions is JSON followed by {@code ||}.
 *
 * <p>Like {@link WebSocketGatewayClient}, a bare Netty pipeline on its worker's event loop with the bench's
 * transport (epoll on Linux), which cuts the gateway's messages where they lie in the read: the load generator's CPU
 * is the node's too on a shared machine.
 */
final class TcpGatewayClient extends GatewayClient {

  private static final int MAX_MESSAGE = 1 << 20;

  private final Bootstrap bootstrap;
  private final InetSocketAddress target;
  private final InetSocketAddress source;
  private Channel channel;
  private Buffer lastMessage;
  private byte[] lastFramed;

  /**
   * @param source the local address to connect from, or null for any
   */
  TcpGatewayClient(Worker worker, String host, int port, String source, Buffer action, byte[] replyPrefix) {
    super(worker, action, replyPrefix);
    this.target = new InetSocketAddress(host, port);
    this.source = source == null ? null : new InetSocketAddress(source, 0);
    this.bootstrap = worker.bootstrap().handler(new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel ch) {
          ch.pipeline().addLast(new Messages());
        }
      });
  }

  @Override
  Future<Void> connect() {
    Promise<Void> connected = Promise.promise();
    (source == null ? bootstrap.connect(target) : bootstrap.connect(target, source)).addListener(f -> {
      if (f.isSuccess()) {
        channel = ((ChannelFuture) f).channel();
        channel.closeFuture().addListener(c -> onClosed());
        connected.tryComplete();
      } else {
        connected.tryFail(f.cause());
      }
    });
    return connected.future();
  }

  /** Cuts the gateway's messages at {@code ||} in place, whatever the reads' boundaries. */
  private final class Messages extends ByteToMessageDecoder {

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      while (in.isReadable()) {
        int start = in.readerIndex();
        int end = TcpTransport.delimiterIn(in, start, in.writerIndex());
        if (end < 0) {
          if (in.readableBytes() > MAX_MESSAGE) {
            worker.error();
            ctx.close();
            in.skipBytes(in.readableBytes());
          }
          return;
        }
        in.readerIndex(end + 2);
        if (end > start) {
          onMessage(Buffers.wrap(in.slice(start, end - start)));
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
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
      lastFramed = message.copy().appendString(TcpTransport.DELIMITER).getBytes();
    }
    ch.writeAndFlush(Unpooled.wrappedBuffer(lastFramed)).addListener(f -> {
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
    channel.close().addListener(f -> closed.tryComplete());
    return closed.future();
  }
}
