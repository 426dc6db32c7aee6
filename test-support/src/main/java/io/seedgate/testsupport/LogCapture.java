package io.seedgate.testsupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The lines one logger writes while a test runs, readable from the test's thread while event loops log: logback's
 * {@code ListAppender} keeps a plain list, and reading it while another thread appends throws
 * {@code ConcurrentModificationException} (seen in CI). Close it to detach.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final ConcurrentLinkedQueue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();
  private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
    @Override
    protected void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing();
      events.add(event);
    }
  };

  private LogCapture(Logger logger) {
    this.logger = logger;
    appender.setContext(logger.getLoggerContext());
    appender.setName("log-capture");
    appender.start();
    logger.addAppender(appender);
  }

  /** Starts capturing what the logger of {@code owner} writes. */
  public static LogCapture of(Class<?> owner) {
    return of(owner.getName());
  }

  /** Starts capturing what the logger named {@code name} writes. */
  public static LogCapture of(String name) {
    return new LogCapture((Logger) LoggerFactory.getLogger(name));
  }

  /** The logger captured, to set its level in a test. */
  public Logger logger() {
    return logger;
  }

  /** Every line so far, formatted, in order. */
  public List<String> messages() {
    return events.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  /** The lines so far at {@code level}, formatted, in order. */
  public List<String> messages(Level level) {
    return events.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
  }

  /**
   * Every line so far, in order, as logback holds it: its throwable ({@link ILoggingEvent#getThrowableProxy}, null
   * when none was attached) and its MDC ({@link ILoggingEvent#getMDCPropertyMap}) as they were when it was logged.
   */
  public List<ILoggingEvent> events() {
    return List.copyOf(events);
  }

  /** How many lines so far were at {@code level}. */
  public long count(Level level) {
    return events.stream().filter(e -> e.getLevel() == level).count();
  }

  /** Whether a line at {@code level} so far contains {@code fragment}. */
  public boolean contains(Level level, String fragment) {
    return messages(level).stream().anyMatch(m -> m.contains(fragment));
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
