package io.seedgate.common.vertx;

import io.netty.channel.EventLoopGroup;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;

/** What a Vert.x instance holds below its public API: its cluster manager and its Netty event loops. */
public final class VertxNode {

  private VertxNode() {
  }

  /** The instance's cluster manager, or null when it is not clustered. */
  public static ClusterManager clusterManager(Vertx vertx) {
    return vertx instanceof VertxInternal vi ? vi.clusterManager() : null;
  }

  /** The instance's event loops (those that run verticles and sockets), or null for a Vert.x of another kind. */
  public static EventLoopGroup eventLoopGroup(Vertx vertx) {
    return vertx instanceof VertxInternal vi ? vi.nettyEventLoopGroup() : null;
  }
}
