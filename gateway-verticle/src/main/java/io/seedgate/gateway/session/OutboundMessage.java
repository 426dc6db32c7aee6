package io.seedgate.gateway.session;

import io.netty.buffer.ByteBufUtil;
import io.seedgate.common.vertx.Buffers;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * One message for one or many clients: the payload bytes as a game service published them, with its text decoded
 * (WebSocket) and its framed form built (TCP) at most once however many clients it goes to.
 */
public final class OutboundMessage {

  private final Buffer bytes;
  private String text;
  private volatile Framed framed;
  private volatile Buffer utf8;

  private record Framed(Buffer suffix, Buffer bytes) {
  }

  private OutboundMessage(Buffer bytes, String text) {
    this.bytes = bytes;
    this.text = text;
    this.utf8 = text == null ? null : bytes;
  }

  public static OutboundMessage of(Buffer bytes) {
    return new OutboundMessage(bytes, null);
  }

  public static OutboundMessage ofText(String text) {
    return new OutboundMessage(Buffer.buffer(text.getBytes(StandardCharsets.UTF_8)), text);
  }

  public Buffer bytes() {
    return bytes;
  }

  public String text() {
    if (text == null) {
      text = bytes.toString(StandardCharsets.UTF_8);
    }
    return text;
  }

  /**
   * The payload as valid UTF-8, as a WebSocket text frame must carry it: the bytes themselves when they are (a game
   * service publishes UTF-8 JSON), else {@link #text()} encoded again, its invalid sequences replaced by U+FFFD.
   * Checked once per message however many clients it goes to; the result is shared: callers only write it.
   */
  public Buffer utf8() {
    Buffer u = utf8;
    if (u == null) {
      u = ByteBufUtil.isText(Buffers.byteBuf(bytes), StandardCharsets.UTF_8) ? bytes
        : Buffer.buffer(text().getBytes(StandardCharsets.UTF_8));
      utf8 = u;
    }
    return u;
  }

  public int length() {
    return bytes.length();
  }

  /**
   * The payload followed by {@code suffix} (a transport's frame delimiter) in one buffer, built once per message
   * however many clients of that transport it goes to. The result is shared: callers only write it.
   */
  public Buffer withSuffix(Buffer suffix) {
    Framed f = framed;
    if (f == null || f.suffix() != suffix) {
      f = new Framed(suffix, Buffer.buffer(bytes.length() + suffix.length()).appendBuffer(bytes).appendBuffer(suffix));
      framed = f;
    }
    return f.bytes();
  }
}
