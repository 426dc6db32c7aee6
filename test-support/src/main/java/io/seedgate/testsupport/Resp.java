package io.seedgate.testsupport;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * RESP2 over a plain socket, one new connection per call: what the test helpers that start, lease or watch a Redis
 * use to talk to it without Vert.x (before a test's Vert.x starts, after it closed, in a shutdown hook).
 */
final class Resp {

  /** An error reply ({@code -ERR ...}, {@code -MOVED ...}): the server answered, with an error. */
  static final class ErrorReply extends IOException {
    private final String reply;

    ErrorReply(String reply) {
      super("Redis: " + reply);
      this.reply = reply;
    }

    /** The error line as the server sent it, without the {@code -}: {@code MOVED 866 127.0.0.1:7001}. */
    String reply() {
      return reply;
    }
  }

  private Resp() {
  }

  /** Runs one command on {@code host:port} (2 s to connect, 10 s to answer); its reply. */
  static Object call(String host, int port, String... command) throws IOException {
    return call(host, port, 2_000, 10_000, List.of(List.of(command)));
  }

  /**
   * Sends {@code commands} pipelined over a new connection and reads their replies; the last one. An error reply
   * throws an {@link ErrorReply} (the first one, even when it is not the last command's).
   */
  static Object call(String host, int port, int connectTimeoutMs, int readTimeoutMs, List<List<String>> commands)
    throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), connectTimeoutMs);
      socket.setSoTimeout(readTimeoutMs);
      OutputStream out = socket.getOutputStream();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      StringBuilder resp = new StringBuilder();
      for (List<String> c : commands) {
        resp.append('*').append(c.size()).append("\r\n");
        for (String part : c) {
          resp.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
        }
      }
      out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      Object reply = null;
      for (int i = 0; i < commands.size(); i++) {
        reply = read(in);
      }
      return reply;
    }
  }

  /** One RESP2 reply: a String, a Long, null, or a List; an error reply throws. */
  static Object read(InputStream in) throws IOException {
    int type = in.read();
    String line = line(in);
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new ErrorReply(line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        byte[] bytes = in.readNBytes(n + 2);
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
      }
      case '*': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          items.add(read(in));
        }
        return items;
      }
      default:
        throw new IOException("unexpected RESP reply type " + type);
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new IOException("connection closed by Redis");
      }
      sb.append((char) c);
    }
    in.read();
    return sb.toString();
  }
}
