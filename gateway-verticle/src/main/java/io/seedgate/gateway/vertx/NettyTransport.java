package io.seedgate.gateway.vertx;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetServerOptions;

import java.net.InetAddress;

/**
 * What a socket served by Netty directly takes from its Vert.x instance, so that it behaves as Vert.x's own: the
 * acceptor event loop, the channel classes of Vert.x's transport (epoll when native transport is on, NIO otherwise),
 * Vert.x's socket options and its name resolver.
 */
public final class NettyTransport {

  private final VertxInternal vertx;

  private NettyTransport(VertxInternal vertx) {
    this.vertx = vertx;
  }

  public static NettyTransport of(Vertx vertx) {
    return new NettyTransport((VertxInternal) vertx);
  }

  /** The Vert.x instance. */
  public Vertx vertx() {
    return vertx;
  }

  /** The event loop group Vert.x accepts connections on. */
  public EventLoopGroup acceptorEventLoopGroup() {
    return vertx.acceptorEventLoopGroup();
  }

  /** Listening TCP channels of Vert.x's transport. */
  @SuppressWarnings("unchecked")
  public ChannelFactory<ServerChannel> serverChannelFactory() {
    return (ChannelFactory<ServerChannel>) vertx.transport().serverChannelFactory(false);
  }

  /** Client TCP channels of Vert.x's transport. */
  @SuppressWarnings("unchecked")
  public ChannelFactory<Channel> channelFactory() {
    return (ChannelFactory<Channel>) vertx.transport().channelFactory(false);
  }

  /** Applies Vert.x's options for a TCP server (its own and the transport's) to the bootstrap. */
  public void configure(NetServerOptions options, ServerBootstrap bootstrap) {
    vertx.transport().configure(options, false, bootstrap);
  }

  /** The host's address, by Vert.x's resolver. */
  public Future<InetAddress> resolve(String host) {
    return vertx.nameResolver().resolve(host);
  }
}
