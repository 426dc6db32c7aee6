package io.seedgate.testsupport;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder a test can stop (closing every connection) and start again on the same port: a backing server
 * (Redis, PostgreSQL) going away and coming back, for a node that reaches it through {@link #port()}. It can also
 * {@link #partition()}: keep every connection open but forward nothing, as a network that drops packets does, until
 * {@link #heal()}.
 */
public final class TcpProxy {

  private final Vertx vertx;
  private final String targetHost;
  private final int targetPort;
  private final NetClient client;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private NetServer server;
  private int port;
  /** False once stopped: a connection whose far side connects after the stop is closed at once. */
  private volatile boolean running;
  /** While true nothing is forwarded: every socket (and every new one) is paused, its bytes held. */
  private volatile boolean partitioned;
  /** Each open socket's context, where it is paused and resumed. */
  private final Map<NetSocket, Context> contexts = new ConcurrentHashMap<>();

  public TcpProxy(Vertx vertx, String targetHost, int targetPort) {
    this.vertx = vertx;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.client = vertx.createNetClient();
  }

  public int port() {
    return port;
  }

  /** Listens on {@code port} (0 picks one the first time; later starts reuse it). */
  public Future<Integer> start() {
    running = true;
    server = vertx.createNetServer().connectHandler(in -> {
      in.pause();
      Context inContext = Vertx.currentContext();
      open.add(in);
      in.closeHandler(v -> open.remove(in));
      client.connect(targetPort, targetHost).onComplete(ar -> {
        if (ar.failed()) {
          in.close();
          return;
        }
        NetSocket out = ar.result();
        if (!running) {
          out.close();
          in.close();
          return;
        }
        open.add(out);
        out.closeHandler(v -> {
          open.remove(out);
          contexts.remove(out);
          in.close();
        });
        in.closeHandler(v -> {
          open.remove(in);
          contexts.remove(in);
          out.close();
        });
        contexts.put(in, inContext);
        contexts.put(out, Vertx.currentContext());
        forward(in, out);
        forward(out, in);
        if (!partitioned) {
          in.resume();
        } else {
          out.pause();
        }
      });
    });
    return server.listen(port, "127.0.0.1").map(s -> {
      port = s.actualPort();
      return port;
    });
  }

  /** Copies what {@code from} reads to {@code to}, pausing it while {@code to} is full (and while partitioned). */
  private void forward(NetSocket from, NetSocket to) {
    from.handler(bytes -> {
      to.write(bytes);
      if (to.writeQueueFull()) {
        from.pause();
        to.drainHandler(v -> {
          if (!partitioned) {
            from.resume();
          }
        });
      }
    });
  }

  /** Forwards nothing more, either way, on every connection and on new ones, until {@link #heal()}. */
  public void partition() {
    partitioned = true;
    contexts.forEach((socket, context) -> context.runOnContext(v -> socket.pause()));
  }

  /** Forwards again what was held and what comes. */
  public void heal() {
    partitioned = false;
    contexts.forEach((socket, context) -> context.runOnContext(v -> socket.resume()));
  }

  /** Stops listening and closes every forwarded connection. */
  public Future<Void> stop() {
    running = false;
    List<Future<?>> closing = new ArrayList<>();
    closing.add(server.close());
    for (NetSocket s : open) {
      closing.add(s.close());
    }
    return Future.join(closing).mapEmpty();
  }
}
