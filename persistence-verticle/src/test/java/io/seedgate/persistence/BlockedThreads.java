package io.seedgate.persistence;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A logback appender that records Vert.x blocked-thread warnings, so that a test can fail on an event-loop stall. */
public final class BlockedThreads extends AppenderBase<ILoggingEvent> {

  private static final List<String> WARNINGS = new CopyOnWriteArrayList<>();

  @Override
  protected void append(ILoggingEvent event) {
    WARNINGS.add(event.getFormattedMessage());
  }

  static void reset() {
    WARNINGS.clear();
  }

  static List<String> warnings() {
    return List.copyOf(WARNINGS);
  }
}
