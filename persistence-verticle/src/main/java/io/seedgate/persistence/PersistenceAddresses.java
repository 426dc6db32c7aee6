package io.seedgate.persistence;

/**
 * Event-bus addresses only the persistence role serves. They belong in {@link io.seedgate.common.Addresses} and
 * should move there; they are kept here until the common module is changed.
 */
public final class PersistenceAddresses {

  /**
   * Request, to persistence: the flush statistics of the node that answers (any body, usually {@code {}}).
   * Reply: {@link FlushStats#toJson()}, e.g.
   * <pre>{"node":"node-a-1f2e", "lastFlushAt":"2024-05-01T10:00:00Z", "lastRowsWritten":120, "lastDurationMs":35,
   * "backlog":0, "failures":0, "consecutiveFailures":0, "cycles":42, "skipped":3, "rowsWritten":5120,
   * "lastError":null}</pre>
   * With several persistence nodes the request reaches one of them; {@code node} says which.
   */
  public static final String STATS = "seed.persistence.stats";

  private PersistenceAddresses() {
  }
}
