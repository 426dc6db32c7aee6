package io.seedgate.gateway.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.seedgate.common.vertx.Buffers;
import io.vertx.core.buffer.Buffer;

/**
 * Cuts the bytes of one TCP connection into client messages at {@value TcpTransport#DELIMITER}, whatever the reads'
 * boundaries: several messages in one read, one message over many reads, a delimiter split between two reads.
 * Empty frames ({@code ||||}) are skipped.
 *
 * <p>A frame that arrives whole within one read is handed over as a view of that read's bytes (no copy); only the
 * unfinished tail of a read is kept, in a buffer of its own that grows by doubling, until the rest arrives. Each
 * byte is searched for the delimiter once and copied a bounded number of times, however slowly a frame dribbles
 * in.
 *
 * <p>Bounded: a frame longer than {@code maxFrameBytes} (without the delimiter) ends the framing with
 * {@link Receiver#tooLarge()}, whether it arrived whole or is still arriving; no more than {@code maxFrameBytes} plus
 * the delimiter plus one read is ever buffered. After {@link Receiver#tooLarge()} or {@link #stop()} nothing more is
 * delivered, even frames already cut from the same read.
 *
 * <p>Not thread-safe: fed from the connection's event loop.
 */
final class TcpFraming {

  private static final int DELIMITER_LENGTH = 2;
  /** Initial room for an unfinished frame; it grows by doubling (each byte copied O(1) times on average). */
  private static final int MIN_PENDING = 256;

  /** Where the frames go. */
  interface Receiver {

    /**
     * One complete, non-empty message of at most {@code maxFrameBytes}, without its delimiter. The buffer is a view
     * of the connection's bytes, valid during the call only.
     */
    void frame(Buffer frame);

    /** A frame over {@code maxFrameBytes}: the last call this receiver gets. */
    void tooLarge();
  }

  private final int maxFrameBytes;
  private final Receiver receiver;
  /** The unfinished frame of earlier reads, or null. */
  private ByteBuf pending;
  /** How many bytes at the start of {@link #pending} are known to hold no delimiter. */
  private int searched;
  private boolean stopped;
  /** Whether a frame is being handed over: {@link #stop()} then leaves the buffer to {@link #handle}. */
  private boolean cutting;

  TcpFraming(int maxFrameBytes, Receiver receiver) {
    this.maxFrameBytes = maxFrameBytes;
    this.receiver = receiver;
  }

  /** Feeds the next bytes read from the connection; takes ownership of {@code chunk} (it is released here). */
  void handle(ByteBuf chunk, ByteBufAllocator alloc) {
    if (stopped) {
      chunk.release();
      return;
    }
    if (pending == null) {
      try {
        cut(chunk);
        if (!stopped && chunk.isReadable()) {
          pending = alloc.buffer(Math.max(MIN_PENDING, chunk.readableBytes() * 2)).writeBytes(chunk);
        } else {
          searched = 0;
        }
      } finally {
        chunk.release();
      }
      return;
    }
    try {
      pending.writeBytes(chunk);
    } finally {
      chunk.release();
    }
    cut(pending);
    if (stopped) {
      release();
    } else if (pending.isReadable()) {
      // keeps the unfinished frame at the start, so the buffer never holds more than it plus one read
      pending.discardReadBytes();
    } else {
      release();
      searched = 0;
    }
  }

  /**
   * Delivers nothing more and lets go of what is buffered (once the frame being delivered, if any, has been
   * handled: it is a view of those bytes).
   */
  void stop() {
    stopped = true;
    if (!cutting) {
      release();
    }
  }

  boolean stopped() {
    return stopped;
  }

  /** Lets go of what is buffered (the connection is gone). */
  void release() {
    if (pending != null) {
      pending.release();
      pending = null;
    }
  }

  /** Hands over every whole frame of {@code in}; leaves its unfinished tail readable. */
  private void cut(ByteBuf in) {
    cutting = true;
    try {
      cutFrames(in);
    } finally {
      cutting = false;
    }
  }

  private void cutFrames(ByteBuf in) {
    while (!stopped && in.isReadable()) {
      int start = in.readerIndex();
      int at = TcpTransport.delimiterIn(in, start + searched, in.writerIndex());
      if (at < 0) {
        int buffered = in.readableBytes();
        if (buffered > maxFrameBytes + DELIMITER_LENGTH) {
          overLimit();
        } else {
          // the last byte may be the first half of a delimiter: searched again with the next read
          searched = Math.max(0, buffered - 1);
        }
        return;
      }
      searched = 0;
      int length = at - start;
      in.readerIndex(at + DELIMITER_LENGTH);
      if (length > maxFrameBytes) {
        overLimit();
        return;
      }
      if (length > 0) {
        receiver.frame(Buffers.wrap(in.slice(start, length)));
      }
    }
  }

  private void overLimit() {
    if (!stopped) {
      stop();
      receiver.tooLarge();
    }
  }
}
