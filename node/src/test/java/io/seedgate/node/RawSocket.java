package io.seedgate.node;

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
 * A plain socket for abuse tests, that writes exactly the bytes it is given: a dribbled TCP frame, an unfinished
 * HTTP request, a WebSocket frame no client library would send (text with invalid UTF-8). Reads are blocking, from
 * the test thread, with timeouts.
 */
final class RawSocket implements AutoCloseable {

  /** A frame from the server: its opcode and payload (a close frame's payload starts with the status code). */
  record Frame(int opcode, byte[] payload) {

    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    int closeCode() {
      return payload.length >= 2 ? (payload[0] & 0xff) << 8 | payload[1] & 0xff : -1;
    }
  }

  static final int TEXT = 1;
  static final int BINARY = 2;
  static final int CLOSE = 8;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawSocket(Socket socket) throws IOException {
    this.socket = socket;
    socket.setTcpNoDelay(true);
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  static RawSocket connect(int port) {
    try {
      return new RawSocket(new Socket("127.0.0.1", port));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A WebSocket after a completed handshake on any path, with extra header lines (each ending in CRLF). */
  static RawSocket webSocket(int port, String extraHeaders) {
    RawSocket s = connect(port);
    s.write(handshake(extraHeaders));
    String head = s.readHead(5_000);
    if (!head.startsWith("HTTP/1.1 101")) {
      throw new AssertionError("handshake refused: " + head);
    }
    return s;
  }

  /** The bytes of a WebSocket upgrade request, with extra header lines (each ending in CRLF). */
  static String handshake(String extraHeaders) {
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    return "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n"
      + extraHeaders + "\r\n";
  }

  RawSocket write(String ascii) {
    return write(ascii.getBytes(StandardCharsets.ISO_8859_1));
  }

  RawSocket write(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return this;
    } catch (IOException e) {
      throw new AssertionError("write failed: " + e, e);
    }
  }

  /** Writes, and says whether the connection still took the bytes (false once the server closed it). */
  boolean tryWrite(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** One complete client frame (FIN set, masked as clients must). */
  RawSocket frame(int opcode, byte[] payload) {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.write(0x80 | opcode);
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
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    f.write(masked, 0, masked.length);
    return tryWrite(f.toByteArray()) ? this : this;
  }

  /** The next server frame, or {@code null} when the connection ended or nothing came within the time. */
  Frame readFrame(long timeoutMs) {
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
      byte[] payload = in.readNBytes((int) len);
      return new Frame(b0 & 0x0f, payload);
    } catch (SocketTimeoutException e) {
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The next text frame, skipping others, or {@code null}. */
  String nextText(long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      Frame f = readFrame(Math.max(1, deadline - System.currentTimeMillis()));
      if (f == null) {
        return null;
      }
      if (f.opcode() == TEXT) {
        return f.text();
      }
      if (f.opcode() == CLOSE) {
        return null;
      }
    }
    return null;
  }

  /** Reads an HTTP response head (up to the blank line), or what came before the end or the timeout. */
  String readHead(long timeoutMs) {
    StringBuilder b = new StringBuilder();
    try {
      socket.setSoTimeout((int) timeoutMs);
      int c;
      while ((c = in.read()) >= 0) {
        b.append((char) c);
        if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
          break;
        }
      }
    } catch (IOException e) {
      // timeout or reset: return what came
    }
    return b.toString();
  }

  /**
   * Reads and keeps everything until the server ends the connection; {@code null} when it is still open after the
   * time.
   */
  byte[] readUntilClosed(long timeoutMs) {
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

  InetSocketAddress local() {
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
