package io.seedgate.persistence;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * What the periodic flush of one node has done: an immutable snapshot.
 *
 * @param node                the lock owner name of the node ({@code <nodeId>-<random>})
 * @param lastFlushAt         when the last successful flush cycle ended; {@code null} before the first
 * @param lastRowsWritten     rows written by the last cycle that ran (held the lock), successful or not
 * @param lastDurationMs      duration of that cycle
 * @param backlog             players found changed by that cycle but not written (they are retried next cycle)
 * @param failures            failed cycles since start
 * @param consecutiveFailures failed cycles since the last successful one (while above 0, PostgreSQL and Redis are
 *                            probed every second, and a flush runs as soon as they answer again)
 * @param cycles              cycles that ran
 * @param skipped             cycles skipped because another node held the flush lock
 * @param rowsWritten         rows written since start, by flushes and save requests
 * @param lastError           the error of the last failed cycle, or {@code null} once a cycle succeeded
 */
public record FlushStats(String node, Instant lastFlushAt, long lastRowsWritten, long lastDurationMs, long backlog,
                         long failures, long consecutiveFailures, long cycles, long skipped, long rowsWritten,
                         String lastError) {

  static FlushStats initial(String node) {
    return new FlushStats(node, null, 0, 0, 0, 0, 0, 0, 0, 0, null);
  }

  FlushStats skippedCycle() {
    return new FlushStats(node, lastFlushAt, lastRowsWritten, lastDurationMs, backlog, failures,
      consecutiveFailures, cycles, skipped + 1, rowsWritten, lastError);
  }

  FlushStats cycle(Instant end, long written, long durationMs, long backlogLeft, Throwable failure) {
    boolean ok = failure == null;
    return new FlushStats(node, ok ? end : lastFlushAt, written, durationMs, backlogLeft,
      ok ? failures : failures + 1, ok ? 0 : consecutiveFailures + 1, cycles + 1, skipped, rowsWritten + written,
      ok ? null : String.valueOf(failure.getMessage()));
  }

  FlushStats saved(long rows) {
    return new FlushStats(node, lastFlushAt, lastRowsWritten, lastDurationMs, backlog, failures,
      consecutiveFailures, cycles, skipped, rowsWritten + rows, lastError);
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("node", node)
      .put("lastFlushAt", lastFlushAt == null ? null : lastFlushAt.toString())
      .put("lastRowsWritten", lastRowsWritten)
      .put("lastDurationMs", lastDurationMs)
      .put("backlog", backlog)
      .put("failures", failures)
      .put("consecutiveFailures", consecutiveFailures)
      .put("cycles", cycles)
      .put("skipped", skipped)
      .put("rowsWritten", rowsWritten)
      .put("lastError", lastError);
  }
}
