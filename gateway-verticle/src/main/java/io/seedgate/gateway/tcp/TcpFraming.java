package io.seedgate.gateway.tcp;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;

/**
 * Cuts the bytes of one TCP connection into client messages at {@value TcpTransport#DELIMITER}, whatever the reads'
 * boundaries: several messages in one read, one message over many reads, a delimiter split between two reads.
 * Empty frames ({@code ||||}) are skipped.
 *
 * <p>Bounded: a frame longer than {@code maxFrameBytes} (without the delimiter) ends the framing with
 * {@link Receiver#tooLarge()}, whether it arrived whole or is still arriving; no more than {@code maxFrameBytes} plus
 * the delimiter plus one read is ever buffered. After {@link Receiver#tooLarge()} or {@link #stop()} nothing more is
 * delivered, even frames already cut from the same read.
 *
 * <p>Not thread-safe: fed from the connection's event loop.
 */
final class TcpFraming implements Handler<Buffer> {

  /** Where the frames go. */
  interface Receiver {

    /** One complete, non-empty message of at most {@code maxFrameBytes}, without its delimiter. */
    void frame(Buffer frame);

    /** A frame over {@code maxFrameBytes}: the last call this receiver gets. */
    void tooLarge();
  }

  private final int maxFrameBytes;
  private final Receiver receiver;
  private final RecordParser parser;
  private boolean stopped;

  TcpFraming(int maxFrameBytes, Receiver receiver) {
    this.maxFrameBytes = maxFrameBytes;
    this.receiver = receiver;
    // The parser holds at most the current frame: over maxRecordSize it calls the exception handler instead.
    this.parser = RecordParser.newDelimited(TcpTransport.DELIMITER)
      .maxRecordSize(maxFrameBytes + TcpTransport.DELIMITER.length());
    parser.handler(this::onRecord);
    // RecordParser signals a record longer than maxRecordSize with an IllegalStateException.
    parser.exceptionHandler(e -> overLimit());
  }

  /** Feeds the next bytes read from the connection. */
  @Override
  public void handle(Buffer chunk) {
    if (!stopped) {
      parser.handle(chunk);
    }
  }

  /** Delivers nothing more. */
  void stop() {
    stopped = true;
  }

  boolean stopped() {
    return stopped;
  }

  private void onRecord(Buffer frame) {
    if (stopped || frame.length() == 0) {
      return;
    }
    if (frame.length() > maxFrameBytes) {
      overLimit();
      return;
    }
    receiver.frame(frame);
  }

  private void overLimit() {
    if (!stopped) {
      stopped = true;
      receiver.tooLarge();
    }
  }
}
