package io.seedgate.gateway.routing;

import io.vertx.core.Future;

/**
 * Where a session's actions go: the allow-list of models, and the hand-over to the game services. The
 * {@link ActionPublisher} is the real one (Redis); the session core sees only this.
 */
public interface ActionSink {

  /** Whether actions of this model may be published. */
  boolean allowed(String model);

  /**
   * Hands one action of an authenticated session over.
   *
   * @return succeeds once the action was taken (Redis accepted the PUBLISH); fails when it was not
   */
  Future<Void> publish(Sender session, Action action, ActionMessage message);
}
