package io.seedgate.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.seedgate.gateway.vertx.InstanceContext;
import io.seedgate.gateway.vertx.NettyTransport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One event loop of the load generator and the clients it drives. Everything here runs on that loop: no locks,
 * no thread per connection. The main thread talks to it only through {@link #call}.
 *
 * <p>A phase: {@link #begin} starts sending (closed loop: each client sends its next action when the previous
 * one was answered; open loop: a 1 ms ticker sends what is due at the worker's share of the rate, each action
 * timed from when it was due, so a stall shows up as latency instead of as fewer sends). Only actions sent
 * inside {@code [windowStart, windowEnd)} are recorded; the time before is the warm-up.
 */
final class Worker {

  private final Vertx vertx;
  private final Context context;
  private final int index;
  final List<RoundTripper> endpoints = new ArrayList<>();

  private Histogram histogram = LatencySummary.newHistogram();
  private long windowStart = Long.MAX_VALUE;
  private long windowEnd = Long.MIN_VALUE;
  private boolean closedLoop;
  private boolean sending;
  private long ticker = -1;
  private long loopStart;
  private double intervalNanos;
  private long sent;
  private int next;
  private long completed;
  private long errors;
  private long other;
  private long lost;
  private long skipped;
  private long timedOut;
  private long answerTimeoutNanos = Long.MAX_VALUE;
  private long sweeper = -1;
  private long[] firstBySeq = new long[0];
  private long[] lastBySeq = new long[0];

  Worker(Vertx vertx, int index) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.index = index;
  }

  int index() {
    return index;
  }

  Vertx vertx() {
    return vertx;
  }

  /**
   * A client bootstrap for this worker's bare-Netty clients: their channels registered on the Netty event loop under
   * its context, with the channel class of the bench's Vert.x transport (epoll on Linux), TCP_NODELAY, a 30 s
   * connect timeout. The caller adds its handler.
   */
  Bootstrap bootstrap() {
    return new Bootstrap()
      .group(InstanceContext.of(context).eventLoop())
      .channelFactory(NettyTransport.of(vertx).channelFactory())
      .option(ChannelOption.TCP_NODELAY, true)
      .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
  }

  /** Runs {@code work} on this worker's event loop; the future completes with its result. */
  <T> Future<T> call(Supplier<Future<T>> work) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> {
      try {
        work.get().onComplete(promise);
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  /**
   * Starts a phase for the endpoints now attached.
   *
   * @param start when sending starts (System.nanoTime())
   * @param ratePerSecond this worker's share of an open-loop rate, 0 for a closed loop, negative to send nothing
   *     (fan-out: the clients only receive)
   */
  Future<Void> begin(long start, long windowStart, long windowEnd, double ratePerSecond, long answerTimeoutMs) {
    this.histogram = LatencySummary.newHistogram();
    this.windowStart = windowStart;
    this.windowEnd = windowEnd;
    this.completed = 0;
    this.errors = 0;
    this.other = 0;
    this.lost = 0;
    this.skipped = 0;
    this.firstBySeq = new long[0];
    this.lastBySeq = new long[0];
    this.sending = true;
    this.closedLoop = ratePerSecond == 0;
    this.timedOut = 0;
    this.answerTimeoutNanos = answerTimeoutMs * 1_000_000L;
    endpoints.forEach(RoundTripper::reset);
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
    }
    sweeper = vertx.setPeriodic(Math.max(10, answerTimeoutMs / 4), id -> sweep());
    if (ratePerSecond < 0) {
      sending = false;
      return Future.succeededFuture();
    }
    long delay = Math.max(1, (start - System.nanoTime()) / 1_000_000);
    vertx.setTimer(delay, t -> {
      if (closedLoop) {
        long now = System.nanoTime();
        for (RoundTripper e : endpoints) {
          e.fire(now);
        }
      } else if (!endpoints.isEmpty()) {
        loopStart = System.nanoTime();
        intervalNanos = 1e9 / ratePerSecond;
        sent = 0;
        ticker = vertx.setPeriodic(1, id -> tick());
      }
    });
    return Future.succeededFuture();
  }

  private void tick() {
    long now = System.nanoTime();
    if (!sending || now >= windowEnd) {
      stopSending();
      return;
    }
    long due = (long) ((now - loopStart) / intervalNanos) + 1;
    int n = endpoints.size();
    while (sent < due) {
      long intended = loopStart + (long) (sent * intervalNanos);
      RoundTripper e = endpoints.get(next);
      next = next + 1 == n ? 0 : next + 1;
      sent++;
      e.fire(intended);
    }
  }

  /**
   * Drops actions unanswered for longer than the answer timeout (UDP loses datagrams): they count as unanswered,
   * and a closed-loop client sends its next action.
   */
  private void sweep() {
    long now = System.nanoTime();
    long deadline = now - answerTimeoutNanos;
    for (RoundTripper e : endpoints) {
      int dropped = e.dropOlderThan(deadline);
      if (dropped > 0) {
        timedOut += dropped;
        if (closedLoop && sending && now < windowEnd && e.outstanding() == 0) {
          e.fire(now);
        }
      }
    }
  }

  private void stopSending() {
    sending = false;
    if (ticker >= 0) {
      vertx.cancelTimer(ticker);
      ticker = -1;
    }
  }

  /** An answer to an action sent at {@code sentAt}; in a closed loop the endpoint sends its next one. */
  void answered(RoundTripper endpoint, long sentAt, long now) {
    if (sentAt >= windowStart && sentAt < windowEnd) {
      LatencySummary.recordNanos(histogram, now - sentAt);
      completed++;
    }
    if (closedLoop && sending) {
      if (now < windowEnd) {
        endpoint.fire(now);
      } else {
        sending = false;
      }
    }
  }

  /**
   * A fan-out delivery of broadcast {@code seq}, published at {@code sentAt} (nanoTime, same JVM). Besides every
   * delivery, the first and the last delivery of each broadcast on this worker are kept, to tell the pipeline's
   * latency from the time it takes to write to (and read from) every socket.
   */
  void delivered(long seq, long sentAt, long now) {
    if (sentAt >= windowStart && sentAt < windowEnd) {
      long latency = now - sentAt;
      LatencySummary.recordNanos(histogram, latency);
      completed++;
      if (seq >= 0 && seq < 1_000_000) {
        int i = (int) seq;
        if (i >= firstBySeq.length) {
          int size = Math.max(i + 1, firstBySeq.length * 2);
          firstBySeq = java.util.Arrays.copyOf(firstBySeq, size);
          lastBySeq = java.util.Arrays.copyOf(lastBySeq, size);
        }
        if (firstBySeq[i] == 0 || latency < firstBySeq[i]) {
          firstBySeq[i] = Math.max(1, latency);
        }
        lastBySeq[i] = Math.max(lastBySeq[i], latency);
      }
    }
  }

  void error() {
    errors++;
  }

  void other() {
    other++;
  }

  void lost() {
    lost++;
  }

  /** Deliveries of a resumable session never received: the numbers its next delivery skipped. */
  void skipped(long n) {
    skipped += n;
  }

  /** Stops sending (the window is over or the run is being cut short). */
  Future<Void> stop() {
    stopSending();
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
      sweeper = -1;
    }
    return Future.succeededFuture();
  }

  /** Actions still waiting for an answer. */
  Future<Integer> outstanding() {
    int n = 0;
    for (RoundTripper e : endpoints) {
      n += e.outstanding();
    }
    return Future.succeededFuture(n);
  }

  /** A copy of this phase's figures so far. */
  Future<Snapshot> snapshot() {
    int waiting = 0;
    for (RoundTripper e : endpoints) {
      waiting += e.outstanding();
    }
    return Future.succeededFuture(new Snapshot(histogram.copy(), completed, errors, other, lost, waiting + timedOut,
      skipped, firstBySeq.clone(), lastBySeq.clone()));
  }

  /**
   * One worker's figures.
   *
   * @param histogram latencies in microseconds
   * @param completed answers to actions sent inside the window
   * @param errors error messages and failed sends
   * @param other messages that were neither answers nor errors (join broadcasts and the like)
   * @param lost connections that closed while the phase ran
   * @param outstanding actions without an answer yet, and those dropped after the answer timeout
   * @param skipped resumable sessions: deliveries whose numbers were skipped (sent by the gateway, never received)
   * @param firstBySeq fan-out: per broadcast, the latency of its first delivery on this worker (0: none), in ns
   * @param lastBySeq fan-out: per broadcast, the latency of its last delivery on this worker, in ns
   */
  record Snapshot(Histogram histogram, long completed, long errors, long other, long lost, long outstanding,
                  long skipped, long[] firstBySeq, long[] lastBySeq) {
  }
}
