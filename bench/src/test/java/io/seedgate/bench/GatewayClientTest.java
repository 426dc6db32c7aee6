package io.seedgate.bench;

import io.seedgate.gateway.resume.ResumeMessages;
import io.seedgate.gateway.resume.ResumeToken;
import io.seedgate.gateway.session.OutboundMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a client makes of the gateway's messages, plain and resumable, without a gateway. */
class GatewayClientTest {

  private static final byte[] SAVED = Messages.replyPrefix("api/save");
  private static final Buffer SAVE_REPLY = Buffer.buffer("{\"action\":\"save\",\"ok\":true}");
  private static final Buffer SESSION = Buffer.buffer(ResumeMessages.session(ResumeToken.generate("n-1"), 0, 30));

  private final Vertx vertx = Vertx.vertx();
  private final Worker worker = new Worker(vertx, 0);

  /** A client without a transport: the test hands it the gateway's messages. */
  private static final class Client extends GatewayClient {

    final List<Buffer> sent = new ArrayList<>();

    Client(Worker worker) {
      super(worker, Messages.action("api/save"), SAVED);
    }

    @Override
    Future<Void> connect() {
      return Future.succeededFuture();
    }

    @Override
    protected void send(Buffer message) {
      sent.add(message);
    }

    @Override
    Future<Void> close() {
      return Future.succeededFuture();
    }

    void receive(Buffer... messages) {
      for (Buffer m : messages) {
        onMessage(m);
      }
    }
  }

  @AfterEach
  void close() {
    BenchMain.await(vertx.close(), 10_000);
  }

  private static Buffer numbered(long seq, Buffer payload) {
    return OutboundMessage.of(payload).sequenced(seq).bytes();
  }

  private static Buffer broadcast(long n) {
    return Messages.fanout(n, System.nanoTime(), 120);
  }

  /** Runs {@code work} on the worker's event loop and waits for it. */
  private <T> T on(java.util.function.Supplier<T> work) {
    return BenchMain.await(worker.call(() -> Future.succeededFuture(work.get())), 10_000);
  }

  @Test
  void aResumableClientCountsTheNumbersItNeverGot() {
    Client c = new Client(worker);
    Future<Void> login = on(() -> {
      Future<Void> f = c.login(Messages.login("T", "api/save", true), SAVED, 5_000, true);
      c.receive(SESSION, numbered(1, SAVE_REPLY));
      return f;
    });
    assertTrue(login.succeeded(), String.valueOf(login.cause()));
    assertTrue(c.active());
    assertEquals(Messages.login("T", "api/save", true), c.sent.get(0));
    Worker.Snapshot s = on(() -> {
      worker.begin(0, Long.MIN_VALUE, Long.MAX_VALUE, -1, 60_000);
      // 2 and 3 in order, 4 and 5 never came, 6, then 6 again (an error), 7
      c.receive(numbered(2, broadcast(0)), numbered(3, broadcast(1)), numbered(6, broadcast(2)),
        numbered(6, broadcast(2)), numbered(7, broadcast(3)), Buffer.buffer("{\"error\":\"action not delivered\"}"));
      return BenchMain.await(worker.snapshot(), 1_000);
    });
    assertEquals(5, s.completed());
    assertEquals(2, s.skipped());
    assertEquals(2, s.errors());
    // the answer to an action, numbered like any delivery
    c.fire(System.nanoTime());
    on(() -> {
      c.receive(numbered(8, SAVE_REPLY));
      return null;
    });
    assertEquals(0, c.outstanding());
  }

  @Test
  void aLoginAskedResumableFailsWithoutTheSessionMessage() {
    Client c = new Client(worker);
    Future<Void> login = on(() -> {
      Future<Void> f = c.login(Messages.login("T", "api/save", true), SAVED, 5_000, true);
      c.receive(SAVE_REPLY);
      return f;
    });
    assertTrue(login.failed());
    assertFalse(c.active());
  }

  @Test
  void aPlainClientReadsBroadcastsAsTheyCome() {
    Client c = new Client(worker);
    Future<Void> login = on(() -> {
      Future<Void> f = c.login(Messages.login("T", "api/save"), SAVED, 5_000);
      c.receive(SAVE_REPLY);
      return f;
    });
    assertTrue(login.succeeded());
    Worker.Snapshot s = on(() -> {
      worker.begin(0, Long.MIN_VALUE, Long.MAX_VALUE, -1, 60_000);
      c.receive(broadcast(0), broadcast(1));
      return BenchMain.await(worker.snapshot(), 1_000);
    });
    assertEquals(2, s.completed());
    assertEquals(0, s.skipped());
    assertEquals(0, s.errors());
  }
}
