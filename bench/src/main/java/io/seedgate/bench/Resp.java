package io.seedgate.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A bare RESP2 connection over a blocking socket, for the Redis cost measurements: commands encoded once into bytes
 * and written as they are, replies read and either parsed (control commands) or skipped (load). No Vert.x, so that
 * what the measured Redis spends is not shaped by a client's own batching.
 */
final class Resp implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  Resp(int port) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(60_000);
    in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    out = socket.getOutputStream();
  }

  /** One command on a fresh connection; its reply. */
  static Object call(int port, String... command) throws IOException {
    try (Resp r = new Resp(port)) {
      return r.call(command);
    }
  }

  /** Sends one command and reads its reply: Long, String (simple or bulk), List, null; an error reply throws. */
  Object call(String... command) throws IOException {
    out.write(encode(command));
    out.flush();
    return read();
  }

  /** Writes already encoded commands in one write. */
  void write(byte[] commands) throws IOException {
    out.write(commands);
    out.flush();
  }

  /** Reads and drops {@code n} replies; an error reply throws. */
  void skip(int n) throws IOException {
    for (int i = 0; i < n; i++) {
      skipOne();
    }
  }

  InputStream input() {
    return in;
  }

  /** The RESP encoding of one command. */
  static byte[] encode(String... args) {
    byte[][] bytes = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return encode(bytes);
  }

  static byte[] encode(byte[]... args) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    ascii(b, "*" + args.length + "\r\n");
    for (byte[] a : args) {
      ascii(b, "$" + a.length + "\r\n");
      b.writeBytes(a);
      ascii(b, "\r\n");
    }
    return b.toByteArray();
  }

  /** What a subscriber receives for one message: {@code *3 message <channel> <payload>}. */
  static int messageFrameBytes(String kind, String channel, int payloadBytes) {
    return encode(kind.getBytes(StandardCharsets.US_ASCII), channel.getBytes(StandardCharsets.UTF_8),
      new byte[payloadBytes]).length;
  }

  private static void ascii(ByteArrayOutputStream b, String s) {
    b.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
  }

  private Object read() throws IOException {
    int type = in.read();
    String line = line();
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new IOException(line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int len = Integer.parseInt(line);
        if (len < 0) {
          return null;
        }
        byte[] data = in.readNBytes(len);
        in.readNBytes(2);
        return new String(data, StandardCharsets.UTF_8);
      }
      case '*': {
        int len = Integer.parseInt(line);
        if (len < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(len);
        for (int i = 0; i < len; i++) {
          items.add(read());
        }
        return items;
      }
      default:
        throw new IOException("not RESP2: type byte " + type);
    }
  }

  private void skipOne() throws IOException {
    int type = in.read();
    switch (type) {
      case '+', ':' -> skipLine();
      case '-' -> throw new IOException(line());
      case '$' -> {
        int len = Integer.parseInt(line());
        if (len >= 0) {
          in.skipNBytes(len + 2L);
        }
      }
      case '*' -> {
        int len = Integer.parseInt(line());
        for (int i = 0; i < len; i++) {
          skipOne();
        }
      }
      default -> throw new IOException("not RESP2: type byte " + type);
    }
  }

  private void skipLine() throws IOException {
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new IOException("connection closed");
      }
    }
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      sb.append((char) c);
    }
    in.read();
    return sb.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
