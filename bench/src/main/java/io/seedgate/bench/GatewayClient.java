package io.seedgate.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

import java.util.concurrent.TimeUnit;

/**
 * One game client of the gateway, whatever the transport: connects, logs in with a 2021 token, then sends a
 * pre-built action and times its answer. Subclasses add the transport ({@link WebSocketGatewayClient}; TCP and
 * UDP frame the same JSON with {@code ||}). Runs on its worker's event loop.
 *
 * <p>A client that asked for a resumable session ({@code "resume":true}) expects the gateway's
 * {@code {"session":..}} before the login's answer, and every delivery after it as {@code {"seq":<n>,"msg":..}}: it
 * reads the payload where it lies in the frame, checks that the numbers follow each other and counts the numbers it
 * never got with {@link Worker#skipped} (a number twice or going back is an error).
 */
abstract class GatewayClient extends RoundTripper {

  enum State { NEW, LOGGING_IN, ACTIVE, CLOSING, CLOSED }

  protected State state = State.NEW;
  private final Buffer action;
  private final byte[] replyPrefix;
  private byte[] loginReply;
  private Promise<Void> loggedIn;
  private boolean resume;
  private boolean sessionStarted;
  private long lastSeq;

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
    return login(first, loginReply, timeoutMs, false);
  }

  /**
   * Like {@link #login(Buffer, byte[], long)}; {@code resume}: {@code first} asked for a resumable session, so the
   * login also fails when the answer comes without a {@code {"session":..}} before it.
   */
  final Future<Void> login(Buffer first, byte[] loginReply, long timeoutMs, boolean resume) {
    this.resume = resume;
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
    int at = 0;
    if (resume) {
      int payload = Messages.sequencedPayload(b);
      if (payload > 0) {
        sequenced(Messages.fanoutSeq(b));
        at = payload;
      } else if (Messages.startsWith(b, Messages.SESSION)) {
        sessionStarted = true;
        return;
      }
    }
    if (state == State.ACTIVE) {
      if (Messages.startsWith(b, at, replyPrefix)) {
        answered();
      } else if (Messages.startsWith(b, at, Messages.FANOUT)) {
        worker.delivered(Messages.fanoutSeq(b, at), Messages.fanoutTime(b, at), System.nanoTime());
      } else if (Messages.startsWith(b, at, Messages.ERROR)) {
        worker.error();
      } else {
        worker.other();
      }
    } else if (state == State.LOGGING_IN) {
      if (Messages.startsWith(b, at, loginReply)) {
        if (resume && !sessionStarted) {
          loggedIn.tryFail("login answered without {\"session\":..}: not a resumable session");
          return;
        }
        state = State.ACTIVE;
        loggedIn.tryComplete();
      } else if (Messages.startsWith(b, at, Messages.ERROR)) {
        loggedIn.tryFail("login refused: " + b);
      }
    }
  }

  /** Delivery number {@code seq} of a resumable session: the next one, or after a gap, or out of order. */
  private void sequenced(long seq) {
    if (seq > lastSeq + 1) {
      worker.skipped(seq - lastSeq - 1);
    } else if (seq <= lastSeq) {
      worker.error();
    }
    lastSeq = Math.max(lastSeq, seq);
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
