package io.seedgate.gateway.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.seedgate.common.vertx.Buffers;
import io.seedgate.gateway.session.OutboundMessage;

/**
 * A server's WebSocket text frame (RFC 6455: FIN, opcode 1, no mask) of a message's UTF-8 bytes, encoded whole, as
 * Netty's {@code WebSocket08FrameEncoder} would, into one direct buffer that every socket of a delivery is written
 * (see {@link OutboundMessage#sharedFrame}). The encoder lets a {@link ByteBuf} through as it is.
 */
final class TextFrames implements OutboundMessage.Framing {

  static final TextFrames INSTANCE = new TextFrames();
  private static final int FIN_TEXT = 0x81;

  private TextFrames() {
  }

  @Override
  public ByteBuf encode(OutboundMessage message, ByteBufAllocator alloc) {
    ByteBuf payload = Buffers.byteBuf(message.utf8());
    int n = payload.readableBytes();
    int header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
    ByteBuf frame = alloc.directBuffer(header + n, header + n);
    frame.writeByte(FIN_TEXT);
    if (n < 126) {
      frame.writeByte(n);
    } else if (n <= 0xFFFF) {
      frame.writeByte(126);
      frame.writeShort(n);
    } else {
      frame.writeByte(127);
      frame.writeLong(n);
    }
    frame.writeBytes(payload, payload.readerIndex(), n);
    return frame;
  }
}
