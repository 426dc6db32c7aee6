package io.seedgate.common;

import io.vertx.core.VertxException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import org.slf4j.Logger;
import org.slf4j.event.Level;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * How a failure is logged: its message only when it is {@link #expected expected} (a backing service away or slow,
 * a bad setting: the message says it all, and a stack trace per outage line would bury the rest), its full stack
 * trace when it is not (a bug: a {@code NullPointerException}, {@code IllegalStateException},
 * {@code ClassCastException} ... whose message alone does not say where).
 *
 * <p>The failure is the last argument, with a {@code {}} left for it in the format:
 * {@code Failures.warn(LOG, "[player: {}] not saved: {}", player, e)} logs
 * {@code [player: p1] not saved: redis connection 'router' is down}, or the same line followed by the stack when
 * {@code e} is a bug. (Passed straight to slf4j, a trailing {@code Throwable} is always taken as the line's
 * throwable, even with a {@code {}} left for it, which then stays empty; this does it the one way.)
 */
public final class Failures {

  /** Redis error replies a server sends while it starts, fails over or is out of memory: it is away, not wrong. */
  private static final Set<String> REDIS_AWAY = Set.of("LOADING", "READONLY", "MASTERDOWN", "BUSY", "TRYAGAIN",
    "CLUSTERDOWN", "MISCONF", "OOM", "NOAUTH", "WRONGPASS", "CONNECTION_CLOSED");

  /**
   * PostgreSQL SQLSTATE classes of a server away or refusing: 08 connection exception, 28 invalid authorization (a
   * bad setting), 53 insufficient resources, 57 operator intervention (shutdown, cannot connect now, statement
   * timeout), 40 transaction rollback (serialization failure, deadlock: retried). The others (42 syntax, 23
   * constraint, 22 data ...) are a bug of ours.
   */
  private static final Set<String> POSTGRES_AWAY = Set.of("08", "28", "53", "57", "40");

  /** Classes of the SQL client, named since this module does not depend on it. */
  private static final String SQL_DATABASE_EXCEPTION = "io.vertx.sqlclient.DatabaseException";

  private static final int MAX_CAUSES = 8;

  private Failures() {
  }

  /**
   * Whether {@code failure}, or one of its causes, is one the code expects in operation rather than a bug:
   * <ul>
   *   <li>an {@link ExpectedFailure}: {@link GatewayException} (ours: unavailable, timed out, refused ...) and
   *   {@code ConfigException};</li>
   *   <li>an event-bus {@link ReplyException} (timeout, no handler, or the other side's failure by code and message:
   *     its stack would be the event bus's own);</li>
   *   <li>a {@link TimeoutException}, and any {@link IOException}: connection refused, reset, closed, broken pipe,
   *     unknown host, TLS;</li>
   *   <li>a Vert.x failure without a stack trace ({@code Promise.fail(String)}, the clients' "Connection is closed",
   *     "Connection was closed", PostgreSQL's lost connection);</li>
   *   <li>a Redis error reply of a server away ({@code LOADING}, {@code READONLY}, {@code MASTERDOWN},
   *     {@code BUSY}, {@code MISCONF}, {@code OOM}, {@code NOAUTH} ...; not {@code ERR} or {@code WRONGTYPE});</li>
   *   <li>a PostgreSQL error of a server away (SQLSTATE class 08, 28, 40, 53, 57).</li>
   * </ul>
   * An {@link Error}, and the runtime exceptions of a bug ({@code NullPointerException},
   * {@code IllegalStateException}, {@code IllegalArgumentException}, {@code ClassCastException},
   * {@code IndexOutOfBoundsException} ...) are unexpected unless one of their causes is expected.
   */
  public static boolean expected(Throwable failure) {
    Throwable t = failure;
    for (int i = 0; t != null && i < MAX_CAUSES; i++, t = t.getCause() == t ? null : t.getCause()) {
      if (expectedItself(t)) {
        return true;
      }
    }
    return false;
  }

  private static boolean expectedItself(Throwable t) {
    if (t instanceof ExpectedFailure || t instanceof ReplyException
      || t instanceof TimeoutException || t instanceof IOException) {
      return true;
    }
    if (t instanceof Response r && r.type() == ResponseType.ERROR) {
      return REDIS_AWAY.contains(firstWord(t.getMessage()));
    }
    String sqlState = sqlState(t);
    if (sqlState != null) {
      return sqlState.length() >= 2 && POSTGRES_AWAY.contains(sqlState.substring(0, 2));
    }
    return t instanceof VertxException && t.getStackTrace().length == 0;
  }

  private static String firstWord(String message) {
    if (message == null) {
      return "";
    }
    String m = message.strip();
    int space = m.indexOf(' ');
    return space < 0 ? m : m.substring(0, space);
  }

  /** The SQLSTATE of a SQL client's {@code DatabaseException}, else null. */
  private static String sqlState(Throwable t) {
    for (Class<?> c = t.getClass(); c != null && c != Throwable.class; c = c.getSuperclass()) {
      if (c.getName().equals(SQL_DATABASE_EXCEPTION)) {
        try {
          Method m = c.getMethod("getSqlState");
          Object state = m.invoke(t);
          return state == null ? "" : state.toString();
        } catch (ReflectiveOperationException | RuntimeException e) {
          return "";
        }
      }
    }
    return null;
  }

  /**
   * What a log line says of a failure: its message, or its class's name when it has none (a
   * {@code NullPointerException} often has none).
   */
  public static String describe(Throwable failure) {
    if (failure == null) {
      return "unknown failure";
    }
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getName() : message;
  }

  /**
   * The arguments to log for {@code args} whose last one may be a failure: the failure's {@link #describe message}
   * in its place, and, when it is not {@link #expected}, the failure once more at the end, for its stack trace.
   * Arguments without a trailing failure are returned as they are.
   */
  public static Object[] arguments(Object... args) {
    if (args.length == 0 || !(args[args.length - 1] instanceof Throwable failure)) {
      return args;
    }
    boolean withStack = !expected(failure);
    Object[] out = Arrays.copyOf(args, args.length + (withStack ? 1 : 0));
    out[args.length - 1] = describe(failure);
    if (withStack) {
      out[args.length] = failure;
    }
    return out;
  }

  /** Logs at WARN; the last argument is the failure, see {@link Failures}. */
  public static void warn(Logger log, String format, Object... args) {
    log(log, Level.WARN, format, args);
  }

  /** Logs at ERROR; the last argument is the failure, see {@link Failures}. */
  public static void error(Logger log, String format, Object... args) {
    log(log, Level.ERROR, format, args);
  }

  /** Logs at {@code level}; the last argument is the failure, see {@link Failures}. */
  public static void log(Logger log, Level level, String format, Object... args) {
    if (!log.isEnabledForLevel(level)) {
      return;
    }
    Object[] out = arguments(args);
    switch (level) {
      case ERROR -> log.error(format, out);
      case WARN -> log.warn(format, out);
      case INFO -> log.info(format, out);
      case DEBUG -> log.debug(format, out);
      case TRACE -> log.trace(format, out);
      default -> throw new IllegalArgumentException(String.valueOf(level));
    }
  }
}
