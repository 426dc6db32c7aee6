package io.seedgate.common.logging;

import io.vertx.core.Vertx;
import org.slf4j.Logger;

/**
 * One log line per burst of the same failure rather than one per player: a mass disconnect or a node's whole
 * population at shutdown can fail thousands of times in a second for one cause (PostgreSQL or Redis away). Each
 * failure is logged at DEBUG with its subject; the first of a window schedules one WARN (or ERROR) line, a window
 * later, with how many failed and the first cause. Use from one context.
 */
public final class BurstLog {

  private final Vertx vertx;
  private final Logger log;
  private final String what;
  private final long windowMs;
  private final boolean error;
  private int failures;
  private String firstSubject;
  private String firstCause;

  /**
   * @param what     what failed, as the summary line says it: "players' state not saved on leave"
   * @param windowMs how long a burst is summed up before its line is written
   * @param error    ERROR rather than WARN
   */
  public BurstLog(Vertx vertx, Logger log, String what, long windowMs, boolean error) {
    this.vertx = vertx;
    this.log = log;
    this.what = what;
    this.windowMs = windowMs;
    this.error = error;
  }

  /** One failure, of the subject (a player, a session), for the cause. */
  public void failed(String subject, Throwable cause) {
    String text = cause == null ? "unknown" : String.valueOf(cause.getMessage());
    log.debug("[{}] {}: {}", subject, what, text);
    if (failures++ == 0) {
      firstSubject = subject;
      firstCause = text;
      vertx.setTimer(windowMs, t -> report());
    }
  }

  private void report() {
    if (error) {
      log.error("{} {} in {} ms (first: [{}] {})", failures, what, windowMs, firstSubject, firstCause);
    } else {
      log.warn("{} {} in {} ms (first: [{}] {})", failures, what, windowMs, firstSubject, firstCause);
    }
    failures = 0;
  }
}
