package io.seedgate.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports free now, for a server about to be started (an embedded Redis or PostgreSQL, a node a benchmark spawns, a
 * test's node). Taken below Linux's ephemeral range (32768 and up by default): a port from {@code new
 * ServerSocket(0)} is an ephemeral one, which any outgoing connection (a Redis client, a test client) may take as its
 * source port before the server binds it, and the bind then fails with "Address already in use". Ports are handed
 * out in turn from a random start, so that a port just closed is not handed out again at once, and two processes
 * rarely try the same one.
 */
public final class FreePorts {

  private static final int FIRST = 20_000;
  private static final int COUNT = 12_000;
  private static final int ATTEMPTS = 1_000;
  private static final AtomicInteger NEXT = new AtomicInteger(new Random().nextInt(COUNT));

  private FreePorts() {
  }

  /** A TCP port no socket is bound to now. */
  public static int tcp() {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port = next();
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(port));
        return port;
      } catch (IOException taken) {
        // in use: the next one
      }
    }
    throw new UncheckedIOException(new IOException("no free TCP port from " + FIRST + " to " + (FIRST + COUNT - 1)));
  }

  /** A UDP port no socket is bound to now (a port free for TCP may be taken for UDP). */
  public static int udp() {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port = next();
      try (DatagramSocket s = new DatagramSocket(port)) {
        return s.getLocalPort();
      } catch (IOException taken) {
        // in use: the next one
      }
    }
    throw new UncheckedIOException(new IOException("no free UDP port from " + FIRST + " to " + (FIRST + COUNT - 1)));
  }

  private static int next() {
    return FIRST + Math.floorMod(NEXT.getAndIncrement(), COUNT);
  }
}
