package io.seedgate.common.vertx;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Vert.x buffers over Netty's and back, without a copy: for code that reads or writes on Netty's pipelines itself.
 */
public final class Buffers {

  private Buffers() {
  }

  /** A Vert.x buffer that is a view of {@code buf} (no copy: it shares its memory and its reference count). */
  public static Buffer wrap(ByteBuf buf) {
    return BufferInternal.buffer(buf);
  }

  /** The Netty buffer under a Vert.x buffer (no copy), to write it on a Netty channel. */
  public static ByteBuf byteBuf(Buffer buffer) {
    return ((BufferInternal) buffer).getByteBuf();
  }
}
