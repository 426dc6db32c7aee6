package io.seedgate.gateway.resume;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.seedgate.common.vertx.Buffers;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * The framing of a delivery to a resumable session: {@code {"seq":<n>,"msg":<payload>}}. The payload is embedded as
 * it is when it is a JSON object or array (its first non-blank byte is {@code {} or {@code [}), else as a JSON
 * string of its text ({@link #quoted}), computed once per message however many sessions it goes to.
 *
 * <p>A session's frame is a composite of three buffers, none copied: its own small prefix {@code {"seq":<n>,"msg":},
 * the shared payload and the closing {@code }} (with a transport's suffix, {@code ||} on TCP, after it). The parts
 * are unreleasable views, so writing the frame on a Netty channel, which releases it, leaves the shared payload
 * intact for the next session.
 */
public final class SequencedFrames {

  private static final byte[] PREFIX_START = "{\"seq\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PREFIX_END = ",\"msg\":".getBytes(StandardCharsets.US_ASCII);
  /** The end of a frame. */
  public static final Buffer CLOSE = Buffer.buffer("}");

  private SequencedFrames() {
  }

  /** {@code {"seq":<n>,"msg":}, the per-session part of a frame. */
  public static Buffer prefix(long seq) {
    byte[] digits = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
    return Buffer.buffer(PREFIX_START.length + digits.length + PREFIX_END.length)
      .appendBytes(PREFIX_START).appendBytes(digits).appendBytes(PREFIX_END);
  }

  /** Whether the payload is a JSON object or array as far as its first non-blank byte tells. */
  public static boolean isJsonContainer(Buffer payload) {
    for (int i = 0; i < payload.length(); i++) {
      byte b = payload.getByte(i);
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return b == '{' || b == '[';
      }
    }
    return false;
  }

  /** The text as a JSON string, in UTF-8: what a frame embeds of a payload that is not a JSON object or array. */
  public static Buffer quoted(String text) {
    byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(text);
    return Buffer.buffer(quoted.length + 2).appendByte((byte) '"').appendBytes(quoted).appendByte((byte) '"');
  }

  /** The parts as one buffer, without copying them: a composite of unreleasable views. */
  public static Buffer compose(Buffer... parts) {
    ByteBuf[] bufs = new ByteBuf[parts.length];
    for (int i = 0; i < parts.length; i++) {
      bufs[i] = Unpooled.unreleasableBuffer(Buffers.byteBuf(parts[i]));
    }
    return Buffers.wrap(Unpooled.wrappedBuffer(bufs.length, bufs));
  }
}
