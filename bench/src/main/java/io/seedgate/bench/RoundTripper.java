package io.seedgate.bench;

/**
 * Something that sends one pre-built action and is told when its answer arrived: a gateway client or a floor
 * client. Runs on its {@link Worker}'s event loop.
 */
abstract class RoundTripper {

  protected final Worker worker;
  private final LongRing sentAt = new LongRing(4);

  protected RoundTripper(Worker worker) {
    this.worker = worker;
  }

  /** Sends the action; {@code intendedNanos} is when it was due (now in a closed loop). */
  final void fire(long intendedNanos) {
    sentAt.add(intendedNanos);
    write();
  }

  /** Called by the subclass when an answer to this client's action arrived. */
  protected final void answered() {
    long t = sentAt.poll();
    if (t == LongRing.EMPTY) {
      worker.other();
      return;
    }
    worker.answered(this, t, System.nanoTime());
  }

  /** Forgets the actions sent before {@code deadline} (nanoTime) that are still unanswered; returns how many. */
  final int dropOlderThan(long deadline) {
    int n = 0;
    while (sentAt.size() > 0 && sentAt.peek() < deadline) {
      sentAt.poll();
      n++;
    }
    return n;
  }

  final int outstanding() {
    return sentAt.size();
  }

  final void reset() {
    sentAt.clear();
  }

  /** Writes the pre-built action; a failure is counted with {@link Worker#error()}. */
  protected abstract void write();
}
