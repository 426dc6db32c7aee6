package io.seedgate.gateway.session;

import io.seedgate.common.ErrorCode;
import io.vertx.core.Future;

/**
 * What a session tells the sessions of its instance about itself as it goes: it authenticated, it ended after
 * authenticating, or it ended before. Each is called once at most per session, on its event loop.
 */
interface SessionLifecycle {

  /** The session authenticated: index it and subscribe its deliveries; fails when they cannot be subscribed. */
  Future<Void> activate(Session session);

  /**
   * An authenticated session ended (or one whose authentication answered after it closed): un-index it and have its
   * end recorded; completes once recorded (or given up).
   */
  Future<Void> ended(Session session, ErrorCode reason);

  /** A session ended that never authenticated: un-index it. */
  void forget(Session session);
}
