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

  /**
   * Moves a live session to another gateway instance (a resume handed it over):
   * {@code {"player","token","map","ip","from":{"node","incarnation","session"},"to":{..}}}.
   *
   * @return whether the player's directory entry names the new session now ({@code false}: the player logged in
   *         elsewhere meanwhile, or the session ended)
   */
  Future<Boolean> move(JsonObject moved);
}
