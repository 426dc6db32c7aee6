package io.seedgate.gateway.netty;

import io.seedgate.gateway.vertx.InstanceContext;
import io.seedgate.gateway.vertx.NettyTransport;
import io.vertx.core.Future;

/**
 * One gateway instance's part in a port served by Netty directly: its event loop and pipeline joined to the
 * {@link SharedAcceptor} of that transport, host and port; its connections are closed when it leaves.
 */
public final class SharedPort {

  private final SharedAcceptor acceptor;
  private final SharedAcceptor.Member member;
  private final InstanceContext context;
  private final SessionPipeline pipeline;
  private boolean closed;

  private SharedPort(SharedAcceptor acceptor, SharedAcceptor.Member member, InstanceContext context,
                     SessionPipeline pipeline) {
    this.acceptor = acceptor;
    this.member = member;
    this.context = context;
    this.pipeline = pipeline;
  }

  /**
   * Joins the instance (its context's event loop will run the connections it gets) to the shared port; the future
   * completes when the port is open, and fails when it cannot be bound or the context is not an event loop's.
   *
   * @param transport what the port serves ({@code websocket}, {@code tcp})
   * @param backlog   the listening socket's backlog (used by the first instance, which binds it)
   * @param pipeline  what builds each connection's pipeline, on the instance's event loop (made with
   *                  {@code context}), and closes the connections still open when the instance leaves
   */
  public static Future<SharedPort> join(NettyTransport vertx, String transport, String host, int port, int backlog,
                                        InstanceContext context, SessionPipeline pipeline) {
    if (!context.isEventLoop()) {
      return Future.failedFuture(new IllegalStateException("the " + transport + " port needs an event-loop context"));
    }
    SharedAcceptor.Member member = new SharedAcceptor.Member(context.eventLoop(), pipeline);
    return SharedAcceptor.join(vertx, transport, host, port, backlog, member, context)
      .map(acceptor -> new SharedPort(acceptor, member, context, pipeline));
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
    pipeline.closeAll();
    return acceptor.leave(member, context);
  }
}
