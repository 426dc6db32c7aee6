package io.seedgate.gateway.session;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Checks the token a session presented and says who it is. The gateway's own asks the router, through the instance's
 * {@link LoginGate}; the session core sees only this.
 */
interface Authenticator {

  /**
   * @param session the session that presented the token (its id, address and transport go with the check; a session
   *                closed meanwhile may be given up)
   * @return the identity, {@code {"token","player","map"}}; failed with a
   *         {@link io.seedgate.common.GatewayException} whose code is what the client is told
   */
  Future<JsonObject> authenticate(Session session, String token);
}
