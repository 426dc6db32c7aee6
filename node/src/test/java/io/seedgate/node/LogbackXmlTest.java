package io.seedgate.node;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.status.Status;
import io.seedgate.common.Failures;
import io.seedgate.common.LogContext;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The production logback.xml (not the tests' logback-test.xml), configured into a logger context of its own: text by
 * default, JSON lines with {@code SEED_LOGGING_JSON=true}, the MDC entries as fields. The variable is given as a
 * context property, which logback's {@code ${...}} reads before the environment.
 */
class LogbackXmlTest {

  private static final URL LOGBACK_XML = LogbackXmlTest.class.getClassLoader().getResource("logback.xml");

  private record Configured(LoggerContext context, OutputStreamAppender<ILoggingEvent> appender,
                            ByteArrayOutputStream out) {
  }

  private static Configured configure(String json) throws Exception {
    assertNotNull(LOGBACK_XML, "logback.xml on the class path");
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(MDC.getMDCAdapter()); // the one LogContext writes to, as in a node
    if (json != null) {
      context.putProperty("SEED_LOGGING_JSON", json);
    }
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(LOGBACK_XML);
    List<Status> problems = context.getStatusManager().getCopyOfStatusList().stream()
      .filter(s -> s.getEffectiveLevel() > Status.INFO).toList();
    assertEquals(List.of(), problems, "logback.xml configured without warnings or errors");
    List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      appenders.add(it.next());
    }
    assertEquals(1, appenders.size(), "one appender on the root: " + appenders);
    @SuppressWarnings("unchecked")
    OutputStreamAppender<ILoggingEvent> appender = (OutputStreamAppender<ILoggingEvent>) appenders.get(0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    appender.setOutputStream(out);
    return new Configured(context, appender, out);
  }

  private static List<String> lines(Configured c) {
    return c.out().toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void jsonLinesCarryTheMdcAsFieldsWhenTheVariableIsTrue() throws Exception {
    Configured c = configure("true");
    try {
      assertEquals("JSON", c.appender().getName());
      org.slf4j.Logger log = c.context().getLogger("io.seedgate.router.SessionDirectory");
      try (LogContext ignored = LogContext.player("p1", "s1")) {
        Failures.warn(log, "[player: {}, session: {}] state not saved on leave: {}", "p1", "s1",
          new ConnectException("Connection refused"));
      }
      log.info("no context");

      List<String> lines = lines(c);
      assertEquals(2, lines.size(), "one JSON object per line: " + lines);
      JsonObject warning = new JsonObject(lines.get(0));
      assertEquals("WARN", warning.getString("level"));
      assertEquals("io.seedgate.router.SessionDirectory", warning.getString("loggerName"));
      assertEquals("[player: p1, session: s1] state not saved on leave: Connection refused",
        warning.getString("formattedMessage"));
      assertEquals(new JsonObject().put("player", "p1").put("session", "s1"), warning.getJsonObject("mdc"));
      assertTrue(warning.getValue("throwable") == null, "an outage has no stack: " + lines.get(0));
      assertEquals(new JsonObject(), new JsonObject(lines.get(1)).getJsonObject("mdc"), "the MDC was put back");
    } finally {
      c.context().stop();
    }
  }

  @Test
  void anyOtherValueLogsText() throws Exception {
    for (String value : new String[]{null, "false", "TRUE ", "1", "yes"}) {
      Configured c = configure(value);
      try {
        boolean json = value != null && value.trim().equalsIgnoreCase("true");
        assertEquals(json ? "JSON" : "TEXT", c.appender().getName(), "SEED_LOGGING_JSON=" + value);
        c.context().getLogger("io.seedgate.node.NodeVerticle").info("[node: {}] node started", "n1");
        String line = lines(c).get(0);
        assertTrue(json ? line.startsWith("{") : line.matches(
          "\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[.+] i\\.s\\.n\\.NodeVerticle - \\[node: n1] node started"), line);
      } finally {
        c.context().stop();
      }
    }
  }
}
