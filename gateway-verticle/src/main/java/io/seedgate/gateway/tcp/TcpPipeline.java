package io.seedgate.gateway.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.seedgate.gateway.session.SessionHub;
import io.vertx.core.internal.ContextInternal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * The pipeline of one gateway instance's TCP connections, installed on the instance's event loop when a connection
 * is registered there: an {@link SslHandler} when the port speaks TLS (its handshake must be done by the
 * authentication deadline), then the connection's {@link TcpChannel}
 * (which frames, opens the session and writes). No Vert.x connection object is involved, so no per-connection
 * outbound queue: unwritten bytes stay in Netty's outbound buffer, bounded by the channel's high water mark
 * ({@code maxQueuedBytes}), over which the session core counts the client as too slow.
 *
 * <p>Not thread-safe: {@link #closeAll()} is called on the instance's event loop.
 */
final class TcpPipeline extends ChannelInitializer<Channel> {

  final ContextInternal context;
  final SessionHub hub;
  final int maxFrameBytes;
  private final SslContext ssl;
  private final long handshakeTimeoutMs;
  private final WriteBufferWaterMark waterMark;
  /** This instance's open connections, to close with the port; on the event loop only. */
  private final Set<Channel> open = new HashSet<>();
  private final ChannelFutureListener forget = f -> open.remove(f.channel());

  /**
   * @param context        the gateway instance's context: its event loop runs every connection of the pipeline
   * @param maxFrameBytes  largest client message, without the delimiter
   * @param maxQueuedBytes unwritten bytes over which the connection counts as not writable (too slow)
   * @param ssl            the server's TLS context, or null for plain TCP
   * @param handshakeTimeoutMs how long a TLS handshake may take before the connection is closed
   */
  TcpPipeline(ContextInternal context, SessionHub hub, int maxFrameBytes, int maxQueuedBytes, SslContext ssl,
              long handshakeTimeoutMs) {
    this.context = context;
    this.hub = hub;
    this.maxFrameBytes = maxFrameBytes;
    this.ssl = ssl;
    this.handshakeTimeoutMs = handshakeTimeoutMs;
    this.waterMark = new WriteBufferWaterMark(maxQueuedBytes / 2, maxQueuedBytes);
  }

  boolean tls() {
    return ssl != null;
  }

  @Override
  protected void initChannel(Channel ch) {
    ch.config().setWriteBufferWaterMark(waterMark);
    open.add(ch);
    ch.closeFuture().addListener(forget);
    if (ssl != null) {
      SslHandler tls = ssl.newHandler(ch.alloc());
      tls.setHandshakeTimeoutMillis(Math.max(1, handshakeTimeoutMs));
      ch.pipeline().addLast(tls);
    }
    ch.pipeline().addLast(new TcpChannel(this));
  }

  /** Closes every connection of this instance still open (sessions were told before, by the session core). */
  void closeAll() {
    for (Channel ch : new ArrayList<>(open)) {
      TcpChannel connection = ch.pipeline().get(TcpChannel.class);
      if (connection != null) {
        connection.close();
      } else {
        ch.close();
      }
    }
  }
}
