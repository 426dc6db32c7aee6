package io.seedgate.persistence.resp;

import io.vertx.core.buffer.Buffer;

import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The replies to one {@link RespRequests batch}, parsed in place: the bytes as Redis sent them (one array, copied
 * once off the socket) and a tape of elements pointing into them, so that reading a reply allocates nothing until
 * a value is turned into a {@code String}.
 *
 * <p>Elements are numbered in reading order: a top-level reply, then (for an array) its children, depth first.
 * {@link #reply(int)} gives the element of a top-level reply, {@link #next(int)} the element after a whole
 * subtree. Not thread-safe; immutable once handed out.
 */
public final class RespReplies {

  /** A bulk string ({@code $}); {@link #offset}/{@link #length} locate it. */
  public static final byte BULK = 1;
  /** A simple string ({@code +}). */
  public static final byte SIMPLE = 2;
  /** An error ({@code -}); {@link #string} gives its message. */
  public static final byte ERROR = 3;
  /** An integer ({@code :}), as its decimal text. */
  public static final byte INTEGER = 4;
  /** An array ({@code *}); {@link #size} gives its element count. */
  public static final byte ARRAY = 5;
  /** A null bulk string or array ({@code $-1}, {@code *-1}). */
  public static final byte NULL = 6;

  private static final int SLOTS = 3;

  final byte[] bytes;
  final int[] tape;
  final int[] replies;
  final int count;

  RespReplies(byte[] bytes, int[] tape, int[] replies, int count) {
    this.bytes = bytes;
    this.tape = tape;
    this.replies = replies;
    this.count = count;
  }

  /**
   * Parses {@code expected} complete replies from bytes in hand (tools and tests; a connection parses as bytes
   * arrive).
   *
   * @throws RespProtocolException when the bytes are not RESP2 or hold fewer replies
   */
  public static RespReplies parse(Buffer bytes, int expected) {
    RespParser parser = new RespParser();
    parser.append(bytes);
    if (!parser.parse(expected)) {
      throw new RespProtocolException("fewer than " + expected + " complete replies");
    }
    return parser.take();
  }

  /**
   * The replies the Vert.x Redis client gave to {@link RespRequests#toClientRequests()}, as this connection would
   * have parsed them: each written back as RESP2 and parsed (a {@code null} reply is a null bulk string).
   */
  public static RespReplies of(List<Response> replies) {
    Buffer encoded = Buffer.buffer(256 * Math.max(1, replies.size()));
    for (Response r : replies) {
      encode(r, encoded);
    }
    return parse(encoded, replies.size());
  }

  private static void encode(Response r, Buffer out) {
    if (r == null) {
      out.appendString("$-1\r\n");
      return;
    }
    switch (r.type()) {
      case SIMPLE -> out.appendByte((byte) '+').appendString(oneLine(r.toString())).appendString("\r\n");
      case ERROR -> out.appendByte((byte) '-').appendString(oneLine(r.toString())).appendString("\r\n");
      case NUMBER -> out.appendByte((byte) ':').appendString(Long.toString(r.toLong())).appendString("\r\n");
      case BULK -> {
        byte[] bytes = r.toBytes();
        out.appendByte((byte) '$').appendString(Integer.toString(bytes.length)).appendString("\r\n")
          .appendBytes(bytes).appendString("\r\n");
      }
      default -> { // MULTI, PUSH, ATTRIBUTE: an array of what it holds
        out.appendByte((byte) '*').appendString(Integer.toString(r.size())).appendString("\r\n");
        for (Response child : r) {
          encode(child, out);
        }
      }
    }
  }

  private static String oneLine(String s) {
    return s.replace('\r', ' ').replace('\n', ' ');
  }

  /** The number of top-level replies. */
  public int count() {
    return count;
  }

  /** The element of top-level reply {@code i}. */
  public int reply(int i) {
    return replies[i];
  }

  public byte type(int element) {
    return (byte) tape[element * SLOTS];
  }

  public boolean isError(int element) {
    return type(element) == ERROR;
  }

  /** The element count of an array (0 for anything else). */
  public int size(int element) {
    return type(element) == ARRAY ? tape[element * SLOTS + 1] : 0;
  }

  /** The first child of an array. */
  public int first(int element) {
    return element + 1;
  }

  /** The element after {@code element} and all its children. */
  public int next(int element) {
    return type(element) == ARRAY ? element + tape[element * SLOTS + 2] : element + 1;
  }

  /** The raw bytes all offsets point into; callers only read them. */
  public byte[] bytes() {
    return bytes;
  }

  /** Where a string, error or integer's bytes start in {@link #bytes()}. */
  public int offset(int element) {
    return tape[element * SLOTS + 1];
  }

  /** The byte length of a string, error or integer. */
  public int length(int element) {
    return tape[element * SLOTS + 2];
  }

  /** A string, error or integer as text (UTF-8); {@code null} for a null or an array. */
  public String string(int element) {
    byte t = type(element);
    if (t == ARRAY || t == NULL) {
      return null;
    }
    return new String(bytes, offset(element), length(element), StandardCharsets.UTF_8);
  }

  /** Whether a string's bytes are exactly the ASCII text {@code ascii}. */
  public boolean is(int element, String ascii) {
    byte t = type(element);
    if (t == ARRAY || t == NULL) {
      return false;
    }
    int len = length(element);
    if (len != ascii.length()) {
      return false;
    }
    int off = offset(element);
    for (int i = 0; i < len; i++) {
      if (bytes[off + i] != ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** An integer reply, or an integer written as a string. */
  public long toLong(int element) {
    int off = offset(element);
    int end = off + length(element);
    boolean negative = off < end && bytes[off] == '-';
    long v = 0;
    for (int i = negative ? off + 1 : off; i < end; i++) {
      int d = bytes[i] - '0';
      if (d < 0 || d > 9) {
        throw new NumberFormatException("not an integer: " + string(element));
      }
      v = v * 10 + d;
    }
    return negative ? -v : v;
  }
}
