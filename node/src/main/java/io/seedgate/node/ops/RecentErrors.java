package io.seedgate.node.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last {@value #CAPACITY} WARN and ERROR log lines of this process, for the status page and the admin API:
 * a logback appender on the root logger keeping a ring buffer. Installed once per process; when logging is not
 * logback, nothing is kept.
 */
final class RecentErrors extends AppenderBase<ILoggingEvent> {

  static final int CAPACITY = 50;
  private static final int MAX_MESSAGE_CHARS = 500;
  private static final String NAME = "SEED_RECENT_ERRORS";
  private static final Object LOCK = new Object();
  private static final ArrayDeque<JsonObject> LINES = new ArrayDeque<>(CAPACITY);

  private RecentErrors() {
  }

  /** Attaches the appender to the root logger, once per process. */
  static synchronized void install() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    if (root.getAppender(NAME) != null) {
      return;
    }
    RecentErrors appender = new RecentErrors();
    appender.setName(NAME);
    appender.setContext(context);
    appender.start();
    root.addAppender(appender);
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (!event.getLevel().isGreaterOrEqual(Level.WARN)) {
      return;
    }
    String message = event.getFormattedMessage();
    if (event.getThrowableProxy() != null) {
      message = message + " (" + event.getThrowableProxy().getClassName() + ": "
        + event.getThrowableProxy().getMessage() + ")";
    }
    if (message != null && message.length() > MAX_MESSAGE_CHARS) {
      message = message.substring(0, MAX_MESSAGE_CHARS) + "…";
    }
    JsonObject line = new JsonObject()
      .put("at", Instant.ofEpochMilli(event.getTimeStamp()).toString())
      .put("level", event.getLevel().toString())
      .put("logger", event.getLoggerName())
      .put("thread", event.getThreadName())
      .put("message", message);
    synchronized (LOCK) {
      if (LINES.size() == CAPACITY) {
        LINES.removeFirst();
      }
      LINES.addLast(line);
    }
  }

  /** The latest lines, newest last, at most {@code n}. */
  static JsonArray latest(int n) {
    List<JsonObject> copy;
    synchronized (LOCK) {
      copy = new ArrayList<>(LINES);
    }
    return new JsonArray(new ArrayList<>(copy.subList(Math.max(0, copy.size() - n), copy.size())));
  }
}
