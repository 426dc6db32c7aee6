package io.seedgate.persistence.resp;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

import java.util.Arrays;

/**
 * Reads RESP2 replies off a stream of socket buffers into {@link RespReplies}, one batch at a time: the batch's
 * bytes are appended to one growing array and parsed where they lie. A reply split across socket reads is parsed
 * again from its start once more bytes came (replies here are small: a hash, a page of positions).
 *
 * <p>Not thread-safe: fed from one connection's event loop.
 */
final class RespParser {

  /** Deepest nesting accepted (GEOPOS gives two levels); anything deeper is a protocol error. */
  private static final int MAX_DEPTH = 8;
  private static final int MIN_CAPACITY = 64 * 1024;
  private static final int SLOTS = 3;

  private byte[] bytes = new byte[MIN_CAPACITY];
  private int end;
  private int pos;
  private int[] tape = new int[3 * 1024];
  private int elements;
  private int[] replies = new int[64];
  private int count;

  /** Appends bytes read from the socket. */
  void append(Buffer data) {
    int n = data.length();
    ensure(n);
    data.getBytes(0, n, bytes, end);
    end += n;
  }

  /** Appends the readable bytes of a buffer read from the socket (left for the caller to release). */
  void append(ByteBuf data) {
    int n = data.readableBytes();
    ensure(n);
    data.getBytes(data.readerIndex(), bytes, end, n);
    end += n;
  }

  private void ensure(int more) {
    if (end + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, end + more));
    }
  }

  /**
   * Parses complete replies until {@code expected} of them are read.
   *
   * @return whether {@code expected} replies are now read
   * @throws RespProtocolException when the bytes are not RESP2
   */
  boolean parse(int expected) {
    while (count < expected) {
      int mark = elements;
      int after = value(pos, 0);
      if (after < 0) {
        elements = mark;
        return false;
      }
      if (count == replies.length) {
        replies = Arrays.copyOf(replies, count * 2);
      }
      replies[count++] = mark;
      pos = after;
    }
    return true;
  }

  /**
   * The replies read so far, as one batch; parsing then starts a new batch with the bytes left over (the start of
   * the next batch's replies) in a new array, since the returned batch keeps its own.
   */
  RespReplies take() {
    RespReplies batch = new RespReplies(bytes, tape, replies, count);
    int left = end - pos;
    byte[] next = new byte[Math.max(MIN_CAPACITY, left * 2)];
    System.arraycopy(bytes, pos, next, 0, left);
    bytes = next;
    end = left;
    pos = 0;
    tape = new int[3 * 1024];
    elements = 0;
    replies = new int[64];
    count = 0;
    return batch;
  }

  /** Parses one value at {@code p}; returns the position after it, or -1 when it is not complete yet. */
  private int value(int p, int depth) {
    if (p >= end) {
      return -1;
    }
    int lineEnd = lineEnd(p + 1);
    if (lineEnd < 0) {
      return -1;
    }
    byte kind = bytes[p];
    int element = add();
    switch (kind) {
      case '+' -> set(element, RespReplies.SIMPLE, p + 1, lineEnd - p - 1);
      case '-' -> set(element, RespReplies.ERROR, p + 1, lineEnd - p - 1);
      case ':' -> set(element, RespReplies.INTEGER, p + 1, lineEnd - p - 1);
      case '$' -> {
        long len = number(p + 1, lineEnd);
        if (len < 0) {
          set(element, RespReplies.NULL, 0, 0);
          return lineEnd + 2;
        }
        long after = (long) lineEnd + 2 + len + 2;
        if (after > end) {
          return -1;
        }
        if (bytes[(int) after - 2] != '\r' || bytes[(int) after - 1] != '\n') {
          throw new RespProtocolException("bulk string not ended by CRLF");
        }
        set(element, RespReplies.BULK, lineEnd + 2, (int) len);
        return (int) after;
      }
      case '*' -> {
        long n = number(p + 1, lineEnd);
        if (n < 0) {
          set(element, RespReplies.NULL, 0, 0);
          return lineEnd + 2;
        }
        if (depth >= MAX_DEPTH || n > Integer.MAX_VALUE / SLOTS) {
          throw new RespProtocolException("reply nested too deep or too large");
        }
        int q = lineEnd + 2;
        for (long i = 0; i < n; i++) {
          q = value(q, depth + 1);
          if (q < 0) {
            return -1;
          }
        }
        set(element, RespReplies.ARRAY, (int) n, elements - element);
        return q;
      }
      default -> throw new RespProtocolException("unexpected reply type byte " + (kind & 0xFF));
    }
    return lineEnd + 2;
  }

  /** The position of the {@code \r} of the {@code \r\n} ending the line from {@code p}, or -1. */
  private int lineEnd(int p) {
    for (int i = p; i + 1 < end; i++) {
      if (bytes[i] == '\r') {
        if (bytes[i + 1] != '\n') {
          throw new RespProtocolException("CR without LF");
        }
        return i;
      }
    }
    return -1;
  }

  private long number(int from, int to) {
    boolean negative = from < to && bytes[from] == '-';
    long v = 0;
    int i = negative ? from + 1 : from;
    if (i >= to || to - i > 18) {
      throw new RespProtocolException("bad length");
    }
    for (; i < to; i++) {
      int d = bytes[i] - '0';
      if (d < 0 || d > 9) {
        throw new RespProtocolException("bad length");
      }
      v = v * 10 + d;
    }
    return negative ? -v : v;
  }

  private int add() {
    if ((elements + 1) * SLOTS > tape.length) {
      tape = Arrays.copyOf(tape, tape.length * 2);
    }
    return elements++;
  }

  private void set(int element, byte type, int a, int b) {
    int i = element * SLOTS;
    tape[i] = type;
    tape[i + 1] = a;
    tape[i + 2] = b;
  }
}
