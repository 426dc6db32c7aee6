package io.seedgate.gateway.session;

import io.seedgate.common.lifecycle.Incarnation;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.function.LongSupplier;

/**
 * The gateway's {@link Authenticator}: the token check at the router, when the instance's {@link LoginGate} lets it
 * go (a session closed while it waited is not checked).
 */
final class RouterAuthenticator implements Authenticator {

  private final LoginGate logins;
  private final SessionRouter router;
  private final Incarnation incarnation;
  private final LongSupplier clock;

  /**
   * @param logins      the instance's login queue
   * @param router      where tokens are checked
   * @param incarnation the instance's run, named in each check (the router records the session under it)
   * @param clock       the time in milliseconds (a login's wait in the queue)
   */
  RouterAuthenticator(LoginGate logins, SessionRouter router, Incarnation incarnation, LongSupplier clock) {
    this.logins = logins;
    this.router = router;
    this.incarnation = incarnation;
    this.clock = clock;
  }

  @Override
  public Future<JsonObject> authenticate(Session s, String token) {
    return logins.submit(s::closed, () -> router.authenticate(new JsonObject().put("token", token)
      .put("ip", s.remoteIp()).put("node", incarnation.nodeId()).put("incarnation", incarnation.id())
      .put("session", s.id()).put("transport", s.transport())), clock.getAsLong());
  }
}
