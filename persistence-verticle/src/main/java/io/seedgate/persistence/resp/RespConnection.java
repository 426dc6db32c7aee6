package io.seedgate.persistence.resp;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.seedgate.common.redis.RedisEndpoint;
import io.seedgate.persistence.vertx.RawSockets;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

import java.util.ArrayDeque;

/**
 * A pipelined RESP2 connection to Redis for bulk reads: a batch of commands is written at once and its replies are
 * parsed in place ({@link RespReplies}), without an object per value. It exists for the flush, which reads every
 * online player's hash and position each cycle: through the Vert.x client, decoding the replies (a buffer copied per
 * value) and encoding the requests took about half of the flush's event-loop time (measured with
 * {@code FlushBenchmark}; see the persistence section of BENCHMARKS.md). Only the flush's connection
 * ({@code io.seedgate.persistence.FlushConnection}) opens one, and nothing outside {@code io.seedgate.persistence}
 * uses this package ({@code ArchitectureTest}): it has no Pub/Sub, no RESP3 and no reconnect, and the rest of the
 * node talks to Redis through the Vert.x client, to the same {@link RedisEndpoint}.
 *
 * <p>Replies come back in the order of the batches. A batch not answered within the timeout, bytes that are not
 * RESP2, or a lost socket fail every waiting batch and close the connection (its client too): open a new one. An
 * error reply to one command is not a failure: it is in the replies ({@link RespReplies#isError}).
 *
 * <p>Writes are not paced here: the callers bound what is in flight (the flush reads at most a few pages ahead of
 * what it has compared; a save is one small batch per leaving player), and every batch times out.
 *
 * <p>Used from the event loop that opened it.
 */
public final class RespConnection {

  private record Pending(int expected, Promise<RespReplies> promise, long timer) {
  }

  private final Vertx vertx;
  private final NetClient client;
  private final String name;
  private final long timeoutMs;
  private final RespParser parser = new RespParser();
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private NetSocket socket;
  private boolean closed;
  private Future<Void> clientClosed;

  private RespConnection(Vertx vertx, NetClient client, String name, long timeoutMs) {
    this.vertx = vertx;
    this.client = client;
    this.name = name;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Connects, authenticates and selects the endpoint's database.
   *
   * @param endpoint  where, as whom, which database, whether with TLS: the same as the Vert.x client's
   * @param name      for error messages
   * @param timeoutMs how long a batch may wait for its replies
   * @return the connection; fails when Redis cannot be reached or refuses the credentials
   */
  public static Future<RespConnection> connect(Vertx vertx, RedisEndpoint endpoint, String name, long timeoutMs) {
    NetClient client = vertx.createNetClient(endpoint.configure(new NetClientOptions()
      .setTcpNoDelay(true)
      .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs))));
    RespConnection connection = new RespConnection(vertx, client, name, timeoutMs);
    return client.connect(endpoint.port(), endpoint.host())
      .compose(socket -> {
        connection.attach(socket);
        RespRequests hello = new RespRequests(256);
        if (endpoint.password() != null) {
          hello.command(endpoint.user() == null ? 2 : 3).arg("AUTH");
          if (endpoint.user() != null) {
            hello.arg(endpoint.user());
          }
          hello.arg(endpoint.password());
        }
        if (endpoint.db() != 0) {
          hello.command(2).arg("SELECT").arg(endpoint.db());
        }
        return hello.count() == 0 ? Future.succeededFuture() : connection.send(hello).compose(replies -> {
          for (int i = 0; i < replies.count(); i++) {
            if (replies.isError(replies.reply(i))) {
              return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE,
                "redis connection '" + name + "' refused: " + replies.string(replies.reply(i))));
            }
          }
          return Future.succeededFuture();
        });
      })
      .map(connection)
      .onFailure(e -> connection.close());
  }

  private void attach(NetSocket s) {
    socket = s;
    // Netty's buffers as they are read, rather than a heap copy of each (a copy of every reply of every player read)
    RawSockets.messageHandler(s, this::onMessage);
    s.exceptionHandler(e -> failAll("connection error: " + e.getMessage()));
    s.closeHandler(v -> failAll("connection closed"));
  }

  /** Whether batches can still be sent. */
  public boolean isOpen() {
    return !closed && socket != null;
  }

  /**
   * Writes the commands at once.
   *
   * @return their replies, in order; fails when the connection is or becomes unusable
   */
  public Future<RespReplies> send(RespRequests requests) {
    if (!isOpen()) {
      return Future.failedFuture(down("not connected"));
    }
    Promise<RespReplies> promise = Promise.promise();
    long timer = vertx.setTimer(timeoutMs, t -> failAll("no reply within " + timeoutMs + " ms"));
    pending.add(new Pending(requests.count(), promise, timer));
    socket.write(requests.buffer());
    return promise.future();
  }

  /** Fails what still waits and closes the socket and its client; completes when the client is closed. */
  public Future<Void> close() {
    failAll("closed");
    return clientClosed;
  }

  private void onMessage(Object message) {
    if (message instanceof ByteBuf data) {
      try {
        parser.append(data);
      } finally {
        data.release();
      }
      parseReplies();
    } else {
      ReferenceCountUtil.release(message);
    }
  }

  private void parseReplies() {
    try {
      Pending head;
      while ((head = pending.peek()) != null && parser.parse(head.expected())) {
        pending.poll();
        vertx.cancelTimer(head.timer());
        head.promise().complete(parser.take());
      }
      if (head == null && parser.parse(1)) {
        throw new RespProtocolException("a reply nobody asked for");
      }
    } catch (RespProtocolException e) {
      failAll("protocol error: " + e.getMessage());
    }
  }

  /**
   * Fails every waiting batch and closes the socket and the client: replies can no longer be matched to requests,
   * and a new connection comes with a client of its own.
   */
  private void failAll(String why) {
    if (!closed) {
      closed = true;
      if (socket != null) {
        socket.close();
      }
      clientClosed = client.close();
    }
    Pending p;
    while ((p = pending.poll()) != null) {
      vertx.cancelTimer(p.timer());
      p.promise().tryFail(down(why));
    }
  }

  private GatewayException down(String why) {
    return new GatewayException(ErrorCode.UNAVAILABLE, "redis connection '" + name + "': " + why);
  }
}
