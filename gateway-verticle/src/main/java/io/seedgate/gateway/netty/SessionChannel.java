package io.seedgate.gateway.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.seedgate.gateway.session.ClientChannel;
import io.seedgate.gateway.session.Session;
import io.seedgate.gateway.session.SessionHub;
import io.seedgate.gateway.vertx.InstanceContext;
import io.vertx.core.Context;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of a connection served by Netty directly, as the session core sees it: the session it opens,
 * the client's IP, whether it is closing, its backpressure (the channel's high water mark, {@code maxQueuedBytes}),
 * and the session told once when the connection is gone. Transports add their framing.
 *
 * <p>Everything runs on the gateway instance's event loop; the session is called inside the instance's Vert.x
 * context ({@link #beginDispatch()}), so what it starts (event-bus requests, timers) stays on it. The dispatch is
 * inline, not a task: nothing is allocated per message for it, and an exception thrown by the session reaches the
 * transport's {@code exceptionCaught}, which closes the connection.
 */
public abstract class SessionChannel extends ChannelInboundHandlerAdapter implements ClientChannel {

  /**
   * How long a connection closed as too slow to receive is given to take what was queued for it, its last message
   * (the error, the close frame) included, before it is closed anyway: a client that reads again soon learns why,
   * a dead peer does not hold its socket.
   */
  public static final long LAST_WORDS_MS = 5_000;

  private final InstanceContext context;
  private final SessionHub hub;
  protected ChannelHandlerContext ctx;
  /** The connection's session, once opened. */
  protected Session session;
  /** Whether the connection is closing or gone: nothing more is written or handed to the session. */
  protected boolean closing;
  private String ip = "";

  /**
   * @param port the pipeline of the port the connection came in on: the gateway instance's context, whose event loop
   *             runs the connection, and its sessions
   */
  protected SessionChannel(SessionPipeline port) {
    this.context = port.context;
    this.hub = port.hub;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Opens the connection's session; call once, when the connection is ready for one. */
  protected final void openSession() {
    ip = ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
      ? a.getAddress().getHostAddress() : "";
    Context previous = beginDispatch();
    try {
      session = hub.open(this);
    } finally {
      endDispatch(previous);
    }
  }

  /** Enters the instance's context to call the session; pair with {@link #endDispatch} in a finally block. */
  protected final Context beginDispatch() {
    return context.beginDispatch();
  }

  protected final void endDispatch(Context previous) {
    context.endDispatch(previous);
  }

  /** The connection is gone: the session hears of it once. */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    if (session != null) {
      Context previous = beginDispatch();
      try {
        session.onClosed();
      } finally {
        endDispatch(previous);
      }
    }
  }

  /**
   * Closes the connection once {@code last} (the last write) has reached the socket, everything queued before it
   * too, or after {@link #LAST_WORDS_MS}, whichever comes first; a failed write closes at once.
   */
  protected final void closeOnceWritten(ChannelFuture last) {
    Channel ch = ctx.channel();
    io.netty.util.concurrent.ScheduledFuture<?> bound = ctx.executor().schedule(() -> {
      ch.close();
    }, LAST_WORDS_MS, TimeUnit.MILLISECONDS);
    last.addListener(f -> {
      bound.cancel(false);
      ch.close();
    });
  }

  /** Whether more than {@code maxQueuedBytes} are unwritten (the channel's high water mark); false once closing. */
  @Override
  public final boolean writeQueueFull() {
    Channel ch = ctx.channel();
    return !closing && ch.isActive() && !ch.isWritable();
  }

  @Override
  public final String remoteIp() {
    return ip;
  }
}
