package io.seedgate.node;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A blocking 2021 UDP client for tests, on its own local port (so its own address to the gateway): sends JSON
 * followed by {@code ||}, receives bare JSON datagrams.
 */
final class UdpTestClient implements AutoCloseable, ReceivingClient {

  static final String SUFFIX = "||";

  private final DatagramSocket socket;
  private final InetSocketAddress server;

  private UdpTestClient(int port) {
    try {
      socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      socket.setReceiveBufferSize(1 << 20);
      server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static UdpTestClient open(int port) {
    return new UdpTestClient(port);
  }

  /** Sends one message followed by {@code ||}, as the 2021 client did. */
  UdpTestClient send(JsonObject json) {
    return sendText(json.encode() + SUFFIX);
  }

  UdpTestClient sendText(String text) {
    return sendRaw(text.getBytes(StandardCharsets.UTF_8));
  }

  UdpTestClient sendRaw(byte[] bytes) {
    try {
      socket.send(new DatagramPacket(bytes, bytes.length, server));
      return this;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The next datagram's bytes, or {@code null} after the timeout. */
  byte[] nextBytes(long timeoutMs) {
    byte[] buf = new byte[65536];
    DatagramPacket packet = new DatagramPacket(buf, buf.length);
    try {
      socket.setSoTimeout((int) Math.max(1, timeoutMs));
      socket.receive(packet);
      return Arrays.copyOf(buf, packet.getLength());
    } catch (SocketTimeoutException e) {
      return null;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public String nextText(long timeoutMs) {
    byte[] bytes = nextBytes(timeoutMs);
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  /** How many datagrams arrive within the time. */
  int countFor(long ms) {
    int n = 0;
    long deadline = System.currentTimeMillis() + ms;
    while (System.currentTimeMillis() < deadline) {
      if (nextBytes(deadline - System.currentTimeMillis()) != null) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() {
    socket.close();
  }
}
