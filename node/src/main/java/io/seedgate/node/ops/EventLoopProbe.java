package io.seedgate.node.ops;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.seedgate.common.vertx.VertxNode;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Event-loop delay: on every event loop of the node, a task scheduled every {@value #INTERVAL_MS} ms measures how
 * late it runs. A loop held up by a long handler runs it late by about as long. {@link #maxDelaySeconds} is the
 * worst lateness seen in the last complete window of {@value #WINDOW_MS} ms.
 */
final class EventLoopProbe {

  static final long INTERVAL_MS = 100;
  static final long WINDOW_MS = 5_000;

  private final List<Loop> loops = new ArrayList<>();
  private volatile boolean stopped;

  EventLoopProbe(Vertx vertx) {
    EventLoopGroup group = VertxNode.eventLoopGroup(vertx);
    if (group != null) {
      for (EventExecutor executor : group) {
        loops.add(new Loop(executor));
      }
    }
  }

  void start() {
    loops.forEach(Loop::schedule);
  }

  void stop() {
    stopped = true;
    loops.forEach(Loop::cancel);
  }

  /** How many event loops are probed. */
  int loops() {
    return loops.size();
  }

  /** The worst lateness of loop {@code i} in the last complete window, in seconds. */
  double maxDelaySeconds(int i) {
    return loops.get(i).windowMaxSeconds;
  }

  private final class Loop {
    private final EventExecutor executor;
    private volatile double windowMaxSeconds;
    private volatile ScheduledFuture<?> next;
    private long due;
    private long currentMaxNanos;
    private long windowEnd;

    Loop(EventExecutor executor) {
      this.executor = executor;
    }

    void schedule() {
      if (stopped || executor.isShuttingDown()) {
        return;
      }
      long now = System.nanoTime();
      if (windowEnd == 0) {
        windowEnd = now + TimeUnit.MILLISECONDS.toNanos(WINDOW_MS);
      }
      due = now + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS);
      try {
        next = executor.schedule(this::tick, INTERVAL_MS, TimeUnit.MILLISECONDS);
      } catch (RuntimeException rejected) {
        // the event loop is shutting down: nothing left to measure
      }
    }

    private void tick() {
      long now = System.nanoTime();
      currentMaxNanos = Math.max(currentMaxNanos, Math.max(0, now - due));
      if (now >= windowEnd) {
        windowMaxSeconds = currentMaxNanos / 1e9;
        currentMaxNanos = 0;
        windowEnd = now + TimeUnit.MILLISECONDS.toNanos(WINDOW_MS);
      }
      schedule();
    }

    void cancel() {
      ScheduledFuture<?> f = next;
      if (f != null) {
        f.cancel(false);
      }
    }
  }
}
