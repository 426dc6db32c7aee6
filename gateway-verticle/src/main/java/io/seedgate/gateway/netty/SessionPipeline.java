package io.seedgate.gateway.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import io.seedgate.gateway.session.SessionHub;
import io.seedgate.gateway.vertx.InstanceContext;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * What builds the pipeline of one gateway instance's connections on a port served by Netty directly, installed on
 * the instance's event loop when a connection is registered there. Common to every such port: the channel's high
 * water mark at {@code maxQueuedBytes} (over it the session core counts the client as too slow), and the instance's
 * open connections, closed with the port. Transports add their handlers, ending with their {@link SessionChannel}.
 *
 * <p>Not thread-safe: {@link #closeAll()} is called on the instance's event loop.
 */
public abstract class SessionPipeline extends ChannelInitializer<Channel> {

  final InstanceContext context;
  final SessionHub hub;
  private final WriteBufferWaterMark waterMark;
  /** This instance's open connections, to close with the port; on the event loop only. */
  private final Set<Channel> open = new HashSet<>();
  private final ChannelFutureListener forget = f -> open.remove(f.channel());

  /**
   * @param context        the gateway instance's context: its event loop runs every connection of the pipeline
   * @param hub            the instance's sessions
   * @param maxQueuedBytes unwritten bytes over which a connection counts as not writable (too slow)
   */
  protected SessionPipeline(InstanceContext context, SessionHub hub, int maxQueuedBytes) {
    this.context = context;
    this.hub = hub;
    this.waterMark = new WriteBufferWaterMark(maxQueuedBytes / 2, maxQueuedBytes);
  }

  @Override
  protected final void initChannel(Channel ch) {
    ch.config().setWriteBufferWaterMark(waterMark);
    open.add(ch);
    ch.closeFuture().addListener(forget);
    addHandlers(ch);
  }

  /** Adds the transport's handlers to the new connection's pipeline, its {@link SessionChannel} last. */
  protected abstract void addHandlers(Channel ch);

  /** Closes every connection of this instance still open (sessions were told before, by the session core). */
  final void closeAll() {
    for (Channel ch : new ArrayList<>(open)) {
      SessionChannel connection = ch.pipeline().get(SessionChannel.class);
      if (connection != null) {
        connection.close();
      } else {
        ch.close();
      }
    }
  }
}
