package io.seedgate.common;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.seedgate.common.config.ConfigException;
import io.seedgate.testsupport.LogCapture;
import io.vertx.core.Future;
import io.vertx.core.VertxException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.pgclient.PgException;
import io.vertx.redis.client.impl.types.ErrorType;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailuresTest {

  private final LogCapture lines = LogCapture.of("failures-test-" + UUID.randomUUID());

  @AfterEach
  void detach() {
    lines.close();
  }

  private ILoggingEvent only() {
    List<ILoggingEvent> events = lines.events();
    assertEquals(1, events.size(), "one line: " + lines.messages());
    return events.get(0);
  }

  @Test
  void anExpectedFailureIsOneLineWithItsMessageAndNoStack() {
    Failures.warn(lines.logger(), "[player: {}] not saved: {}", "p1",
      new GatewayException(ErrorCode.UNAVAILABLE, "redis connection 'router' is down"));

    ILoggingEvent line = only();
    assertEquals(Level.WARN, line.getLevel());
    assertEquals("[player: p1] not saved: service unavailable: redis connection 'router' is down",
      line.getFormattedMessage());
    assertNull(line.getThrowableProxy(), "no stack trace for a backing service away");
  }

  @Test
  void anUnexpectedFailureHasItsStackAttached() {
    NullPointerException bug = new NullPointerException("Cannot invoke \"String.length()\" because \"s\" is null");
    Failures.error(lines.logger(), "[player: {}] not saved: {}", "p1", bug);

    ILoggingEvent line = only();
    assertEquals(Level.ERROR, line.getLevel());
    assertEquals("[player: p1] not saved: Cannot invoke \"String.length()\" because \"s\" is null",
      line.getFormattedMessage());
    assertNotNull(line.getThrowableProxy(), "the stack trace of a bug");
    assertEquals(NullPointerException.class.getName(), line.getThrowableProxy().getClassName());
    assertTrue(line.getThrowableProxy().getStackTraceElementProxyArray().length > 0, "with its frames");
  }

  @Test
  void aFailureWithoutAMessageIsNamedByItsClass() {
    Failures.warn(lines.logger(), "flush failed: {}", new IllegalStateException());

    assertEquals("flush failed: java.lang.IllegalStateException", only().getFormattedMessage());
  }

  @Test
  void argumentsWithoutATrailingFailureAreLoggedAsTheyAre() {
    Failures.warn(lines.logger(), "[node: {}] {} sessions left", "n1", 3);

    assertEquals("[node: n1] 3 sessions left", only().getFormattedMessage());
    assertNull(only().getThrowableProxy());
  }

  @Test
  void backingServicesAwayOrSlowAreExpected() {
    for (Throwable t : List.of(
      new GatewayException(ErrorCode.UNAVAILABLE),
      new ConfigException("redis.url: not a redis:// URL"),
      new ReplyException(ReplyFailure.TIMEOUT, "Timed out after waiting 30000(ms) for a reply"),
      new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 503, "service unavailable"),
      new TimeoutException("no answer"),
      Future.failedFuture("x").timeout(0, java.util.concurrent.TimeUnit.MILLISECONDS).cause(),
      new ConnectException("Connection refused: localhost/127.0.0.1:6379"),
      new IOException("Connection reset by peer"),
      new ClosedChannelException(),
      VertxException.noStackTrace("Connection was closed"),
      Future.failedFuture("Connection is closed").cause(),
      ClosedConnectionException.INSTANCE,
      ErrorType.create("LOADING Redis is loading the dataset in memory"),
      ErrorType.create("READONLY You can't write against a read only replica."),
      ErrorType.create("CONNECTION_CLOSED"),
      new PgException("terminating connection due to administrator command", "FATAL", "57P01", null),
      new PgException("the database system is starting up", "FATAL", "57P03", null),
      new PgException("password authentication failed for user \"seed\"", "FATAL", "28P01", null),
      new PgException("connection failure", "FATAL", "08006", null),
      new CompletionException(new ConnectException("Connection refused")),
      new IllegalStateException("could not start embedded Redis", new IOException("no such file")))) {
      assertTrue(Failures.expected(t), "expected: " + t);
    }
  }

  @Test
  void bugsAreNotExpected() {
    for (Throwable t : List.of(
      new NullPointerException(),
      new IllegalStateException("not started"),
      new IllegalArgumentException("bad"),
      new ClassCastException("class A cannot be cast to class B"),
      new IndexOutOfBoundsException(3),
      new AssertionError("no"),
      new VertxException("with a stack"),
      ErrorType.create("ERR unknown command 'HGETAL'"),
      ErrorType.create("WRONGTYPE Operation against a key holding the wrong kind of value"),
      new PgException("relation \"players\" does not exist", "ERROR", "42P01", null),
      new PgException("duplicate key value violates unique constraint", "ERROR", "23505", null),
      new CompletionException(new NullPointerException()))) {
      assertFalse(Failures.expected(t), "unexpected: " + t);
    }
  }

  @Test
  void burstLogAttachesTheStackOfABugButNotOfAnOutage() {
    lines.logger().setLevel(Level.DEBUG);
    BurstLog burst = new BurstLog(lines.logger(), 60_000);
    burst.failed("[player: {}] not saved: {}", "p1", new ConnectException("Connection refused"));
    burst.failed("[player: {}] not saved: {}", "p2", new ConnectException("Connection refused"));
    burst.recovered("saved again");
    burst.failed("[player: {}] not saved: {}", "p3", new IllegalStateException("bug"));

    List<ILoggingEvent> events = lines.events();
    List<String> messages = lines.messages();
    assertEquals(List.of("[player: p1] not saved: Connection refused", "[player: p2] not saved: Connection refused"),
      messages.subList(0, 2));
    assertTrue(messages.get(2).startsWith("saved again (after 2 failures over "), messages.get(2));
    assertEquals("[player: p3] not saved: bug", messages.get(3));
    assertEquals(List.of(Level.WARN, Level.DEBUG, Level.INFO, Level.WARN), events.stream().map(ILoggingEvent::getLevel)
      .toList());
    assertNull(events.get(0).getThrowableProxy(), "an outage: no stack");
    assertNull(events.get(1).getThrowableProxy(), "an outage: no stack");
    assertEquals(IllegalStateException.class.getName(), events.get(3).getThrowableProxy().getClassName(), "a bug");
  }
}
