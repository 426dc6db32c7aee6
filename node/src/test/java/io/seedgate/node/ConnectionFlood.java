package io.seedgate.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * A child process for {@link ConnectionFloodTest}: opens many TCP connections to the gateway, spread over the source
 * addresses 127.0.0.2, 127.0.0.3, ..., never sends a byte, and watches them until the server has closed them all.
 * In its own process so that the test JVM does not hold both ends of every connection (the open-file limit).
 *
 * <p>Prints {@code connected <n>} once all are open, then {@code closed <n> errors <m> refused <r>} when all are
 * closed or the time is up ({@code errors}: connections that got the {@code authentication timeout} error first;
 * {@code refused}: ones that got {@code too many connections}), then exits.
 *
 * <p>Arguments: port, connections, source addresses, seconds to wait at most.
 */
public final class ConnectionFlood {

  private ConnectionFlood() {
  }

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    int count = Integer.parseInt(args[1]);
    int sources = Integer.parseInt(args[2]);
    long deadline = System.currentTimeMillis() + Long.parseLong(args[3]) * 1000;
    InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
    Selector selector = Selector.open();
    for (int i = 0; i < count; i++) {
      SocketChannel c = SocketChannel.open();
      c.bind(new InetSocketAddress("127.0.0." + (2 + i % sources), 0));
      c.configureBlocking(false);
      c.connect(server);
      c.register(selector, SelectionKey.OP_CONNECT, new StringBuilder());
    }
    int connected = 0;
    int closed = 0;
    int errors = 0;
    int refused = 0;
    boolean announced = false;
    ByteBuffer buf = ByteBuffer.allocate(4096);
    while (closed < count && System.currentTimeMillis() < deadline) {
      selector.select(200);
      Iterator<SelectionKey> it = selector.selectedKeys().iterator();
      while (it.hasNext()) {
        SelectionKey k = it.next();
        it.remove();
        SocketChannel c = (SocketChannel) k.channel();
        StringBuilder seen = (StringBuilder) k.attachment();
        try {
          if (k.isConnectable()) {
            c.finishConnect();
            connected++;
            k.interestOps(SelectionKey.OP_READ);
            continue;
          }
          buf.clear();
          int n = c.read(buf);
          if (n > 0 && seen.length() < 200) {
            seen.append(new String(buf.array(), 0, n, StandardCharsets.US_ASCII));
          }
          if (n < 0) {
            throw new IOException("end of stream");
          }
        } catch (IOException e) {
          closed++;
          if (seen.indexOf("authentication timeout") >= 0) {
            errors++;
          } else if (seen.indexOf("too many connections") >= 0) {
            refused++;
          }
          k.cancel();
          c.close();
        }
      }
      if (!announced && connected == count) {
        announced = true;
        System.out.println("connected " + connected);
        System.out.flush();
      }
    }
    System.out.println("closed " + closed + " errors " + errors + " refused " + refused + " connected " + connected);
    System.out.flush();
  }
}
