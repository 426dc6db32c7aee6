package io.seedgate.gateway.vertx;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

/**
 * A gateway instance's Vert.x context as code on Netty's pipelines needs it: its event loop, and a way to run a
 * handler inside it without a task ({@link #beginDispatch}), so that what the handler starts (event-bus requests,
 * timers) stays on the context.
 */
public final class InstanceContext {

  private final ContextInternal context;

  private InstanceContext(ContextInternal context) {
    this.context = context;
  }

  /** The calling thread's context, or a new one (as {@link Vertx#getOrCreateContext()}). */
  public static InstanceContext current(Vertx vertx) {
    return new InstanceContext(((VertxInternal) vertx).getOrCreateContext());
  }

  /** A context of a Vert.x instance (any context the instance made). */
  public static InstanceContext of(Context context) {
    return new InstanceContext((ContextInternal) context);
  }

  /** The context itself. */
  public Context context() {
    return context;
  }

  /** Whether it is an event-loop context (a standard verticle's), not a worker's. */
  public boolean isEventLoop() {
    return context.isEventLoopContext();
  }

  /** The Netty event loop the context runs on. */
  public EventLoop eventLoop() {
    return context.nettyEventLoop();
  }

  /** The deployment the context belongs to, or null. */
  public String deploymentId() {
    return context.deploymentID();
  }

  /** A promise whose future's handlers run on the context. */
  public <T> Promise<T> promise() {
    return context.promise();
  }

  /** A succeeded future whose handlers run on the context. */
  public Future<Void> succeededFuture() {
    return context.succeededFuture();
  }

  /**
   * Makes the context the current one of the calling thread (which must be its event loop), inline: returns the one
   * it replaces, to give to {@link #endDispatch} in a finally block.
   */
  public Context beginDispatch() {
    return context.beginDispatch();
  }

  /** Restores the context {@link #beginDispatch} returned. */
  public void endDispatch(Context previous) {
    context.endDispatch((ContextInternal) previous);
  }
}
