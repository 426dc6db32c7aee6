package io.seedgate.persistence.vertx;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The internal call {@link RawSockets} wraps, on a real socket: an upgrade that changes it fails here. */
class VertxAdaptersTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theMessageHandlerGetsNettysBuffers() throws Exception {
    // the server answers only once asked, so the answer cannot arrive before the raw handler is set
    NetServer server = vertx.createNetServer().connectHandler(s -> s.handler(ping -> s.write(Buffer.buffer("+PONG\r\n"))));
    server.listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
    NetSocket socket = vertx.createNetClient().connect(server.actualPort(), "127.0.0.1").await(5, TimeUnit.SECONDS);
    CompletableFuture<String> read = new CompletableFuture<>();
    RawSockets.messageHandler(socket, message -> {
      if (message instanceof ByteBuf buf) {
        read.complete(buf.toString(StandardCharsets.UTF_8));
        buf.release();
      } else {
        read.completeExceptionally(new AssertionError("not a ByteBuf: " + message.getClass()));
      }
    });
    socket.write(Buffer.buffer("PING\r\n"));
    assertEquals("+PONG\r\n", read.get(5, TimeUnit.SECONDS));
    socket.close();
    server.close();
  }
}
