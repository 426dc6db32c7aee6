package io.seedgate.node;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.LoggerFactory;

import java.util.Iterator;

/**
 * {@code logging.json}: switches the root logger's console and file appenders from logback.xml's text pattern to
 * JSON lines (logback's {@link JsonEncoder}: {@code timestamp}, {@code level}, {@code threadName},
 * {@code loggerName}, {@code mdc}, {@code formattedMessage}, {@code throwable}, one object per line). logback.xml
 * stays the default; this runs once the node's config is read.
 */
final class JsonLogging {

  private JsonLogging() {
  }

  /** Switches to JSON lines; does nothing when logging is not logback or already JSON. */
  static synchronized void enable() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out && !(out.getEncoder() instanceof JsonEncoder)) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        out.stop();
        out.setEncoder(encoder);
        out.start();
      }
    }
  }
}
