package io.seedgate.gateway.session;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * What the sessions of a gateway instance ask of the router, which keeps who is online where (in Redis): check a
 * token, record a session's end, record a live session again. {@link EventBusRouter} asks the node's router role
 * over the event bus.
 */
interface SessionRouter {

  /**
   * Checks a token: {@code {"token","ip","node","incarnation","session","transport"}}.
   *
   * @return the identity, {@code {"token","player","map"}}
   */
  Future<JsonObject> authenticate(JsonObject login);

  /** Records a session's end: {@code {"player","map","token","node","incarnation","session","reason"}}. */
  Future<Void> sessionEnded(JsonObject end);

  /**
   * Records a live session again: {@code {"player","map","token","node","incarnation","session","ip"}}.
   *
   * @return {@code {"kept":false}} when its player has logged in elsewhere meanwhile
   */
  Future<JsonObject> reassert(JsonObject live);
}
