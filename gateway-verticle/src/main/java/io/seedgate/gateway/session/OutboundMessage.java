package io.seedgate.gateway.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
 *
 * <p>While a delivery from Redis is handed out ({@link #delivery}, until {@link #endDelivery()}), a transport may
 * take its whole frame from {@link #sharedFrame}: encoded once, in direct memory, and written to every socket of that
 * transport as a retained duplicate of the same buffer (no frame object, no allocation or copy per socket).
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

  /** How a transport frames a message itself on the wire: encodes the whole frame of one message. */
  public interface Framing {
    /** The message's whole frame, in a direct buffer of {@code alloc} that the caller then owns. */
    ByteBuf encode(OutboundMessage message, ByteBufAllocator alloc);
  }

  /** The thread handing this delivery out, while it does; null otherwise (then there are no shared frames). */
  private Thread delivering;
  /** Shared frames of up to two framings (WebSocket, TCP), built on the delivering thread; released at its end. */
  private Framing framing1;
  private ByteBuf frame1;
  private Framing framing2;
  private ByteBuf frame2;

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

  /**
   * A delivery from Redis about to be handed to its sessions on this thread: until {@link #endDelivery()}, its
   * transports' frames are built once and shared ({@link #sharedFrame}).
   */
  public static OutboundMessage delivery(Buffer bytes) {
    OutboundMessage m = new OutboundMessage(bytes, null);
    m.delivering = Thread.currentThread();
    return m;
  }

  /**
   * The message's whole frame in {@code framing}, to write to one socket: a retained duplicate of a frame encoded at
   * most once per delivery however many sockets it goes to. Null when the message is not a delivery being handed out
   * on this thread (a sequenced view, an error, a message kept for later): the transport then frames it itself.
   */
  public ByteBuf sharedFrame(Framing framing, ByteBufAllocator alloc) {
    if (delivering != Thread.currentThread()) {
      return null;
    }
    if (framing1 == framing) {
      return frame1.retainedDuplicate();
    }
    if (framing2 == framing) {
      return frame2.retainedDuplicate();
    }
    ByteBuf frame = framing.encode(this, alloc);
    if (framing1 == null) {
      framing1 = framing;
      frame1 = frame;
    } else if (framing2 == null) {
      framing2 = framing;
      frame2 = frame;
    } else {
      return frame;
    }
    return frame.retainedDuplicate();
  }

  /**
   * The delivery has been handed to every session it goes to: its shared frames are released (the sockets that still
   * have one queued hold their own reference), and from now on each send frames it afresh.
   */
  public void endDelivery() {
    delivering = null;
    if (frame1 != null) {
      frame1.release();
      frame1 = null;
    }
    if (frame2 != null) {
      frame2.release();
      frame2 = null;
    }
    framing1 = null;
    framing2 = null;
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
