package io.seedgate.persistence.vertx;

import io.vertx.core.Handler;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/** A Vert.x TCP socket read as Netty delivers it. */
public final class RawSockets {

  private RawSockets() {
  }

  /**
   * Hands the handler what the socket reads as Netty reads it (its own {@code ByteBuf}s, which the handler must
   * release), rather than a heap copy of each in a Vert.x buffer; replaces the socket's data handler.
   */
  public static void messageHandler(NetSocket socket, Handler<Object> handler) {
    ((NetSocketInternal) socket).messageHandler(handler);
  }
}
