package io.seedgate.node;

import io.vertx.core.json.JsonObject;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A blocking 2021 TCP client for tests: writes JSON followed by {@code ||}; a reader thread cuts what arrives at
 * {@code ||} and queues the messages until taken.
 */
final class TcpTestClient implements AutoCloseable, ReceivingClient {

  static final String DELIMITER = "||";

  private final Socket socket;
  private final OutputStream out;
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private volatile boolean unterminatedTail;

  private TcpTestClient(Socket socket) throws IOException {
    this.socket = socket;
    socket.setTcpNoDelay(true);
    this.out = socket.getOutputStream();
    Thread reader = new Thread(this::read, "tcp-test-client-" + socket.getLocalPort());
    reader.setDaemon(true);
    reader.start();
  }

  static TcpTestClient connect(int port) {
    try {
      return new TcpTestClient(new Socket("127.0.0.1", port));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Connects with TLS, trusting any certificate (the tests' is self-signed). */
  static TcpTestClient connectTls(int port) {
    try {
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, new TrustManager[] {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, null);
      return new TcpTestClient(ssl.getSocketFactory().createSocket("127.0.0.1", port));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Sends one message followed by {@code ||}, in one write. */
  TcpTestClient send(JsonObject json) {
    return sendRaw((json.encode() + DELIMITER).getBytes(StandardCharsets.US_ASCII));
  }

  TcpTestClient sendRaw(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return this;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Sends the bytes one write (one TCP segment, with no-delay) at a time. */
  TcpTestClient sendByteByByte(byte[] bytes) {
    for (byte b : bytes) {
      sendRaw(new byte[] {b});
    }
    return this;
  }

  @Override
  public String nextText(long timeoutMs) {
    try {
      return received.poll(Math.max(1, timeoutMs), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits until the server closed the connection (end of stream or reset). */
  void awaitClose() {
    try {
      closed.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("connection not closed by the server within 10 s", e);
    }
  }

  boolean isClosed() {
    return closed.isDone();
  }

  /** Whether bytes arrived after the last {@code ||} before the connection ended (a frame without delimiter). */
  boolean hadUnterminatedTail() {
    return unterminatedTail;
  }

  private void read() {
    ByteArrayOutputStream pending = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    try {
      InputStream in = socket.getInputStream();
      int n;
      int previous = -1;
      while ((n = in.read(chunk)) >= 0) {
        for (int i = 0; i < n; i++) {
          if (chunk[i] == '|' && previous == '|') {
            byte[] frame = pending.toByteArray();
            received.add(new String(frame, 0, frame.length - 1, StandardCharsets.UTF_8));
            pending.reset();
            previous = -1;
          } else {
            pending.write(chunk[i]);
            previous = chunk[i];
          }
        }
      }
    } catch (IOException e) {
      // reset or closed locally: the connection is over either way
    } finally {
      unterminatedTail = pending.size() > 0;
      closed.complete(null);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }
}
