package io.seedgate.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A plain socket for tests of the client ports: it writes exactly the bytes or WebSocket frames it is given (a
 * dribbled TCP frame, an unfinished HTTP request, fragments, a text frame with invalid UTF-8: what no client library
 * would send) and reads the server's frames, blocking, from the test thread, with timeouts. Shared with the node's
 * tests through this module's test jar.
 */
public final class RawSocket implements AutoCloseable {

  /** A frame from the server: its opcode and payload (a close frame's payload starts with the status code). */
  public record Frame(int opcode, byte[] payload) {

    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    public int closeCode() {
      return payload.length >= 2 ? (payload[0] & 0xff) << 8 | payload[1] & 0xff : -1;
    }

    /** A close frame's reason (UTF-8 after the status code), or "" when it has none. */
    public String closeReason() {
      return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
    }
  }

  public static final int CONTINUATION = 0;
  public static final int TEXT = 1;
  public static final int BINARY = 2;
  public static final int CLOSE = 8;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawSocket(Socket socket) throws IOException {
    this.socket = socket;
    socket.setTcpNoDelay(true);
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  public static RawSocket connect(int port) {
    return connect(port, 0);
  }

  /** A connection whose receive buffer is asked to be that small (0: the system's default). */
  public static RawSocket connect(int port, int receiveBufferBytes) {
    try {
      Socket socket = new Socket();
      if (receiveBufferBytes > 0) {
        socket.setReceiveBufferSize(receiveBufferBytes);
      }
      socket.connect(new InetSocketAddress("127.0.0.1", port));
      return new RawSocket(socket);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A WebSocket after a completed handshake on the path, which must succeed. */
  public static RawSocket open(int port, String path) {
    return open(port, path, 0);
  }

  /** Like {@link #open(int, String)} with a receive buffer asked to be that small. */
  public static RawSocket open(int port, String path, int receiveBufferBytes) {
    return open(port, path, "", receiveBufferBytes);
  }

  /** A WebSocket after a completed handshake on any path, with extra header lines (each ending in CRLF). */
  public static RawSocket webSocket(int port, String extraHeaders) {
    return open(port, "/", extraHeaders, 0);
  }

  private static RawSocket open(int port, String path, String extraHeaders, int receiveBufferBytes) {
    RawSocket s = connect(port, receiveBufferBytes);
    s.write(handshake(path, extraHeaders));
    String head = s.readHead(5_000);
    if (!head.startsWith("HTTP/1.1 101")) {
      throw new AssertionError("handshake refused: " + head);
    }
    return s;
  }

  /** The bytes of a WebSocket upgrade request for the path. */
  public static String handshake(String path) {
    return handshake(path, "");
  }

  /** The bytes of a WebSocket upgrade request for the path, with extra header lines (each ending in CRLF). */
  public static String handshake(String path, String extraHeaders) {
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n"
      + extraHeaders + "\r\n";
  }

  public RawSocket write(String ascii) {
    return write(ascii.getBytes(StandardCharsets.ISO_8859_1));
  }

  public RawSocket write(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return this;
    } catch (IOException e) {
      throw new AssertionError("write failed: " + e, e);
    }
  }

  /** Writes, and says whether the connection still took the bytes (false once the server closed it). */
  public boolean tryWrite(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** One complete client frame (FIN set, masked as clients must). */
  public RawSocket frame(int opcode, byte[] payload) {
    return frame(opcode, payload, true);
  }

  /** One client frame, masked; with {@code fin} false a fragment that continuation frames follow. */
  public RawSocket frame(int opcode, byte[] payload, boolean fin) {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.write((fin ? 0x80 : 0) | opcode);
    if (payload.length < 126) {
      f.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      f.write(0x80 | 126);
      f.write(payload.length >>> 8);
      f.write(payload.length);
    } else {
      f.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) ((long) payload.length >>> (8 * i)));
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    f.write(mask, 0, 4);
    for (int i = 0; i < payload.length; i++) {
      f.write(payload[i] ^ mask[i & 3]);
    }
    try {
      out.write(f.toByteArray());
      out.flush();
    } catch (IOException e) {
      // the server may close before it read everything: what it answered is read next
    }
    return this;
  }

  /** The next server frame, or {@code null} when the connection ended or nothing came within the time. */
  public Frame readFrame(long timeoutMs) {
    try {
      socket.setSoTimeout((int) timeoutMs);
      int b0 = in.read();
      if (b0 < 0) {
        return null;
      }
      int b1 = in.read();
      long len = b1 & 0x7f;
      if (len == 126) {
        len = (in.read() << 8) | in.read();
      } else if (len == 127) {
        len = 0;
        for (int i = 0; i < 8; i++) {
          len = len << 8 | in.read();
        }
      }
      return new Frame(b0 & 0x0f, in.readNBytes((int) len));
    } catch (IOException e) {
      return null;
    }
  }

  /** The next frame that is not a text frame carrying an error, skipping up to the time; {@code null} if none. */
  public Frame nextFrame(int opcode, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      Frame f = readFrame(Math.max(1, deadline - System.currentTimeMillis()));
      if (f == null || f.opcode() == opcode) {
        return f;
      }
    }
    return null;
  }

  /** The next text frame, skipping others, or {@code null} (also when a close frame comes first). */
  public String nextText(long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      Frame f = readFrame(Math.max(1, deadline - System.currentTimeMillis()));
      if (f == null || f.opcode() == CLOSE) {
        return null;
      }
      if (f.opcode() == TEXT) {
        return f.text();
      }
    }
    return null;
  }

  /** Reads an HTTP response head (up to the blank line), or what came before the end or the timeout. */
  public String readHead(long timeoutMs) {
    return readUntil("\r\n\r\n", timeoutMs);
  }

  /**
   * Reads up to and including {@code end}, or what came before the end of the stream or the timeout; one char per
   * byte (ISO-8859-1), so {@code getBytes(ISO_8859_1)} gives the bytes back.
   */
  public String readUntil(String end, long timeoutMs) {
    StringBuilder b = new StringBuilder();
    try {
      socket.setSoTimeout((int) timeoutMs);
      int c;
      while ((c = in.read()) >= 0) {
        b.append((char) c);
        if (b.length() >= end.length() && b.substring(b.length() - end.length()).equals(end)) {
          break;
        }
      }
    } catch (IOException e) {
      // timeout or reset: return what came
    }
    return b.toString();
  }

  /** Everything until the server ends the connection; {@code null} when it is still open after the time. */
  public byte[] readUntilClosed(long timeoutMs) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    long deadline = System.currentTimeMillis() + timeoutMs;
    byte[] chunk = new byte[8192];
    try {
      while (true) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          return null;
        }
        socket.setSoTimeout((int) left);
        int n = in.read(chunk);
        if (n < 0) {
          return all.toByteArray();
        }
        all.write(chunk, 0, n);
      }
    } catch (SocketTimeoutException e) {
      return null;
    } catch (IOException reset) {
      return all.toByteArray();
    }
  }

  /**
   * Whether something listens on the port of 127.0.0.1. A connection that the kernel joined to itself (its source
   * port happened to be the port just freed, a TCP simultaneous open) does not count.
   */
  public static boolean listening(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return s.getLocalPort() != port;
    } catch (IOException refused) {
      return false;
    }
  }

  public InetSocketAddress local() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // gone already
    }
  }
}
