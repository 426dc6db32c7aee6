package io.seedgate.persistence.resp;

import io.netty.buffer.Unpooled;
import io.seedgate.common.vertx.Buffers;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Commands encoded as RESP2 into one buffer, to be written at once (a pipeline) on a {@link RespConnection}:
 * {@code new RespRequests().command(2).arg("HGETALL").arg(key)...}. Each command declares its argument count
 * first; {@link #count()} is the number of replies to expect. Encoded into a plain array (ASCII arguments, as keys
 * and tokens are, without an intermediate byte array), wrapped at the end without a copy. A command given fewer or
 * more arguments than it declared is refused with an {@link IllegalStateException} (Redis would wait for the
 * missing ones, or read the extra as a command).
 */
public final class RespRequests {

  private byte[] bytes;
  private int length;
  private int commands;
  private int missing;

  public RespRequests() {
    this(4096);
  }

  public RespRequests(int initialBytes) {
    bytes = new byte[Math.max(64, initialBytes)];
  }

  /** Starts a command of {@code args} arguments (its name included). */
  public RespRequests command(int args) {
    complete();
    if (args < 1) {
      throw new IllegalArgumentException("a command has at least its name");
    }
    missing = args;
    commands++;
    ensure(24);
    bytes[length++] = '*';
    number(args);
    return this;
  }

  public RespRequests arg(String value) {
    expectArg();
    int n = value.length();
    ensure(n + 24);
    int start = length;
    bytes[length++] = '$';
    number(n);
    int at = length;
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c >= 0x80) {
        length = start;
        missing++;
        return arg(value.getBytes(StandardCharsets.UTF_8));
      }
      bytes[at + i] = (byte) c;
    }
    length = at + n;
    crlf();
    return this;
  }

  public RespRequests arg(byte[] value) {
    expectArg();
    ensure(value.length + 24);
    bytes[length++] = '$';
    number(value.length);
    System.arraycopy(value, 0, bytes, length, value.length);
    length += value.length;
    crlf();
    return this;
  }

  public RespRequests arg(long value) {
    return arg(Long.toString(value));
  }

  /** The number of commands, that is of replies to expect. */
  public int count() {
    return commands;
  }

  /**
   * The commands as requests of the Vert.x Redis client, for a Redis this connection does not reach (a cluster's
   * masters, the master a Sentinel names): read back from the encoded bytes, so that both ways send the same.
   */
  public List<Request> toClientRequests() {
    RespReplies parsed = RespReplies.parse(buffer(), commands);
    List<Request> requests = new ArrayList<>(commands);
    for (int i = 0; i < commands; i++) {
      int command = parsed.reply(i);
      int n = parsed.size(command);
      int arg = parsed.first(command);
      Request request = Request.cmd(Command.create(parsed.string(arg)));
      for (int k = 1; k < n; k++) {
        arg = parsed.next(arg);
        request.arg(Arrays.copyOfRange(parsed.bytes(), parsed.offset(arg), parsed.offset(arg) + parsed.length(arg)));
      }
      requests.add(request);
    }
    return requests;
  }

  /** The encoded commands: a view of this object's array, not a copy. */
  Buffer buffer() {
    complete();
    return Buffers.wrap(Unpooled.wrappedBuffer(bytes, 0, length));
  }

  private void expectArg() {
    if (missing == 0) {
      throw new IllegalStateException("more arguments than command " + commands + " declared");
    }
    missing--;
  }

  private void complete() {
    if (missing != 0) {
      throw new IllegalStateException("command " + commands + " lacks " + missing + " of its declared arguments");
    }
  }

  /** Writes a non-negative number and CRLF; room for them is ensured by the caller. */
  private void number(int n) {
    if (n < 10) {
      bytes[length++] = (byte) ('0' + n);
    } else {
      int digits = 0;
      for (int v = n; v > 0; v /= 10) {
        digits++;
      }
      for (int i = length + digits - 1, v = n; i >= length; i--, v /= 10) {
        bytes[i] = (byte) ('0' + v % 10);
      }
      length += digits;
    }
    crlf();
  }

  private void crlf() {
    bytes[length++] = '\r';
    bytes[length++] = '\n';
  }

  private void ensure(int more) {
    if (length + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
    }
  }
}
