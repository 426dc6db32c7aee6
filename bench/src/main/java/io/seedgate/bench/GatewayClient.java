package io.seedgate.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

import java.util.concurrent.TimeUnit;

/**
 * One game client of the gateway, whatever the transport: connects, logs in with a 2021 token, then sends a
 * pre-built action and times its answer. Subclasses add the transport ({@link WebSocketGatewayClient}; TCP and
 * UDP frame the same JSON with {@code ||}). Runs on its worker's event loop.
 */
abstract class GatewayClient extends RoundTripper {

  enum State { NEW, LOGGING_IN, ACTIVE, CLOSING, CLOSED }

  protected State state = State.NEW;
  private final Buffer action;
  private final byte[] replyPrefix;
  private byte[] loginReply;
  private Promise<Void> loggedIn;

  protected GatewayClient(Worker worker, Buffer action, byte[] replyPrefix) {
    super(worker);
    this.action = action;
    this.replyPrefix = replyPrefix;
  }

  /** Opens the connection (the source address is part of the transport client's options). */
  abstract Future<Void> connect();

  /** Writes one client message, framed for the transport. */
  protected abstract void send(Buffer message);

  /** Closes the connection; completes once it is closed. */
  abstract Future<Void> close();

  /**
   * Sends the first message and waits for the answer that starts with {@code loginReply}.
   *
   * @return fails on an {@code {"error":..}} answer, a close, or after {@code timeoutMs}
   */
  final Future<Void> login(Buffer first, byte[] loginReply, long timeoutMs) {
    this.loginReply = loginReply;
    this.loggedIn = Promise.promise();
    state = State.LOGGING_IN;
    send(first);
    return loggedIn.future().timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  protected final void write() {
    send(action);
  }

  /** One message from the gateway. */
  protected final void onMessage(Buffer b) {
    if (state == State.ACTIVE) {
      if (Messages.startsWith(b, replyPrefix)) {
        answered();
      } else if (Messages.startsWith(b, Messages.FANOUT)) {
        worker.delivered(Messages.fanoutSeq(b), Messages.fanoutTime(b), System.nanoTime());
      } else if (Messages.startsWith(b, Messages.ERROR)) {
        worker.error();
      } else {
        worker.other();
      }
    } else if (state == State.LOGGING_IN) {
      if (Messages.startsWith(b, loginReply)) {
        state = State.ACTIVE;
        loggedIn.tryComplete();
      } else if (Messages.startsWith(b, Messages.ERROR)) {
        loggedIn.tryFail("login refused: " + b);
      }
    }
  }

  /** The connection is gone. */
  protected final void onClosed() {
    State was = state;
    state = State.CLOSED;
    if (was == State.LOGGING_IN) {
      loggedIn.tryFail("closed during login");
    } else if (was == State.ACTIVE) {
      worker.lost();
    }
  }

  boolean active() {
    return state == State.ACTIVE;
  }
}
