package io.seedgate.common;

import org.slf4j.Logger;

import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * One WARN line for a burst of failures of one kind instead of one line per failure. While Redis or PostgreSQL is
 * away, the same failure comes once per player or per cycle: a save on leave per player leaving (2,000 players
 * leaving during a PostgreSQL outage logged 2,000 lines), a flush every {@code persistence.flushIntervalSeconds}.
 * Those lines buried everything else and pushed it out of {@code /admin/errors} (the last 50).
 *
 * <p>{@link #failed} logs at WARN when no WARN of this kind was logged in the last {@code windowMs}, saying how many
 * like it were not logged since the previous one; the others go to DEBUG. {@link #recovered} ends the burst with
 * one INFO line naming how many failed and over how long (nothing when none failed). Thread-safe.
 *
 * <p>When the last argument of {@link #failed} is the failure itself, it is logged as {@link Failures} does: its
 * message in the {@code {}} left for it, and its stack trace too when it is not {@link Failures#expected expected}
 * (a bug), so that a bug repeating during an outage is not reduced to its message.
 */
public final class BurstLog {

  private final Logger log;
  private final long windowMs;
  private final LongSupplier clockMs;
  private long lastWarnMs;
  private boolean warned;
  private long notLogged;
  private long failures;
  private long firstFailureMs;

  /**
   * @param log      where the lines go
   * @param windowMs at most one WARN line per this many milliseconds
   */
  public BurstLog(Logger log, long windowMs) {
    this(log, windowMs, System::currentTimeMillis);
  }

  BurstLog(Logger log, long windowMs, LongSupplier clockMs) {
    this.log = log;
    this.windowMs = windowMs;
    this.clockMs = clockMs;
  }

  /**
   * One failure: a WARN line ({@code format} with {@code args}, slf4j style) when it is the first of a burst or
   * the last WARN of this kind is {@code windowMs} old, else a DEBUG line. A trailing {@code Throwable} argument is
   * the failure: see {@link Failures#arguments}.
   *
   * @return whether it was logged at WARN
   */
  public boolean failed(String format, Object... args) {
    long notLoggedBefore;
    synchronized (this) {
      long now = clockMs.getAsLong();
      if (failures++ == 0) {
        firstFailureMs = now;
      }
      if (warned && now - lastWarnMs < windowMs) {
        notLogged++;
        notLoggedBefore = -1;
      } else {
        warned = true;
        lastWarnMs = now;
        notLoggedBefore = notLogged;
        notLogged = 0;
      }
    }
    if (notLoggedBefore < 0) {
      if (log.isDebugEnabled()) {
        log.debug(format, Failures.arguments(args));
      }
      return false;
    }
    Object[] logged = Failures.arguments(args);
    if (notLoggedBefore == 0) {
      log.warn(format, logged);
    } else {
      // the count goes where the format says, before the failure appended for its stack trace (if any)
      Object[] more = new Object[logged.length + 1];
      System.arraycopy(logged, 0, more, 0, args.length);
      more[args.length] = notLoggedBefore;
      System.arraycopy(logged, args.length, more, args.length + 1, logged.length - args.length);
      log.warn(format + " ({} more like it since the last such line, not logged)", more);
    }
    return true;
  }

  /**
   * The thing works again: when failures came since the last call, one INFO line ({@code format} with {@code args},
   * followed by how many failed over how long); then the next failure starts a new burst.
   */
  public void recovered(String format, Object... args) {
    long failed;
    long overMs;
    synchronized (this) {
      if (failures == 0) {
        return;
      }
      failed = failures;
      overMs = clockMs.getAsLong() - firstFailureMs;
      failures = 0;
      notLogged = 0;
      warned = false;
    }
    Object[] more = Arrays.copyOf(args, args.length + 2);
    more[args.length] = failed;
    more[args.length + 1] = overMs;
    log.info(format + " (after {} failures over {} ms)", more);
  }

  /** Failures since the last {@link #recovered} call. */
  public synchronized long failures() {
    return failures;
  }
}
