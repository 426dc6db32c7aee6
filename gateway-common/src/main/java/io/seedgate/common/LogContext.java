package io.seedgate.common;

import org.slf4j.MDC;

import java.util.Arrays;

/**
 * The player, session, node or incarnation a log line concerns, in the MDC while the line is logged, so that JSON
 * logs carry them as fields ({@code "mdc": {"player": "p1", "session": "s1"}}) and a log search can find every line
 * of one player:
 *
 * <pre>{@code
 * try (LogContext ignored = LogContext.of(LogContext.PLAYER, player, LogContext.SESSION, session)) {
 *   LOG.info("[player: {}, session: {}] logged in", player, session);
 * }
 * }</pre>
 *
 * <p>The MDC rather than slf4j 2's key-values ({@code LOG.atInfo().addKeyValue(...)}): logback's {@code JsonEncoder}
 * writes the MDC as an object of fields but key-values as a list of one-entry objects, the text pattern and
 * {@code /admin/errors} can read the MDC too, and the MDC covers every line logged in the block, those of
 * {@code BurstLog} and {@link Failures} included, without changing their calls.
 *
 * <p>Vert.x does not carry the MDC across asynchronous callbacks (a callback may run on another event loop, or on
 * the same one between other sessions' work), so set it around the log call itself, inside the callback, never
 * around code that starts asynchronous work. Closing restores what the keys held before (usually nothing), so blocks
 * nest. Keys with a null value are left alone. Not thread-safe: open and close it on one thread.
 */
public final class LogContext implements AutoCloseable {

  /** MDC key of the player id. */
  public static final String PLAYER = "player";
  /** MDC key of the session id. */
  public static final String SESSION = "session";
  /** MDC key of the node id. */
  public static final String NODE = "node";
  /** MDC key of a node's incarnation (one run of it). */
  public static final String INCARNATION = "incarnation";

  private final String[] keys;
  private final String[] previous;

  private LogContext(String[] keys, String[] previous) {
    this.keys = keys;
    this.previous = previous;
  }

  /**
   * Puts {@code keysAndValues} (key, value, key, value ...; values by {@code String.valueOf}, null ones skipped) in
   * the MDC until {@link #close}.
   */
  public static LogContext of(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values come in pairs: " + Arrays.toString(keysAndValues));
    }
    int n = keysAndValues.length / 2;
    String[] keys = new String[n];
    String[] previous = new String[n];
    for (int i = 0; i < n; i++) {
      Object value = keysAndValues[2 * i + 1];
      if (value == null) {
        continue;
      }
      String key = String.valueOf(keysAndValues[2 * i]);
      keys[i] = key;
      previous[i] = MDC.get(key);
      MDC.put(key, String.valueOf(value));
    }
    return new LogContext(keys, previous);
  }

  /** The player (and its session, when not null). */
  public static LogContext player(Object player, Object session) {
    return of(PLAYER, player, SESSION, session);
  }

  /** Runs {@code logging} with {@code keysAndValues} in the MDC (see {@link #of}). */
  public static void with(Runnable logging, Object... keysAndValues) {
    try (LogContext ignored = of(keysAndValues)) {
      logging.run();
    }
  }

  /** Puts back what the keys held before. */
  @Override
  public void close() {
    for (int i = keys.length - 1; i >= 0; i--) {
      if (keys[i] == null) {
        continue;
      }
      if (previous[i] == null) {
        MDC.remove(keys[i]);
      } else {
        MDC.put(keys[i], previous[i]);
      }
    }
  }
}
