package io.seedgate.gateway.tcp;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.seedgate.gateway.netty.SessionPipeline;
import io.seedgate.gateway.session.SessionHub;
import io.seedgate.gateway.vertx.InstanceContext;


/**
 * The pipeline of one gateway instance's TCP connections, installed on the instance's event loop when a connection
 * is registered there: an {@link SslHandler} when the port speaks TLS (its handshake must be done by the
 * authentication deadline), then the connection's {@link TcpChannel}
 * (which frames, opens the session and writes). No Vert.x connection object is involved, so no per-connection
 * outbound queue: unwritten bytes stay in Netty's outbound buffer, bounded by the channel's high water mark
 * ({@code maxQueuedBytes}), over which the session core counts the client as too slow.
 *
 * <p>Not thread-safe: used on the instance's event loop.
 */
final class TcpPipeline extends SessionPipeline {

  final int maxFrameBytes;
  private final SslContext ssl;
  private final long handshakeTimeoutMs;

  /**
   * @param context        the gateway instance's context: its event loop runs every connection of the pipeline
   * @param maxFrameBytes  largest client message, without the delimiter
   * @param maxQueuedBytes unwritten bytes over which the connection counts as not writable (too slow)
   * @param ssl            the server's TLS context, or null for plain TCP
   * @param handshakeTimeoutMs how long a TLS handshake may take before the connection is closed
   */
  TcpPipeline(InstanceContext context, SessionHub hub, int maxFrameBytes, int maxQueuedBytes, SslContext ssl,
              long handshakeTimeoutMs) {
    super(context, hub, maxQueuedBytes);
    this.maxFrameBytes = maxFrameBytes;
    this.ssl = ssl;
    this.handshakeTimeoutMs = handshakeTimeoutMs;
  }

  boolean tls() {
    return ssl != null;
  }

  @Override
  protected void addHandlers(Channel ch) {
    if (ssl != null) {
      SslHandler tls = ssl.newHandler(ch.alloc());
      tls.setHandshakeTimeoutMillis(Math.max(1, handshakeTimeoutMs));
      ch.pipeline().addLast(tls);
    }
    ch.pipeline().addLast(new TcpChannel(this));
  }
}
