package io.seedgate.gateway.session;

import io.seedgate.common.ErrorCode;

import java.util.function.LongSupplier;

/**
 * Closes what has waited too long on a gateway instance: sessions idle for too long, connections that presented no
 * token in time, logins still not done {@link #LOGIN_GRACE_MS} after that deadline (a Redis that never answers a
 * subscription), and detached resumable sessions whose window passed; fails logins that waited too long in the
 * login queue. Run periodically on the instance's event loop.
 */
final class SessionSweeper {

  /**
   * How long after the authentication deadline a login whose token came in time may still take (its turn in the
   * login queue, the router's answer, its channels subscribed) before it is given up with service unavailable.
   */
  static final long LOGIN_GRACE_MS = 3 * EventBusRouter.TIMEOUT_MS;

  private final SessionIndex index;
  private final LoginGate logins;
  private final long idleTimeoutMs;
  private final long authTimeoutMs;
  private final LongSupplier clock;

  /**
   * @param idleTimeoutMs a session with no message for this long is closed
   * @param authTimeoutMs a connection with no token this long after it opened is closed
   * @param clock         the time in milliseconds
   */
  SessionSweeper(SessionIndex index, LoginGate logins, long idleTimeoutMs, long authTimeoutMs, LongSupplier clock) {
    this.index = index;
    this.logins = logins;
    this.idleTimeoutMs = idleTimeoutMs;
    this.authTimeoutMs = authTimeoutMs;
    this.clock = clock;
  }

  void sweep() {
    long now = clock.getAsLong();
    long idleDeadline = now - idleTimeoutMs;
    long authDeadline = now - authTimeoutMs;
    logins.expire(now);
    for (Session s : index.all()) {
      if (s.unauthenticatedSince(authDeadline)) {
        s.authFailed(ErrorCode.AUTH_TIMEOUT);
      } else if (s.authenticatingSince(authDeadline - LOGIN_GRACE_MS)) {
        s.authFailed(ErrorCode.UNAVAILABLE);
      } else if (s.active() && s.idleSince(idleDeadline)) {
        s.fail(ErrorCode.IDLE_TIMEOUT);
      } else if (s.windowPassed(now)) {
        s.expire();
      }
    }
  }
}
