package io.seedgate.gateway.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.vertx.core.Future;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

/**
 * One gateway instance's part in a port served by Netty directly: its event loop and pipeline joined to the
 * {@link SharedAcceptor} of that transport, host and port, and what closes its connections when it leaves.
 */
public final class SharedPort {

  private final SharedAcceptor acceptor;
  private final SharedAcceptor.Member member;
  private final ContextInternal context;
  private final Runnable closeConnections;
  private boolean closed;

  private SharedPort(SharedAcceptor acceptor, SharedAcceptor.Member member, ContextInternal context,
                     Runnable closeConnections) {
    this.acceptor = acceptor;
    this.member = member;
    this.context = context;
    this.closeConnections = closeConnections;
  }

  /**
   * Joins the instance (its context's event loop will run the connections it gets) to the shared port; the future
   * completes when the port is open, and fails when it cannot be bound or the context is not an event loop's.
   *
   * @param transport        what the port serves ({@code websocket}, {@code tcp})
   * @param pipeline         what builds each connection's pipeline, on the instance's event loop
   * @param closeConnections closes the instance's connections still open, when it leaves
   */
  public static Future<SharedPort> join(VertxInternal vertx, String transport, String host, int port,
                                        ContextInternal context, ChannelInitializer<Channel> pipeline,
                                        Runnable closeConnections) {
    if (!context.isEventLoopContext()) {
      return Future.failedFuture(new IllegalStateException("the " + transport + " port needs an event-loop context"));
    }
    SharedAcceptor.Member member = new SharedAcceptor.Member(context.nettyEventLoop(), pipeline);
    return SharedAcceptor.join(vertx, transport, host, port, member, context)
      .map(acceptor -> new SharedPort(acceptor, member, context, closeConnections));
  }

  /** The port listened on (useful when configured as 0). */
  public int port() {
    return acceptor.port();
  }

  /**
   * Stops taking connections on this instance and closes those still open; the last instance to leave closes the
   * listening socket. Call on the instance's context.
   */
  public Future<Void> close() {
    if (closed) {
      return context.succeededFuture();
    }
    closed = true;
    closeConnections.run();
    return acceptor.leave(member, context);
  }
}
