package io.seedgate.gateway.session;

import io.netty.buffer.ByteBufUtil;
import io.seedgate.common.vertx.Buffers;
import io.seedgate.gateway.resume.SequencedFrames;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * One message for one or many clients: the payload bytes as a game service published them, with its text decoded
 * (WebSocket) and its framed form built (TCP) at most once however many clients it goes to.
 *
 * <p>A delivery to a resumable session is a {@link #sequenced} view of the shared message:
 * {@code {"seq":<n>,"msg":<payload>}} ({@link SequencedFrames}), a composite of the session's small prefix, the
 * shared payload and {@code }}, built per session without copying the payload, in each transport's framing.
 */
public final class OutboundMessage {

  private final Buffer bytes;
  private String text;
  private volatile Framed framed;
  private volatile Buffer utf8;
  /** What a sequenced frame embeds of this message (its bytes, or its text quoted), as sent and as UTF-8. */
  private volatile Buffer embedded;
  private volatile Buffer embeddedUtf8;
  /** For a sequenced view: its number, its prefix and the shared message it wraps; 0 and null otherwise. */
  private final long seq;
  private final Buffer prefix;
  private final OutboundMessage payload;

  private record Framed(Buffer suffix, Buffer bytes) {
  }

  private OutboundMessage(Buffer bytes, String text) {
    this.bytes = bytes;
    this.text = text;
    this.utf8 = text == null ? null : bytes;
    this.seq = 0;
    this.prefix = null;
    this.payload = null;
  }

  private OutboundMessage(long seq, OutboundMessage payload) {
    this.seq = seq;
    this.payload = payload;
    this.prefix = SequencedFrames.prefix(seq);
    this.bytes = SequencedFrames.compose(prefix, payload.embedded(), SequencedFrames.CLOSE);
  }

  public static OutboundMessage of(Buffer bytes) {
    return new OutboundMessage(bytes, null);
  }

  public static OutboundMessage ofText(String text) {
    return new OutboundMessage(Buffer.buffer(text.getBytes(StandardCharsets.UTF_8)), text);
  }

  /**
   * This message as delivery number {@code seq} of a resumable session: {@code {"seq":<seq>,"msg":<payload>}},
   * without a copy of the payload.
   */
  public OutboundMessage sequenced(long seq) {
    return new OutboundMessage(seq, this);
  }

  /** The same delivery number with another payload (a transport's replacement for one it cannot send). */
  public OutboundMessage withPayload(OutboundMessage replacement) {
    return seq == 0 ? replacement : new OutboundMessage(seq, replacement);
  }

  /** The delivery number of a sequenced view, 0 for a plain message. */
  public long seq() {
    return seq;
  }

  /** The bytes as they go out (a sequenced view: the whole frame). */
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
    if (u == null && payload != null) {
      u = SequencedFrames.compose(prefix, payload.embeddedUtf8(), SequencedFrames.CLOSE);
      utf8 = u;
    } else if (u == null) {
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
    if (payload != null) {
      return SequencedFrames.compose(prefix, payload.embedded(), SequencedFrames.CLOSE, suffix);
    }
    Framed f = framed;
    if (f == null || f.suffix() != suffix) {
      f = new Framed(suffix, Buffer.buffer(bytes.length() + suffix.length()).appendBuffer(bytes).appendBuffer(suffix));
      framed = f;
    }
    return f.bytes();
  }

  private Buffer embedded() {
    Buffer e = embedded;
    if (e == null) {
      e = SequencedFrames.isJsonContainer(bytes) ? bytes : SequencedFrames.quoted(text());
      embedded = e;
    }
    return e;
  }

  private Buffer embeddedUtf8() {
    Buffer e = embeddedUtf8;
    if (e == null) {
      e = SequencedFrames.isJsonContainer(bytes) ? utf8() : embedded();
      embeddedUtf8 = e;
    }
    return e;
  }
}
