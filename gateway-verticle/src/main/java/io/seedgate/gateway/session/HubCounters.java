package io.seedgate.gateway.session;

import io.seedgate.common.ErrorCode;
import io.seedgate.gateway.resume.ResumeReason;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * The figures of one gateway instance, for metrics: open connections by transport, client messages in and out,
 * actions Redis did not take, clients cut off as too slow, failed authentications by reason, resumes by outcome,
 * detached sessions and the bytes their replay buffers hold.
 *
 * <p>One writer, the instance's event loop, so an increment is a plain read and an opaque write: no lock, no
 * fence on the per-message path. Readers on other threads (a metrics scrape) see whole values that may lag by a
 * message or two.
 */
public final class HubCounters {

  /** Transport names as {@link ClientChannel#transport()} gives them; anything else is counted as the last. */
  public static final List<String> TRANSPORTS = List.of("websocket", "tcp", "udp", "other");

  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
  private static final int MESSAGES_IN = TRANSPORTS.size();
  private static final int MESSAGES_OUT = MESSAGES_IN + 1;
  private static final int ACTIONS_FAILED = MESSAGES_OUT + 1;
  private static final int SLOW_CLIENTS = ACTIONS_FAILED + 1;
  private static final int AUTH_FAILURES = SLOW_CLIENTS + 1;

  private static final int RESUMES_ATTEMPTED = AUTH_FAILURES + ErrorCode.values().length;
  private static final int RESUMES_SUCCEEDED = RESUMES_ATTEMPTED + 1;
  private static final int DETACHED = RESUMES_SUCCEEDED + 1;
  private static final int BUFFERED_BYTES = DETACHED + 1;
  private static final int RESUMES_FAILED = BUFFERED_BYTES + 1;

  private final long[] slots = new long[RESUMES_FAILED + ResumeReason.values().length];

  static int transportIndex(String transport) {
    int i = TRANSPORTS.indexOf(transport);
    return i < 0 ? TRANSPORTS.size() - 1 : i;
  }

  private void add(int slot, long delta) {
    SLOT.setOpaque(slots, slot, (long) SLOT.getOpaque(slots, slot) + delta);
  }

  private long get(int slot) {
    return (long) SLOT.getOpaque(slots, slot);
  }

  void opened(int transport) {
    add(transport, 1);
  }

  void closed(int transport) {
    add(transport, -1);
  }

  void messageIn() {
    add(MESSAGES_IN, 1);
  }

  void messageOut() {
    add(MESSAGES_OUT, 1);
  }

  void actionFailed() {
    add(ACTIONS_FAILED, 1);
  }

  void slowClient() {
    add(SLOW_CLIENTS, 1);
  }

  void authFailed(ErrorCode reason) {
    add(AUTH_FAILURES + reason.ordinal(), 1);
  }

  void resumeAttempted() {
    add(RESUMES_ATTEMPTED, 1);
  }

  void resumeSucceeded() {
    add(RESUMES_SUCCEEDED, 1);
  }

  void resumeFailed(ResumeReason reason) {
    add(RESUMES_FAILED + reason.ordinal(), 1);
  }

  void detached(int delta) {
    add(DETACHED, delta);
  }

  void buffered(long delta) {
    if (delta != 0) {
      add(BUFFERED_BYTES, delta);
    }
  }

  /** Resumes asked for ({@code {"resume":"<token>","seq":n}}). */
  public long resumesAttempted() {
    return get(RESUMES_ATTEMPTED);
  }

  /** Resumes done. */
  public long resumesSucceeded() {
    return get(RESUMES_SUCCEEDED);
  }

  /** Resumes refused for the reason. */
  public long resumesFailed(ResumeReason reason) {
    return get(RESUMES_FAILED + reason.ordinal());
  }

  /** Resumable sessions whose connection is gone, waiting for their client within the window, now. */
  public long detached() {
    return get(DETACHED);
  }

  /** Payload bytes the replay buffers of resumable sessions hold now (a payload shared by many counts in each). */
  public long bufferedBytes() {
    return get(BUFFERED_BYTES);
  }

  /** Open connections (sessions, authenticated or not) of the transport ({@link #TRANSPORTS}). */
  public long connections(String transport) {
    return get(transportIndex(transport));
  }

  /** Client messages received (every complete message, valid or not). */
  public long messagesIn() {
    return get(MESSAGES_IN);
  }

  /** Messages sent to clients: deliveries and errors. */
  public long messagesOut() {
    return get(MESSAGES_OUT);
  }

  /** Actions not handed to Redis (the client got {@code action not delivered, try again}). */
  public long actionsFailed() {
    return get(ACTIONS_FAILED);
  }

  /** Clients disconnected as too slow to receive (more than {@code gateway.maxQueuedBytes} unwritten). */
  public long slowClients() {
    return get(SLOW_CLIENTS);
  }

  /** Connections refused at authentication for the reason (invalid token, expired, timeout, unavailable). */
  public long authFailures(ErrorCode reason) {
    return get(AUTH_FAILURES + reason.ordinal());
  }
}
